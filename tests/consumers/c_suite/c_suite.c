/* The C API in one plain C program, for where Google Test cannot go: musl (musl-gcc has no C++)
 * and the glibc-floor libraries of each Linux architecture (tests/consumers/musl/run.sh and
 * tests/consumers/glibc-floor/run.sh). Each check prints "ok" or "FAIL" with what went wrong; the
 * exit status is the number of failures. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <reloaded/buffers.h>

static int failures;

static void check(int ok, const char *what) {
    printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, ok ? "" : ": ", ok ? "" : buffers_last_error());
    failures += !ok;
}

static const buffers_search_settings low = {0, 0x7FFFFFFF, 64};

static void get_append_release(void) {
    buffers_item *item = NULL;
    check(buffers_get_buffer(&low, &item) == BUFFERS_OK, "get a buffer in the first 2 GiB");
    if (!item) return;
    uintptr_t base = buffers_item_base_address(item);
    check(base + buffers_item_size(item) - 1 <= low.max_address, "the whole buffer lies in [min, max]");
    uint32_t left = buffers_item_bytes_left(item);
    uintptr_t at = buffers_item_append(item, "musl", 4);
    check(at != 0 && memcmp((const void *)at, "musl", 4) == 0, "append copies the bytes");
    check(buffers_item_bytes_left(item) == left - 4, "append moves the position");
    check(buffers_item_append(item, "x", (size_t)left + 1) == 0, "append past the end writes nothing");
    buffers_item_release(item);
}

static void aligned_and_write(void) {
    buffers_item *item = NULL;
    check(buffers_get_buffer_aligned(&low, 256, &item) == BUFFERS_OK, "get an aligned buffer");
    if (item) {
        uintptr_t at = buffers_item_append(item, "a", 1);
        check(at % 256 == 0, "the next write is 256-aligned");
        buffers_item_release(item);
    }
    static const uint8_t ret[] = {0xC3};
    uintptr_t at = 0;
    check(buffers_write(&low, "written", 7, &at) == BUFFERS_OK && memcmp((void *)at, "written", 7) == 0,
          "buffers_write places the bytes");
    check(buffers_write_code(&low, ret, sizeof ret, &at) == BUFFERS_OK && at != 0, "buffers_write_code places code");
}

static void bad_arguments(void) {
    buffers_search_settings inverted = {0x2000, 0x1000, 8};
    buffers_item *item = NULL;
    check(buffers_get_buffer(&inverted, &item) == BUFFERS_ERROR_INVALID_ARGUMENT && item == NULL,
          "min > max is an invalid argument");
    check(strlen(buffers_last_error()) > 0, "the failure has a message");
    check(buffers_get_buffer_aligned(&low, 3, &item) == BUFFERS_ERROR_INVALID_ARGUMENT,
          "alignment 3 is an invalid argument");
    check(buffers_get_buffer(NULL, &item) == BUFFERS_ERROR_INVALID_ARGUMENT, "null settings are invalid");
}

static void private_memory(void) {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    settings.max_address = 0x7FFFFFFF;
    settings.size = 4096;
    buffers_private_allocation allocation;
    check(buffers_allocate_private_memory(&settings, &allocation) == BUFFERS_OK
          && allocation.base_address + allocation.size - 1 <= settings.max_address, "private memory in range");
    memset((void *)allocation.base_address, 0xAB, 4096);
    check(buffers_free_private_memory(&allocation) == BUFFERS_OK, "private memory is freed");
}

static void *writer(void *arg) {
    uintptr_t *out = arg;
    for (int i = 0; i < 50; i++) /* EACH */
        if (buffers_write(&low, "t", 1, &out[i]) != BUFFERS_OK) out[i] = 0;
    return NULL;
}

static void threads(void) {
    enum { THREADS = 4, EACH = 50 };
    static uintptr_t at[THREADS * EACH];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, writer, at + i * EACH);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    int distinct = 1;
    for (int i = 0; i < THREADS * EACH; i++)
        for (int j = i + 1; j < THREADS * EACH; j++)
            if (at[i] == 0 || at[i] == at[j]) distinct = 0;
    check(distinct, "4 threads x 50 writes get 200 distinct addresses");
}

static void forked_child(void) {
    pid_t child = fork();
    if (child == 0) {
        uintptr_t at = 0;
        _exit(buffers_write(&low, "child", 5, &at) == BUFFERS_OK && at != 0 ? 0 : 1);
    }
    int status = 0;
    check(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a forked child gets memory of its own");
}

int main(void) {
    printf("libbuffers %s (C suite), max address %#" PRIxPTR ", granularity %" PRIu32 "\n", buffers_version(),
           buffers_max_address(), buffers_allocation_granularity());
    check(buffers_max_address() > 0x7FFFFFFF && buffers_allocation_granularity() >= 4096, "platform facts");
    get_append_release();
    aligned_and_write();
    bad_arguments();
    private_memory();
    threads();
    forked_child();
    printf("%d failure(s)\n", failures);
    return failures;
}
