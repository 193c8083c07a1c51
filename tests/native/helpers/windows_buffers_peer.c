/* Helper for test_windows_process_buffers.cc (the Windows twin of process_buffers_peer.c). Two roles:
 *   windows_buffers_peer target THREADS ROUNDS [late]
 *     (late: first waits for "start" on stdin, touching the library only then)
 *     uses the library itself: prints "ready <locator address>" once its locator exists, waits for
 *     "go" on stdin (answering "items" with "item <base> <position> <taken>" per item of its first
 *     locator and "items end"), runs THREADS threads of get/append/release (a record of 8..64 bytes per round,
 *     checked right after writing, a Sleep(1) between rounds; "writing" is printed once each has
 *     done its first round) until "check" arrives or each has done ROUNDS, checks every record again, prints "T <address> <length> <seed>" per record and
 *     "checked <bad>", then waits for "exit".
 *   windows_buffers_peer writer PID THREADS ROUNDS ID
 *     opens PID with buffers_process_open and writes ROUNDS records per thread into it with
 *     buffers_process_get_buffer + append + release; prints "W <address> <length> <seed>" per record
 *     and exits 0, or prints "error ..." and exits 1.
 * Records and the line protocol: peer_records.h. stdout is flushed after every line: the C runtime of
 * Windows buffers a pipe fully even when asked for line buffering. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdatomic.h>

#include "core/locator.h"   /* the "items" answer reads the locator directly, as the format allows */
#include "peer_records.h"

static atomic_bool stop;      /* target: "check" arrived */
static atomic_int  started;   /* target: threads past their first round */

static DWORD WINAPI work(LPVOID argument) {
    worker *w = argument;
    for (int round = 0; round < w->rounds; round++) {
        bool written = write_round(w, round);
        if (round == 0 && !w->process) atomic_fetch_add(&started, 1);
        if (!written) return 0;
        if (w->process) continue;
        if (check(&w->records[round])) w->bad++;
        if (atomic_load(&stop)) {
            w->rounds = round + 1;
            break;
        }
        Sleep(1);
    }
    return 0;
}

static HANDLE ids[MAX_THREADS];

static void start_workers(worker *workers, int threads) {
    for (int t = 0; t < threads; t++) {
        ids[t] = CreateThread(NULL, 0, work, &workers[t], 0, NULL);
        if (!ids[t]) {
            printf("error cannot start thread %d: %lu\n", t, (unsigned long)GetLastError());
            exit(4);
        }
    }
}

static void join_threads(int threads) {
    for (int t = 0; t < threads; t++) {
        WaitForSingleObject(ids[t], INFINITE);
        CloseHandle(ids[t]);
    }
}

/* "item <base> <position> <taken>" per item of this process's first locator, then "items end". */
static void print_items(void) {
    locator *first = (locator *)buffers_locator_address();
    uint32_t count = locator_item_count(first);
    for (uint32_t n = 0; n < count; n++) {
        item_view view = item_read(&first->items[n], locator_creation_layout());
        printf("item %#llx %u %d\n", (unsigned long long)view.base, (unsigned)view.position, view.taken ? 1 : 0);
    }
    printf("items end\n");
    fflush(stdout);
}

/* wait_for(word), answering "items" meanwhile. */
static void serve_until(const char *word) {
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "items", 5) == 0) print_items();
        if (strncmp(line, word, strlen(word)) == 0) return;
    }
    exit(3);   /* the test went away */
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
    serve_until("go");
    worker *workers = make_workers(threads, rounds, 1, NULL);
    start_workers(workers, threads);
    while (atomic_load(&started) < threads) Sleep(1);
    printf("writing\n");
    fflush(stdout);
    wait_for("check");
    atomic_store(&stop, true);
    int failed = join_workers(workers, threads);
    int bad = count_bad(workers, threads);
    print_records(workers, threads, 'T');
    printf("checked %d\n", bad + failed);
    fflush(stdout);
    free(workers);
    wait_for("exit");
    return 0;
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
