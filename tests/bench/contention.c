/* Contention on a window holding exactly one buffer: threads x ops of get + release, reported as
 * operations per second of wall time and the number of non-OK answers (which must be 0). It uses
 * only the public API, so scripts/bench.sh builds it against an older commit too and compares.
 * Usage: buffers_contention [threads] [ops per thread] */
#define _POSIX_C_SOURCE 200809L
#include <reloaded/buffers.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static buffers_search_settings window;
static unsigned long ops;
static atomic_ulong failures;

static void *hammer(void *unused) {
    (void)unused;
    for (unsigned long i = 0; i < ops; i++) {
        buffers_item *item;
        if (buffers_get_buffer(&window, &item) == BUFFERS_OK)
            buffers_item_release(item);
        else if (atomic_fetch_add(&failures, 1) == 0)
            fprintf(stderr, "%s\n", buffers_last_error());
    }
    return NULL;
}

/* CPU seconds of the whole process (every thread): on a shared machine this is what the work cost,
 * whatever share of the cores it was given. */
static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    ops = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    if (threads < 1 || threads > 256 || ops == 0) return fprintf(stderr, "usage: %s [threads] [ops]\n", argv[0]), 2;
    /* The window is the buffer's own extent: no second buffer fits, so a held buffer must be waited for. */
    buffers_search_settings first = {0x80000000u, 0x8FFFFFFFu, 4096};
    buffers_item *item;
    if (buffers_get_buffer(&first, &item) != BUFFERS_OK) return fprintf(stderr, "%s\n", buffers_last_error()), 1;
    window.min_address = buffers_item_base_address(item);
    window.max_address = window.min_address + buffers_item_size(item) - 1;
    window.size = 16;
    buffers_item_release(item);
    pthread_t pool[256];
    double start = seconds(), cpu_start = cpu_seconds();
    for (int t = 0; t < threads; t++) pthread_create(&pool[t], NULL, hammer, NULL);
    for (int t = 0; t < threads; t++) pthread_join(pool[t], NULL);
    double took = seconds() - start, cpu = cpu_seconds() - cpu_start, total = threads * (double)ops;
    printf("%d threads x %lu get + release: %.1f M ops/s wall, %.1f M ops per CPU second, %lu failures\n", threads,
           ops, total / took / 1e6, total / cpu / 1e6, (unsigned long)atomic_load(&failures));
    return failures != 0;
}
