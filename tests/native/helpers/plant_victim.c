/* The victim of a planted locator item (tests/native/core/test_item_trust.cc). Uses the library once,
 * prints
 *     file=<its locator file> data=<a page of its static data> buffer=<base> size=<bytes> position=<p>
 * waits for a line on stdin (the test edits the file meanwhile), appends 16 bytes of code and prints
 *     status=<0 or the status> at=<address written> intact=<1 if the data page is unchanged>
 * Modes: fresh (the first item is released; the append goes to a new get_buffer), held (the first item
 * stays locked across the edit, and the append goes into it), fork (as fresh, but first a forked child
 * drops to user and group 65534 and tries to plant: the released item's base, wherever it finds it in
 * the locator page it inherited, becomes the data page; then it tries to open the locator file; the
 * first report adds child_present, child_planted and child_opened, each 0 or 1). $BUFFERS_SHARED_ROOT
 * is the root. */
#define _GNU_SOURCE   /* process_vm_readv */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <reloaded/buffers.h>

#define DATA_PAGE 4096
static unsigned char data[3 * DATA_PAGE] __attribute__((aligned(DATA_PAGE))) = {1};   /* .data, not .bss */

static bool data_intact(void) {
    for (size_t i = 0; i < sizeof data; i++)
        if (data[i] != 0xA5) return false;
    return true;
}

/* Whether page is mapped here, asked without touching it (a fault would end the child). */
static bool mapped(uintptr_t page) {
#ifdef __linux__
    char probe;
    struct iovec here = {&probe, 1}, there = {(void *)page, 1};
    return process_vm_readv(getpid(), &here, 1, &there, 1, 0) == 1;   /* EFAULT when it is not mapped */
#else
    return msync((void *)page, 1, MS_ASYNC) == 0;   /* ENOMEM when it is not (macOS has no process_vm_readv) */
#endif
}

/* The forked child's attempt (mode fork): bit 0 the parent's locator page is mapped here, bit 1 an
 * item now names the data page, bit 2 the locator file opened for writing. */
static int child_plants(uintptr_t page, uintptr_t buffer, const char *file) {
    if (setgid(65534) != 0 || setuid(65534) != 0) return 64;
    int result = 0;
    if (mapped(page)) {
        result |= 1;
        uintptr_t *words = (uintptr_t *)page, planted = (uintptr_t)(data + DATA_PAGE);
        for (size_t i = 0; i < 4096 / sizeof *words; i++)
            if (words[i] == buffer) words[i] = planted, result |= 2;
    }
    int fd = open(file, O_RDWR);
    if (fd >= 0) result |= 4, close(fd);
    return result;
}

int main(int argc, char **argv) {
    bool held = argc > 1 && strcmp(argv[1], "held") == 0, fork_plant = argc > 1 && strcmp(argv[1], "fork") == 0;
    memset(data, 0xA5, sizeof data);
    buffers_search_settings settings = buffers_search_settings_default();
    settings.size = 16;
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) return printf("error=%s\n", buffers_last_error()), 1;
    if (!buffers_item_append(item, "0123456789abcdef", 16)) return 1;
    char file[1024];
    snprintf(file, sizeof file, "%s/Reloaded.Memory.Buffers.MemoryBuffer, PID %u", buffers_locator_directory(),
             (unsigned)getpid());
    if (fork_plant) {
        uintptr_t buffer = buffers_item_base_address(item), page = buffers_locator_address();
        buffers_item_release(item);
        pid_t child = fork();   /* (the child calls no buffers_*: its first call would map its own locator) */
        if (child == 0) _exit(child_plants(page, buffer, file));
        int status = 0;
        if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) > 7)
            return printf("error=the planting child failed (status %#x)\n", (unsigned)status), 1;
        printf("child_present=%d child_planted=%d child_opened=%d\n", WEXITSTATUS(status) & 1,
               (WEXITSTATUS(status) >> 1) & 1, (WEXITSTATUS(status) >> 2) & 1);
    }
    printf("file=%s\ndata=%#lx buffer=%#lx size=%u position=%u\n", file,
           (unsigned long)(data + DATA_PAGE),
           (unsigned long)buffers_item_base_address(item), (unsigned)buffers_item_size(item),
           (unsigned)buffers_item_position(item));
    if (!held && !fork_plant) buffers_item_release(item);
    fflush(stdout);

    char line[16];
    if (!fgets(line, sizeof line, stdin)) return 2;
    static const unsigned char code[16] = {0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC,
                                           0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC};
    buffers_status status = BUFFERS_OK;
    if (!held) status = buffers_get_buffer(&settings, &item);
    uintptr_t at = status == BUFFERS_OK ? buffers_item_append_code(item, code, sizeof code) : 0;
    if (status == BUFFERS_OK) buffers_item_release(item);
    printf("status=%d at=%#lx intact=%d\n", (int)status, (unsigned long)at, data_intact() ? 1 : 0);
    if (!at) printf("error=%s\n", buffers_last_error());
    return 0;
}
