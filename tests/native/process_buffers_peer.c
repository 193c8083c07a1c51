/* Helper for test_process_buffers.cc. Two roles:
 *   process_buffers_peer target THREADS ROUNDS
 *     uses the library itself: prints "ready <layout>" once its locator exists, waits for "go" on stdin,
 *     runs THREADS threads of get/append/release (a record of 8..64 bytes per round, checked right
 *     after writing, a pause of 100 us between rounds) until "check" arrives or each has done
 *     ROUNDS, checks every record again, prints "T <address> <length> <seed>" per record and
 *     "checked <bad>", then waits for "exit".
 *   process_buffers_peer writer PID THREADS ROUNDS ID
 *     opens PID with buffers_process_open and writes ROUNDS records per thread into it with
 *     buffers_process_get_buffer + append + release; prints "W <address> <length> <seed>" per record
 *     and exits 0, or prints "error ..." and exits 1.
 * A record's bytes follow from its seed (record_byte, peer_records.h), so the test can check them
 * from outside. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "peer_records.h"

static atomic_bool stop;   /* target: "check" arrived */

static void *work(void *argument) {
    worker *w = argument;
    for (int round = 0; round < w->rounds; round++) {
        if (!write_round(w, round)) return NULL;
        if (w->process) continue;
        if (check(&w->records[round])) w->bad++;
        if (atomic_load(&stop)) {
            w->rounds = round + 1;
            break;
        }
        usleep(100);
    }
    return NULL;
}

static void start_workers(worker *workers, int threads, pthread_t *ids) {
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, work, &workers[t]);
}

static int join_workers(worker *workers, int threads, pthread_t *ids) {
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        if (workers[t].error[0]) {
            printf("error thread %d %s\n", t, workers[t].error);
            failed = 1;
        }
    }
    return failed;
}

static int target(int threads, int rounds) {
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);   /* Yama scope 1: the writers are not our parents */
    setvbuf(stdout, NULL, _IOLBF, 0);
    buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        printf("error %s\n", buffers_last_error());
        return 1;
    }
    buffers_item_release(item);
    printf("ready %s\n", buffers_locator_layout());
    wait_for("go");
    worker *workers = make_workers(threads, rounds, 1, NULL);
    pthread_t ids[MAX_THREADS];
    start_workers(workers, threads, ids);
    wait_for("check");
    atomic_store(&stop, true);
    int failed = join_workers(workers, threads, ids);
    int bad = count_bad(workers, threads);
    print_records(workers, threads, 'T');
    printf("checked %d\n", bad + failed);
    free(workers);
    wait_for("exit");
    return 0;
}

static int writer(uint32_t pid, int threads, int rounds, int who) {
    buffers_process *process;
    buffers_status status = buffers_process_open(pid, &process);
    if (status != BUFFERS_OK) {
        printf("error open %s %s\n", buffers_status_name(status), buffers_last_error());
        return 1;
    }
    worker *workers = make_workers(threads, rounds, who, process);
    pthread_t ids[MAX_THREADS];
    start_workers(workers, threads, ids);
    int failed = join_workers(workers, threads, ids);
    print_records(workers, threads, 'W');
    free(workers);
    buffers_process_close(process);
    return failed;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "target") == 0) {
        int threads = atoi(argv[2]), rounds = atoi(argv[3]);
        if (threads < 1 || threads > MAX_THREADS || rounds < 1 || rounds > MAX_ROUNDS) return 2;
        return target(threads, rounds);
    }
    if (argc == 6 && strcmp(argv[1], "writer") == 0) {
        int threads = atoi(argv[3]), rounds = atoi(argv[4]);
        if (threads < 1 || threads > MAX_THREADS || rounds < 1 || rounds > MAX_ROUNDS) return 2;
        return writer((uint32_t)strtoul(argv[2], NULL, 10), threads, rounds, atoi(argv[5]));
    }
    fprintf(stderr, "usage: process_buffers_peer target THREADS ROUNDS | writer PID THREADS ROUNDS ID\n");
    return 2;
}
