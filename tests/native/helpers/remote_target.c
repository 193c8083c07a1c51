/* A process for test_remote_memory.cc to allocate memory in: it never loads libbuffers. Three
 * threads keep running (two count in user code between short naps, one only naps) while the main thread blocks in read()
 * on stdin; it prints "ready", then echoes the first line it reads as "got <line>" and exits 0, or
 * exits 3 if the read failed (as it would if an interrupted read() were not restarted). */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_ulong spins;

static void *spin(void *unused) {
    (void)unused;
    struct timespec millisecond = {0, 1000000};
    for (;;) {
        for (int i = 0; i < 100000; i++) atomic_fetch_add_explicit(&spins, 1, memory_order_relaxed);
        nanosleep(&millisecond, NULL);   /* busy, but not a whole core on a shared machine */
    }
    return NULL;
}

static void *nap(void *unused) {
    (void)unused;
    struct timespec millisecond = {0, 1000000};
    for (;;) nanosleep(&millisecond, NULL);
    return NULL;
}

int main(void) {
    pthread_t threads[3];
    if (pthread_create(&threads[0], NULL, spin, NULL) || pthread_create(&threads[1], NULL, spin, NULL) ||
        pthread_create(&threads[2], NULL, nap, NULL))
        return 2;
    printf("ready\n");
    fflush(stdout);
    char line[256];
    ssize_t got = read(STDIN_FILENO, line, sizeof line - 1);
    if (got <= 0) {
        perror("read");
        return 3;
    }
    line[got] = 0;
    line[strcspn(line, "\n")] = 0;
    printf("got %s\n", line);
    fflush(stdout);
    return 0;
}
