/* Runs one path OPS times inside a function of its own, so callgrind --toggle-collect=<function>
 * counts exactly that path's instructions (scripts/bench.sh divides by OPS). Memory is prefaulted
 * before the counted function runs (through a reservation given back, which works in
 * write-xor-execute mode too: BUFFERS_WRITE_XOR_EXECUTE=1). Usage: buffers_count_instructions bare|three|calls|one|try|window|wthree
 * (three: get, then buffers.h's inline append and release; calls: the three functions of the
 * library; wthree: get through a window too, no call at all). */
#include <reloaded/buffers.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPS 100000u
#define BIG (64u << 20)

static unsigned char data[16] = {1, 2, 3};

/* The bare model, as in bench_support.h. */
static struct {
    uintptr_t base;
    _Atomic(uint32_t) taken;
    uint32_t size;
    _Atomic(uint32_t) position;
} model;

__attribute__((noinline)) static uintptr_t bare_write(uintptr_t min, uintptr_t max) {
    uint32_t at = atomic_load_explicit(&model.position, memory_order_relaxed);
    if (model.size - at < 16 || model.base + at < min || model.base + model.size - 1 > max) return 0;
    uint32_t expected = 0;
    if (!atomic_compare_exchange_strong_explicit(&model.taken, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        return 0;
    memcpy((void *)(model.base + at), data, 16);
    atomic_store_explicit(&model.position, at + 16, memory_order_relaxed);
    atomic_store_explicit(&model.taken, 0, memory_order_release);
    return model.base + at;
}

__attribute__((noinline)) void count_bare(void) {
    for (unsigned i = 0; i < OPS; i++) bare_write(0, UINTPTR_MAX);
}

/* count_<name>: get, append 16 bytes and release OPS times, each call as named (a name in
 * parentheses is the library's function, not buffers.h's inline macro). */
#define COUNT_THREE(name, window_type, get, append, release)                  \
    __attribute__((noinline)) void count_##name(const window_type *window) { \
        for (unsigned i = 0; i < OPS; i++) {                                  \
            buffers_item *item;                                               \
            get(window, &item);                                               \
            append(item, data, sizeof data);                                  \
            release(item);                                                    \
        }                                                                     \
    }
COUNT_THREE(three, buffers_search_settings, buffers_get_buffer, buffers_item_append, buffers_item_release)
COUNT_THREE(calls, buffers_search_settings, buffers_get_buffer, (buffers_item_append), (buffers_item_release))
COUNT_THREE(wthree, buffers_window, buffers_window_get, buffers_item_append, buffers_item_release)

__attribute__((noinline)) void count_one(const buffers_search_settings *window) {
    for (unsigned i = 0; i < OPS; i++) {
        uintptr_t at;
        buffers_write(window, data, sizeof data, &at);
    }
}

__attribute__((noinline)) void count_try(const buffers_search_settings *window) {
    for (unsigned i = 0; i < OPS; i++)
        if (!buffers_try_write(window->min_address, window->max_address, window->size, data, sizeof data, 0)) break;
}

__attribute__((noinline)) void count_window(const buffers_window *window) {
    for (unsigned i = 0; i < OPS; i++) {
        uintptr_t at;
        buffers_window_write(window, data, sizeof data, &at);
    }
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    buffers_search_settings window = {0x80000000u, 0x8FFFFFFFu, BIG};
    buffers_item *item;
    if (buffers_get_buffer(&window, &item) != BUFFERS_OK) {
        fprintf(stderr, "%s\n", buffers_last_error());
        return 1;
    }
    uint32_t left = buffers_item_bytes_left(item);
    uintptr_t reserved;
    void *writable;
    if (buffers_item_reserve(item, left, &reserved, &writable) == BUFFERS_OK) {
        memset(writable, 0, left);
        buffers_item_unreserve(item, reserved);
    }
    buffers_item_release(item);
    window.size = 16;
    uintptr_t at;
    buffers_write(&window, data, sizeof data, &at);   /* the hint is set before counting */
    model.base = (uintptr_t)calloc(1, BIG);
    model.size = BIG;
    memset((void *)model.base, 0, BIG);
    if (strcmp(mode, "bare") == 0) count_bare();
    else if (strcmp(mode, "three") == 0) count_three(&window);
    else if (strcmp(mode, "one") == 0) count_one(&window);
    else if (strcmp(mode, "try") == 0) count_try(&window);
    else if (strcmp(mode, "calls") == 0) count_calls(&window);
    else if (strcmp(mode, "window") == 0 || strcmp(mode, "wthree") == 0) {
        buffers_window kept;
        if (buffers_window_open(&window, BUFFERS_WINDOW_LAYOUT, &kept) != BUFFERS_OK)
            return fprintf(stderr, "window: %s\n", buffers_last_error()), 1;
        if (!kept.hint) return fprintf(stderr, "window: no inline path in this mode\n"), 1;
        if (strcmp(mode, "window") == 0) count_window(&kept);
        else count_wthree(&kept);
    } else return fprintf(stderr, "usage: %s bare|three|calls|one|try|window|wthree\n", argv[0]), 2;
    return 0;
}
