/* Helper for test_process_buffers.cc and test_process_pid_reuse.cc. Three roles:
 *   process_buffers_peer target THREADS ROUNDS [FULL]
 *     uses the library itself: makes its locator (with FULL: by making FULL buffers and filling each
 *     to the last byte, so its chain holds FULL registered buffers nobody can use, in
 *     1 + FULL / 203 locators on 64-bit Linux), prints "ready <layout>", waits for "go" on stdin,
 *     runs THREADS threads of get/append/release (a record of 8..64 bytes per round, checked right
 *     after writing, a pause of 100 us between rounds) until "check" arrives or each has done
 *     ROUNDS, checks every record again, prints "T <address> <length> <seed>" per record and
 *     "checked <bad>", then waits for "exit".
 *   process_buffers_peer writer PID THREADS ROUNDS ID
 *     opens PID with buffers_process_open and writes ROUNDS records per thread into it with
 *     buffers_process_get_buffer + append + release; prints "W <address> <length> <seed>" per record
 *     and exits 0, or prints "error ..." and exits 1.
 *   process_buffers_peer shrink FULL
 *     a hostile target (issue 16, point 2): makes FULL full buffers as the target role does (FULL
 *     203 or more: a further locator), prints "ready <layout>", then obeys lines on stdin until
 *     "exit": "truncate first" / "truncate further" empties (ftruncate 0) the file of its first or
 *     second locator under every mapping of it, "swap first" empties the first one's file and maps a
 *     look-alike anonymous page (the same bytes) at its address, "get" takes a buffer of its own
 *     (registered in its chain) and releases it; each answers "done" or "error ...".
 *     Only "get" touches its locators again; it leaves with _exit.
 *   process_buffers_peer occupy ADDRESS SIZE
 *     maps read/write memory at exactly ADDRESS (filled with 0xEE), prints "occupied", waits for "exit":
 *     a program a target execs into that has memory where the old program's buffer was.
 * A record's bytes follow from its seed (record_byte, peer_records.h), so the test can check them
 * from outside. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
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

static pthread_t ids[MAX_THREADS];

static void start_workers(worker *workers, int threads) {
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, work, &workers[t]);
}

static void join_threads(int threads) {
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
}

/* Makes count buffers, each held until it is full (so no later request waits for it), then
 * releases them all. */
static int make_full_buffers(int count) {
    buffers_item **items = calloc((size_t)count, sizeof *items);
    static unsigned char zeros[1 << 20];
    buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
    int made = 0;
    bool filled = true;
    while (filled && made < count && buffers_get_buffer(&settings, &items[made]) == BUFFERS_OK) {
        uint32_t left = buffers_item_bytes_left(items[made]);
        filled = left <= sizeof zeros && buffers_item_append(items[made], zeros, left) != 0;
        made++;
    }
    for (int i = 0; i < made; i++) buffers_item_release(items[i]);
    free(items);
    if (filled && made == count) return 0;
    printf("error making full buffers: %d of %d: %s\n", made, count, buffers_last_error());
    return 1;
}

static int target(int threads, int rounds, int full) {
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);   /* Yama scope 1: the writers are not our parents */
    setvbuf(stdout, NULL, _IOLBF, 0);
    buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
    buffers_item *item;
    if (full > 0 && make_full_buffers(full) != 0) return 1;
    if (full == 0 && buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        printf("error %s\n", buffers_last_error());
        return 1;
    }
    if (full == 0) buffers_item_release(item);
    printf("ready %s\n", buffers_locator_layout());
    wait_for("go");
    worker *workers = make_workers(threads, rounds, 1, NULL);
    start_workers(workers, threads);
    wait_for("check");
    atomic_store(&stop, true);
    int failed = join_workers(workers, threads);
    int bad = count_bad(workers, threads);
    print_records(workers, threads, 'T');
    printf("checked %d\n", bad + failed);
    free(workers);
    wait_for("exit");
    return 0;
}

