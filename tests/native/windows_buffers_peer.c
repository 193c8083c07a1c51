/* Helper for test_windows_process_buffers.cc (the Windows twin of process_buffers_peer.c). Two roles:
 *   windows_buffers_peer target THREADS ROUNDS [late]
 *     (late: first waits for "start" on stdin, touching the library only then)
 *     uses the library itself: prints "ready <locator address>" once its locator exists, waits for
 *     "go" on stdin, runs
 *     THREADS threads of get/append/release (a record of 8..64 bytes per round, checked right after
 *     writing, a Sleep(1) between rounds) until "check" arrives or each has done ROUNDS, checks every
 *     record again, prints "T <address> <length> <seed>" per record and "checked <bad>", then waits
 *     for "exit".
 *   windows_buffers_peer writer PID THREADS ROUNDS ID
 *     opens PID with buffers_process_open and writes ROUNDS records per thread into it with
 *     buffers_process_get_buffer + append + release; prints "W <address> <length> <seed>" per record
 *     and exits 0, or prints "error ..." and exits 1.
 * A record's bytes follow from its seed (record_byte), so the test can check them from outside.
 * stdout is flushed after every line: the C runtime of Windows buffers a pipe fully even when asked
 * for line buffering. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <reloaded/buffers.h>

#include <stdatomic.h>
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

static atomic_bool stop;   /* target: "check" arrived */

static unsigned char record_byte(uint32_t seed, uint32_t k) {
    return (unsigned char)((seed * 2654435761u + k * 40503u) >> 13);
}

static void fill(unsigned char *bytes, uint32_t seed, uint32_t length) {
    for (uint32_t k = 0; k < length; k++) bytes[k] = record_byte(seed, k);
}

static int check(const record *r) {
    unsigned char want[64];
    fill(want, r->seed, r->length);
    return memcmp((const void *)r->address, want, r->length) != 0;
}

static DWORD WINAPI work(LPVOID argument) {
    worker *w = argument;
    buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
    for (int round = 0; round < w->rounds; round++) {
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
            return 0;
        }
        buffers_item_release(item);
        if (w->process) continue;
        if (check(r)) w->bad++;
        if (atomic_load(&stop)) {
            w->rounds = round + 1;
            break;
        }
        Sleep(1);
    }
    return 0;
}

static void start_workers(worker *workers, int threads, HANDLE *ids) {
    for (int t = 0; t < threads; t++) {
        ids[t] = CreateThread(NULL, 0, work, &workers[t], 0, NULL);
        if (!ids[t]) {
            printf("error cannot start thread %d: %lu\n", t, (unsigned long)GetLastError());
            exit(4);
        }
    }
}

static int join_workers(worker *workers, int threads, HANDLE *ids) {
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        WaitForSingleObject(ids[t], INFINITE);
        CloseHandle(ids[t]);
        if (workers[t].error[0]) {
            printf("error thread %d %s\n", t, workers[t].error);
            failed = 1;
        }
    }
    fflush(stdout);
    return failed;
}

static void wait_for(const char *word) {
    char line[64];
    while (fgets(line, sizeof line, stdin))
        if (strncmp(line, word, strlen(word)) == 0) return;
    exit(3);   /* the test went away */
}

static worker *make_workers(int threads, int rounds, int who, buffers_process *process) {
    worker *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers) exit(4);
    for (int t = 0; t < threads; t++) workers[t] = (worker){.thread = t, .rounds = rounds, .who = who, .process = process};
    return workers;
}

static void print_records(const worker *workers, int threads, char tag) {
    for (int t = 0; t < threads; t++)
        for (int i = 0; i < workers[t].rounds; i++)
            printf("%c %#llx %u %u\n", tag, (unsigned long long)workers[t].records[i].address,
                   (unsigned)workers[t].records[i].length, (unsigned)workers[t].records[i].seed);
    fflush(stdout);
}

static int target(int threads, int rounds, bool late) {
    if (late) wait_for("start");
    buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        printf("error %s\n", buffers_last_error());
        fflush(stdout);
        return 1;
    }
    buffers_item_release(item);
    printf("ready %#llx\n", (unsigned long long)buffers_locator_address());
    fflush(stdout);
    wait_for("go");
    worker *workers = make_workers(threads, rounds, 1, NULL);
    HANDLE ids[MAX_THREADS];
    start_workers(workers, threads, ids);
    wait_for("check");
    atomic_store(&stop, true);
    int failed = join_workers(workers, threads, ids);
    int bad = 0;
    for (int t = 0; t < threads; t++) {
        bad += workers[t].bad;
        for (int i = 0; i < workers[t].rounds; i++) bad += check(&workers[t].records[i]);
    }
    print_records(workers, threads, 'T');
    printf("checked %d\n", bad + failed);
    fflush(stdout);
    free(workers);
    wait_for("exit");
    return 0;
}

static int writer(uint32_t pid, int threads, int rounds, int who) {
    buffers_process *process;
    buffers_status status = buffers_process_open(pid, &process);
    if (status != BUFFERS_OK) {
        printf("error open %s %s\n", buffers_status_name(status), buffers_last_error());
        fflush(stdout);
        return 1;
    }
    worker *workers = make_workers(threads, rounds, who, process);
    HANDLE ids[MAX_THREADS];
    start_workers(workers, threads, ids);
    int failed = join_workers(workers, threads, ids);
    print_records(workers, threads, 'W');
    free(workers);
    buffers_process_close(process);
    return failed;
}

int main(int argc, char **argv) {
    if ((argc == 4 || (argc == 5 && strcmp(argv[4], "late") == 0)) && strcmp(argv[1], "target") == 0) {
        int threads = atoi(argv[2]), rounds = atoi(argv[3]);
        if (threads < 1 || threads > MAX_THREADS || rounds < 1 || rounds > MAX_ROUNDS) return 2;
        return target(threads, rounds, argc == 5);
    }
    if (argc == 6 && strcmp(argv[1], "writer") == 0) {
        int threads = atoi(argv[3]), rounds = atoi(argv[4]);
        if (threads < 1 || threads > MAX_THREADS || rounds < 1 || rounds > MAX_ROUNDS) return 2;
        return writer((uint32_t)strtoul(argv[2], NULL, 10), threads, rounds, atoi(argv[5]));
    }
    fprintf(stderr, "usage: windows_buffers_peer target THREADS ROUNDS [late] | writer PID THREADS ROUNDS ID\n");
    return 2;
}
