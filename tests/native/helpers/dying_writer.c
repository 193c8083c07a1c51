/* Helper for test_dying_writer.cc: a writer that keeps ptrace sessions going in another process
 * until it is killed (or exits on its own).
 *     dying_writer PID create|alloc [EXIT_AFTER_US]
 * create: opens PID (its locator is created there on the first round), takes buffers of growing
 * sizes (each new one is reserved by a session; full locators make the chain grow), closes; again.
 * alloc: allocates private memory in PID and frees it; again. Prints "go" once the loop starts.
 * With EXIT_AFTER_US a second thread calls exit(0) that long after "go", mid-session most likely:
 * the orderly end of a writer. Exits 2 if a call fails for a reason other than its end.
 * With DYING_WRITER_WARDEN_THREAD=1 in the environment, sessions use a warden thread, as Yama's
 * ptrace_scope 1 forces for a caller's children: this measures the window left there. */
#define _POSIX_C_SOURCE 200809L
#include <reloaded/buffers.h>

#include "os/linux/remote/ptrace.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint32_t target;

static void *exit_later(void *after_us) {
    struct timespec pause = {0, (long)(uintptr_t)after_us * 1000};
    nanosleep(&pause, NULL);
    exit(0);
}

static int create_round(unsigned round) {
    buffers_process *process = NULL;
    if (buffers_process_open(target, &process) != BUFFERS_OK) return 1;
    buffers_search_settings settings = {0, UINT64_C(0x7fffffff), 4096u * (1 + round % 8)};
    buffers_item *item = NULL;
    if (buffers_process_get_buffer(process, &settings, &item) == BUFFERS_OK) {
        static const uint8_t bytes[4096 * 8];
        buffers_item_append(item, bytes, settings.size);   /* fills it: the next round needs another */
        buffers_item_release(item);
    }
    buffers_process_close(process);
    return 0;
}

static int alloc_round(void) {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    settings.target_process_id = target;
    buffers_private_allocation block;
    memset(&block, 0, sizeof block);
    if (buffers_allocate_private_memory(&settings, &block) != BUFFERS_OK) return 1;
    return buffers_free_private_memory(&block) == BUFFERS_OK ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 3) return 64;
    target = (uint32_t)strtoul(argv[1], NULL, 10);
    int create = strcmp(argv[2], "create") == 0;
    const char *thread_only = getenv("DYING_WRITER_WARDEN_THREAD");
    ptrace_sessions_use_thread(thread_only && strcmp(thread_only, "1") == 0);
    printf("go\n");
    fflush(stdout);
    pthread_t thread;
    if (argc > 3 && pthread_create(&thread, NULL, exit_later, (void *)(uintptr_t)strtoul(argv[3], NULL, 10)) != 0)
        return 3;
    for (unsigned round = 0;; round++) {
        if ((create ? create_round(round) : alloc_round()) != 0) {
            fprintf(stderr, "dying_writer: %s\n", buffers_last_error());
            return 2;
        }
    }
}