/* The path of the file this process maps at address, into path; false if none. */
static bool mapped_path(uintptr_t address, char *path, size_t size) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    bool found = false;
    while (maps && !found && fgets(line, sizeof line, maps)) {
        uintptr_t start = (uintptr_t)strtoull(line, NULL, 16);
        char *name = strchr(line, '/');
        if (start != address || !name) continue;
        name[strcspn(name, "\n")] = '\0';
        snprintf(path, size, "%s", name);
        found = true;
    }
    if (maps) fclose(maps);
    return found;
}

/* Empties the file mapped at address; its bytes (the first 4096) are kept in saved if not NULL. */
static const char *empty_file_at(uintptr_t address, unsigned char *saved) {
    char path[4096];
    if (!address || !mapped_path(address, path, sizeof path)) return "no file mapped there";
    if (saved) memcpy(saved, (const void *)address, 4096);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return "cannot open the file";
    int truncated = ftruncate(fd, 0);
    close(fd);
    return truncated == 0 ? NULL : "ftruncate failed";
}

/* One command of the shrink role; NULL when done, else why not. */
static const char *shrink_command(const char *command) {
    uintptr_t first = buffers_locator_address();
    if (strcmp(command, "truncate first") == 0) return empty_file_at(first, NULL);
    if (strcmp(command, "truncate further") == 0) return empty_file_at(*(const uintptr_t *)(first + 8), NULL);
    if (strcmp(command, "swap first") == 0) {
        static unsigned char saved[4096];
        const char *why = empty_file_at(first, saved);
        if (why) return why;
        void *page = mmap((void *)first, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (page != (void *)first) return "cannot map the look-alike page";
        memcpy(page, saved, sizeof saved);
        return NULL;
    }
    if (strcmp(command, "get") == 0) {   /* a registration of its own, as its next hook would make */
        buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
        buffers_item *item;
        if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) return buffers_last_error();
        buffers_item_release(item);
        return NULL;
    }
    return "unknown command";
}

static int shrink(int full) {
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (make_full_buffers(full) != 0) return 1;
    if (!buffers_locator_address()) {
        printf("error %s\n", buffers_last_error());
        return 1;
    }
    printf("ready %s\n", buffers_locator_layout());
    char line[64];
    while (fgets(line, sizeof line, stdin) && strncmp(line, "exit", 4) != 0) {
        line[strcspn(line, "\n")] = '\0';
        const char *why = shrink_command(line);
        if (why) printf("error %s\n", why);
        else printf("done\n");
    }
    _exit(0);   /* no exit-time handler may touch the emptied locators */
}

/* The occupy role: read/write memory at exactly [address, address + size), filled with 0xEE. */
static int occupy(uintptr_t address, size_t size) {
    void *at = mmap((void *)address, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                    -1, 0);
    if (at != (void *)address) {
        printf("error cannot map %#llx\n", (unsigned long long)address);
        return 1;
    }
    memset(at, 0xEE, size);
    printf("occupied\n");
    fflush(stdout);
    wait_for("exit");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "shrink") == 0) return shrink(atoi(argv[2]));
    if (argc == 4 && strcmp(argv[1], "occupy") == 0)
        return occupy((uintptr_t)strtoull(argv[2], NULL, 0), (size_t)strtoull(argv[3], NULL, 0));
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "target") == 0) {
        int threads = atoi(argv[2]), rounds = atoi(argv[3]), full = argc == 5 ? atoi(argv[4]) : 0;
        if (threads < 1 || threads > MAX_THREADS || rounds < 1 || rounds > MAX_ROUNDS || full < 0) return 2;
        return target(threads, rounds, full);
    }
    if (argc == 6 && strcmp(argv[1], "writer") == 0) {
        int threads = atoi(argv[3]), rounds = atoi(argv[4]);
        if (threads < 1 || threads > MAX_THREADS || rounds < 1 || rounds > MAX_ROUNDS) return 2;
        return writer((uint32_t)strtoul(argv[2], NULL, 10), threads, rounds, atoi(argv[5]));
    }
    fprintf(stderr, "usage: process_buffers_peer target THREADS ROUNDS [FULL] | writer PID THREADS ROUNDS ID | shrink FULL | occupy ADDRESS SIZE\n");
    return 2;
}
