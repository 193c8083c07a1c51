/* Two copies of the shared library in one process (as when two hooking libraries each bundle it):
 * both must find the same locator, whether they start one after the other or at the same moment.
 *     two_copies <path of libbuffers.so> sequential|racing|racing-on-a-slow-disk
 * Exits 0 when the copies agree and prints what each saw. */
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <reloaded/buffers.h>

#include "barrier.h"

typedef struct copy {
    void *handle;
    uintptr_t (*locator_address)(void);
    buffers_status (*get_buffer)(const buffers_search_settings *, buffers_item **);
    uintptr_t (*append)(buffers_item *, const void *, size_t);
    uintptr_t (*base_address)(const buffers_item *);
    void (*release)(buffers_item *);
    uintptr_t seen;
} copy;

static pthread_barrier_t start;

/* "slow-disk": the copies' fallocate resolves to this one (the program exports it) and stalls as a busy
 * disk can, so the copy that made the file holds its setup lock for longer than a waiter's usual wait. */
static int slow_disk;

/* Stalls (in slow-disk mode), then finds the C library's own function of that name. */
static void *stall_then(const char *name) {
    if (slow_disk) nanosleep(&(struct timespec){0, 700 * 1000 * 1000}, NULL);
    return dlsym(RTLD_NEXT, name);
}

int fallocate(int fd, int mode, off_t offset, off_t length) {
    int (*real)(int, int, off_t, off_t);
    *(void **)&real = stall_then("fallocate");
    return real ? real(fd, mode, offset, length) : (errno = ENOSYS, -1);
}

/* glibc's headers send 64-bit-offset builds here (the library is one; this program need not be). */
int fallocate64(int fd, int mode, int64_t offset, int64_t length) {
    int (*real)(int, int, int64_t, int64_t);
    *(void **)&real = stall_then("fallocate64");
    return real ? real(fd, mode, offset, length) : (errno = ENOSYS, -1);
}

/* Copies the library to a file of its own so dlopen loads it a second time. */
static int load_copy(const char *library, copy *out) {
    char path[] = "/tmp/libbuffers-copy-XXXXXX";
    int fd = mkstemp(path);
    FILE *in = fopen(library, "rb");
    if (fd < 0 || !in) return perror("copy"), 1;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        if (write(fd, chunk, n) != (ssize_t)n) return perror("write"), 1;
    fclose(in);
    close(fd);
    out->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    unlink(path);
    if (!out->handle) return fprintf(stderr, "dlopen: %s\n", dlerror()), 1;
    *(void **)&out->locator_address = dlsym(out->handle, "buffers_locator_address");
    *(void **)&out->get_buffer = dlsym(out->handle, "buffers_get_buffer");
    *(void **)&out->append = dlsym(out->handle, "buffers_item_append");
    *(void **)&out->base_address = dlsym(out->handle, "buffers_item_base_address");
    *(void **)&out->release = dlsym(out->handle, "buffers_item_release");
    return !(out->locator_address && out->get_buffer && out->append && out->base_address && out->release);
}

static void *find_at_once(void *argument) {
    copy *c = argument;
    pthread_barrier_wait(&start);
    c->seen = c->locator_address();
    return NULL;
}

/* Copy a makes a buffer and writes to it; copy b must be handed the same buffer afterwards. */
static int share_a_buffer(copy *a, copy *b) {
    buffers_search_settings s = {0, 0x7FFFFFFF, 32};
    buffers_item *item;
    if (a->get_buffer(&s, &item) != BUFFERS_OK) return 1;
    uintptr_t written = a->append(item, "from copy A", 12);
    uintptr_t base_a = a->base_address(item);
    a->release(item);
    if (b->get_buffer(&s, &item) != BUFFERS_OK) return 1;
    uintptr_t base_b = b->base_address(item);
    uintptr_t next = b->append(item, "from copy B", 12);
    b->release(item);
    const char *(*reason)(void);
    *(void **)&reason = dlsym(b->handle, "buffers_write_xor_execute_reason");
    printf("buffer_a=%#lx buffer_b=%#lx write_xor_execute=%d\n", (unsigned long)base_a, (unsigned long)base_b,
           reason && reason()[0] != '\0');
    return !(base_a == base_b && next == written + 12 && strcmp((const char *)written, "from copy A") == 0);
}

int main(int argc, char **argv) {
    if (argc != 3) return fprintf(stderr, "usage: two_copies libbuffers.so sequential|racing|racing-on-a-slow-disk\n"), 2;
    copy a = {0}, b = {0};
    if (load_copy(argv[1], &a) || load_copy(argv[1], &b)) return 1;
    if (a.handle == b.handle || a.locator_address == b.locator_address)
        return fprintf(stderr, "the two loads are one copy\n"), 1;
    slow_disk = strcmp(argv[2], "racing-on-a-slow-disk") == 0;
    if (slow_disk || strcmp(argv[2], "racing") == 0) {
        pthread_t ta, tb;
        pthread_barrier_init(&start, NULL, 2);
        pthread_create(&ta, NULL, find_at_once, &a);
        pthread_create(&tb, NULL, find_at_once, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
    } else {
        a.seen = a.locator_address();
        b.seen = b.locator_address();
    }
    printf("copy_a=%#lx copy_b=%#lx\n", (unsigned long)a.seen, (unsigned long)b.seen);
    if (!a.seen || a.seen != b.seen) return 1;
    return share_a_buffer(&a, &b);
}
