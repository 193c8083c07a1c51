#define _DEFAULT_SOURCE
#include "coexistence_sides.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <reloaded/buffers.h>

#include "barrier.h"

static uintptr_t write_ours(uint32_t size, const uint8_t *bytes) {
    buffers_search_settings settings = {0, upstream_max_address(), size};
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        report_problem("libbuffers: %s", buffers_last_error());
        return 0;
    }
    uintptr_t address = buffers_item_append(item, bytes, size);
    buffers_item_release(item);
    return address;
}

written write_through(const writer *w, uint32_t size, uint32_t tag) {
    uint8_t bytes[65536];
    pattern_fill(bytes, size, tag);
    written record = {0, size, tag, w->side};
    record.address = w->upstream ? upstream_write(w->upstream, 0, upstream_max_address(), bytes, size)
                                 : write_ours(size, bytes);
    return record;
}

uintptr_t locator_of(const writer *w) {
    return w->upstream ? upstream_locator_address(w->upstream) : buffers_locator_address();
}

side_view view_of(const writer *w) {
    enum { CAPACITY = 4096 };
    side_view view = {w->name, w->side, calloc(CAPACITY, sizeof(buffer_view)), 0};
    if (w->upstream) {
        upstream_buffer *items = calloc(CAPACITY, sizeof *items);
        view.count = upstream_list(w->upstream, items, CAPACITY);
        for (size_t i = 0; i < view.count && i < CAPACITY; i++)
            view.buffers[i] = (buffer_view){items[i].base, items[i].size, items[i].position};
        free(items);
    } else {
        buffers_buffer_info *infos = calloc(CAPACITY, sizeof *infos);
        if (buffers_list_buffers(infos, CAPACITY, &view.count) != BUFFERS_OK)
            report_problem("libbuffers cannot list its buffers: %s", buffers_last_error());
        for (size_t i = 0; i < view.count && i < CAPACITY; i++)
            view.buffers[i] = (buffer_view){infos[i].base_address, infos[i].size, infos[i].position};
        free(infos);
    }
    if (view.count > CAPACITY) view.count = CAPACITY;
    return view;
}

void free_view(side_view *view) {
    free(view->buffers);
    view->buffers = NULL;
}

typedef struct job {
    const writer *w;
    int thread, writes;
    written *out;
    pthread_barrier_t *start;
} job;

static void *run_job(void *argument) {
    job *j = argument;
    pthread_barrier_wait(j->start);
    for (int i = 0; i < j->writes; i++) {
        uint32_t tag = (uint32_t)j->w->side << 28 | (uint32_t)j->thread << 20 | (uint32_t)i;
        j->out[i] = write_through(j->w, 8 + (tag * 2654435761u >> 7) % 185, tag);
    }
    return NULL;
}

void write_concurrently(const writer *a, const writer *b, int threads_each, int writes_each, written *log,
                        size_t *log_count) {
    int total = 2 * threads_each;
    pthread_t *threads = calloc((size_t)total, sizeof *threads);
    job *jobs = calloc((size_t)total, sizeof *jobs);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)total);
    for (int t = 0; t < total; t++) {
        jobs[t] = (job){t % 2 ? b : a, t + 1, writes_each, log + *log_count + (size_t)t * (size_t)writes_each, &start};
        if (pthread_create(&threads[t], NULL, run_job, &jobs[t]) != 0) {
            perror("pthread_create");
            exit(1);
        }
    }
    for (int t = 0; t < total; t++) pthread_join(threads[t], NULL);
    *log_count += (size_t)total * (size_t)writes_each;
    pthread_barrier_destroy(&start);
    free(jobs);
    free(threads);
}
