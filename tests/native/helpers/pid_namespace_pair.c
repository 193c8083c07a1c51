/* Two "containers" sharing one locator directory, each in a PID namespace of its own, each PID 1, so
 * both want the same file name. A gets a buffer and writes to it, then waits; B runs its first call
 * start to end; then A checks its locator and buffer are untouched.
 *     BUFFERS_SHARED_ROOT=dir pid_namespace_pair
 * Prints a_locator=, b_locator=, a_intact=1|0; exits 0 when both worked and A is intact. Needs
 * CAP_SYS_ADMIN for unshare(CLONE_NEWPID): without it, exits 3 saying so. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <reloaded/buffers.h>

static const buffers_search_settings settings = {0, 0x7FFFFFFF, 16};

static int container_a(int ready, int go) {
    buffers_item *item;
    if (getpid() != 1 || buffers_get_buffer(&settings, &item) != BUFFERS_OK) return 10;
    uintptr_t base = buffers_item_base_address(item);
    if (!buffers_item_append(item, "from container A", 16)) return 11;
    buffers_item_release(item);
    uintptr_t locator = buffers_locator_address();
    printf("a_locator=%#lx\n", (unsigned long)locator);
    fflush(stdout);
    char byte = 'r';
    if (write(ready, &byte, 1) != 1 || read(go, &byte, 1) != 1) return 12;
    /* Intact: the header still records A's address, and the buffer is found again with its bytes. */
    uintptr_t recorded;
    memcpy(&recorded, (const void *)locator, sizeof recorded);
    bool intact = recorded == locator && buffers_get_buffer(&settings, &item) == BUFFERS_OK &&
                  buffers_item_base_address(item) == base && buffers_item_position(item) == 16 &&
                  memcmp((const void *)base, "from container A", 16) == 0;
    if (intact) buffers_item_release(item);
    printf("a_intact=%d\n", intact ? 1 : 0);
    return intact ? 0 : 13;
}

static int container_b(void) {
    buffers_item *item;
    if (getpid() != 1) return 20;
    /* Forked from one parent, B would map the file exactly where A did (the same free hole); fill the
     * small holes first so B's own mapping is not what it finds at A's recorded address (that case
     * has its own test). */
    for (int i = 0; i < 16; i++)
        if (mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) return 22;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        printf("b_error=%s\n", buffers_last_error());
        return 21;
    }
    buffers_item_release(item);
    printf("b_locator=%#lx\n", (unsigned long)buffers_locator_address());
    return 0;
}

/* Starts a process whose child is PID 1 of a new PID namespace and runs role there. */
static pid_t start_container(char role, int ready, int go) {
    pid_t outer = fork();
    if (outer != 0) return outer;
#if !defined(__linux__)
    printf("missing: PID namespaces are Linux's\n");
    _exit(3);
#else
    if (unshare(CLONE_NEWPID) != 0) {
        printf("missing: unshare(CLONE_NEWPID) failed: %s (needs CAP_SYS_ADMIN)\n", strerror(errno));
        _exit(3);
    }
#endif
    pid_t inner = fork();
    if (inner == 0) {
        int code = role == 'A' ? container_a(ready, go) : container_b();
        fflush(stdout);
        _exit(code);
    }
    int status = 0;
    if (inner < 0 || waitpid(inner, &status, 0) != inner) _exit(4);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 5);
}

static int wait_exit(pid_t pid) {
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 7;
}

int main(void) {
    int ready[2], go[2];
    if (!getenv("BUFFERS_SHARED_ROOT") || pipe(ready) != 0 || pipe(go) != 0) return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t a = start_container('A', ready[1], go[0]);
    char byte;
    if (read(ready[0], &byte, 1) != 1) {
        int code = wait_exit(a);
        printf("container A failed before it was ready: %d\n", code);
        return code ? code : 1;
    }
    int b_code = wait_exit(start_container('B', -1, -1));
    if (write(go[1], "g", 1) != 1) return 1;
    int a_code = wait_exit(a);
    printf("a_exit=%d b_exit=%d\n", a_code, b_code);
    return a_code || b_code ? 1 : 0;
}
