/* What the buffers peers (process_buffers_peer.c on Linux, windows_buffers_peer.c on Windows) have in
 * common: records whose bytes follow from a seed, so a test can check them from outside, written by
 * workers with get/append/release, and the line protocol on stdin and stdout. Only the threads
 * differ between the two. */
#ifndef BUFFERS_PEER_RECORDS_H
#define BUFFERS_PEER_RECORDS_H

#include <reloaded/buffers.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 8
#define MAX_ROUNDS 2000

typedef struct record {
    uintptr_t address;
    uint32_t  length, seed;
} record;

typedef struct worker {
    int               thread, rounds, who;
    buffers_process  *process;   /* NULL: this process */
    record            records[MAX_ROUNDS];
    int               bad;
    char              error[512];
} worker;

static inline unsigned char record_byte(uint32_t seed, uint32_t k) {
    return (unsigned char)((seed * 2654435761u + k * 40503u) >> 13);
}

static inline void fill(unsigned char *bytes, uint32_t seed, uint32_t length) {
    for (uint32_t k = 0; k < length; k++) bytes[k] = record_byte(seed, k);
}

/* 1 if the record's bytes (in this process) differ from its pattern. */
static inline int check(const record *r) {
    unsigned char want[64];
    fill(want, r->seed, r->length);
    return memcmp((const void *)r->address, want, r->length) != 0;
}

/* Round number round of w: a record got, appended and released. false (w->error says why, and
 * w->rounds is cut to the rounds done) on failure. */
static inline bool write_round(worker *w, int round) {
    buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
    record *r = &w->records[round];
    r->seed = ((uint32_t)w->who << 24) | ((uint32_t)w->thread << 16) | (uint32_t)round;
    r->length = 8 + (r->seed * 7u) % 57u;
    unsigned char bytes[64];
    fill(bytes, r->seed, r->length);
    buffers_item *item;
    buffers_status status = w->process ? buffers_process_get_buffer(w->process, &settings, &item)
                                       : buffers_get_buffer(&settings, &item);
    if (status == BUFFERS_OK) r->address = buffers_item_append(item, bytes, r->length);
    if (status != BUFFERS_OK || !r->address) {
        snprintf(w->error, sizeof w->error, "round %d: %s %s", round, buffers_status_name(status),
                 buffers_last_error());
        if (status == BUFFERS_OK) buffers_item_release(item);
        w->rounds = round;
        return false;
    }
    buffers_item_release(item);
    return true;
}

static inline void wait_for(const char *word) {
    char line[64];
    while (fgets(line, sizeof line, stdin))
        if (strncmp(line, word, strlen(word)) == 0) return;
    exit(3);   /* the test went away */
}

static inline worker *make_workers(int threads, int rounds, int who, buffers_process *process) {
    worker *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers) exit(4);
    for (int t = 0; t < threads; t++) workers[t] = (worker){.thread = t, .rounds = rounds, .who = who, .process = process};
    return workers;
}

/* "<tag> <address> <length> <seed>" per record, flushed (before any exit-time handler, a
 * sanitizer's, can end the process; and Windows buffers pipes fully). */
static inline void print_records(const worker *workers, int threads, char tag) {
    for (int t = 0; t < threads; t++)
        for (int i = 0; i < workers[t].rounds; i++)
            printf("%c %#llx %u %u\n", tag, (unsigned long long)workers[t].records[i].address,
                   (unsigned)workers[t].records[i].length, (unsigned)workers[t].records[i].seed);
    fflush(stdout);
}

/* Bad records of the workers (counted as they went, and checked again now). */
static inline int count_bad(const worker *workers, int threads) {
    int bad = 0;
    for (int t = 0; t < threads; t++) {
        bad += workers[t].bad;
        for (int i = 0; i < workers[t].rounds; i++) bad += check(&workers[t].records[i]);
    }
    return bad;
}

/* Each peer starts and joins its workers with its OS's threads (it keeps their ids itself). */
static void start_workers(worker *workers, int threads);
static void join_threads(int threads);

/* Joins the workers; prints "error thread <t> <why>" for each that failed. 1 if any did. */
static inline int join_workers(const worker *workers, int threads) {
    join_threads(threads);
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        if (workers[t].error[0]) {
            printf("error thread %d %s\n", t, workers[t].error);
            failed = 1;
        }
    }
    fflush(stdout);
    return failed;
}

/* The writer role: opens pid and writes rounds records per thread into it, then prints them. */
static inline int writer(uint32_t pid, int threads, int rounds, int who) {
    buffers_process *process;
    buffers_status status = buffers_process_open(pid, &process);
    if (status != BUFFERS_OK) {
        printf("error open %s %s\n", buffers_status_name(status), buffers_last_error());
        fflush(stdout);
        return 1;
    }
    worker *workers = make_workers(threads, rounds, who, process);
    start_workers(workers, threads);
    int failed = join_workers(workers, threads);
    print_records(workers, threads, 'W');
    free(workers);
    buffers_process_close(process);
    return failed;
}

#endif
