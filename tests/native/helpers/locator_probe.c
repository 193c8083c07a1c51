/* A fresh process for the locator-file tests: optionally plants something where this process's
 * locator file will be, then uses the library once and reports what it got:
 *     locator=<address> file_this=<first pointer in the file> dir=<directory used>
 * Modes: plain, garbage (random bytes in the file), fake-live (the file names a live heap address of
 * this process), symlink (the file is a symlink to <root>/victim), own-address (the file names the
 * address where the library's own mapping of it will land: the first free page, found beforehand),
 * exec-chain <n> (address randomisation off, then n images in a row, each exec'ing the next under the
 * same PID, each using the library: every image finds the file of the one before, which recorded the
 * address its own mapping gets). $BUFFERS_SHARED_ROOT is the root. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__linux__)
#include <sys/personality.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <reloaded/buffers.h>

static void *kept_alive;   /* the fake-live block, reachable so leak checkers stay quiet */
static uintptr_t planted_address;   /* own-address: printed after the call, printing may map memory */

static void file_path(char *out, size_t size, const char *root) {
    snprintf(out, size, "%s/.reloaded/memory.buffers/Reloaded.Memory.Buffers.MemoryBuffer, PID %u", root,
             (unsigned)getpid());
}

static void make_directories(const char *root) {
    char path[512];
    snprintf(path, sizeof path, "%s/.reloaded", root);
    mkdir(path, 01777);
    snprintf(path, sizeof path, "%s/.reloaded/memory.buffers", root);
    mkdir(path, 01777);
}

static int write_file(const char *path, const void *data, size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size) return perror(path), 1;
    return close(fd);
}

static int plant(const char *mode, const char *root) {
    char path[512];
    file_path(path, sizeof path, root);
    if (strcmp(mode, "plain") == 0) return 0;
    make_directories(root);
    if (strcmp(mode, "garbage") == 0) {
        unsigned char bytes[8192];
        for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)(i * 131 + 7);
        return write_file(path, bytes, sizeof bytes);
    }
    if (strcmp(mode, "fake-live") == 0) {
        unsigned char bytes[4096] = {0};
        kept_alive = malloc(1 << 20);   /* a real mapping here, but not of the file */
        uintptr_t live = (uintptr_t)kept_alive;
        memcpy(bytes, &live, sizeof live);
        printf("fake=%#lx\n", (unsigned long)live);
        return write_file(path, bytes, sizeof bytes);
    }
    if (strcmp(mode, "own-address") == 0) {
        /* Everything that may map memory first (stdio's buffer, a sanitizer's tables for new file
         * descriptors), then the prediction, then nothing but the library's first call. */
        unsigned char bytes[4096] = {0};
        printf("own-address\n");
        if (write_file(path, bytes, sizeof bytes)) return 1;
        int fd = open(path, O_WRONLY);
        void *next = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (fd < 0 || next == MAP_FAILED) return perror("own-address"), 1;
        munmap(next, (size_t)sysconf(_SC_PAGESIZE));
        planted_address = (uintptr_t)next;
        int written = pwrite(fd, &planted_address, sizeof planted_address, 0) == (ssize_t)sizeof planted_address;
        return close(fd) || !written;
    }
    if (strcmp(mode, "symlink") == 0) {
        char victim[512];
        snprintf(victim, sizeof victim, "%s/victim", root);
        if (write_file(victim, "victim", 6)) return 1;
        return symlink(victim, path) == 0 ? 0 : (perror("symlink"), 1);
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}

/* exec-chain: the first image turns randomisation off and re-execs; each image then uses the library
 * and execs the next (same PID, same layout) until the count runs out. */
static int exec_chain(char **argv, int *left) {
    if (!argv[2]) return fprintf(stderr, "exec-chain needs a count\n"), 2;
#if !defined(__linux__)
    (void)left;
    printf("missing: exec-chain turns address randomisation off with Linux's personality()\n");
    return 3;
#else
    if (!(personality(0xffffffff) & ADDR_NO_RANDOMIZE)) {
        if (personality(ADDR_NO_RANDOMIZE) == -1) return perror("personality(ADDR_NO_RANDOMIZE)"), 1;
        execv("/proc/self/exe", argv);
        return perror("execv"), 1;
    }
    *left = atoi(argv[2]) - 1;
    return 0;
#endif
}

int main(int argc, char **argv) {
    const char *root = getenv("BUFFERS_SHARED_ROOT");
    if (argc < 2 || !root) {
        fprintf(stderr, "usage: BUFFERS_SHARED_ROOT=dir locator_probe "
                        "plain|garbage|fake-live|symlink|own-address|exec-chain <n>\n");
        return 2;
    }
    int left = -1;
    int planted = strcmp(argv[1], "exec-chain") == 0 ? exec_chain(argv, &left) : plant(argv[1], root);
    if (planted) return planted;
    buffers_search_settings settings = buffers_search_settings_default();
    settings.size = 16;
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        printf("error=%s\n", buffers_last_error());
        return 1;
    }
    if (!buffers_item_append(item, "0123456789abcdef", 16)) return 1;
    buffers_item_release(item);

    const char *dir = buffers_locator_directory();
    char path[600];
    snprintf(path, sizeof path, "%s/Reloaded.Memory.Buffers.MemoryBuffer, PID %u", dir, (unsigned)getpid());
    uintptr_t recorded = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    if (fd < 0 || read(fd, &recorded, sizeof recorded) != (ssize_t)sizeof recorded) recorded = 0;
    if (fd >= 0) close(fd);
    if (planted_address) printf("planted=%#lx\n", (unsigned long)planted_address);
    printf("locator=%#lx file_this=%#lx dir=%s\n", (unsigned long)buffers_locator_address(), (unsigned long)recorded,
           dir);
    if (left > 0) {
        char count[16];
        snprintf(count, sizeof count, "%d", left);
        fflush(stdout);
        char *next[] = {argv[0], argv[1], count, NULL};
        execv("/proc/self/exe", next);
        return perror("execv"), 1;
    }
    return 0;
}
