#include "core/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/allocator.h"
#include "core/chain.h"
#include "core/errors.h"
#include "core/locator_finder.h"
#include "os/vmem.h"

_Atomic(index_entry *) engine_hints[ENGINE_HINT_SLOTS];
_Atomic(bool)          engine_flip_write_xor_execute;

/* Waiting for a held buffer: SPIN_ROUNDS of 1, 2, 4 ... pause instructions, then YIELD_ROUNDS
 * yields, then (only once no new buffer fits the window) sleeps of SLEEP_US until ENGINE_WAIT_MS. */
enum { SPIN_ROUNDS = 10, YIELD_ROUNDS = 20, SLEEP_US = 1000 };
/* Waiting on the window's hint first (wait_for_hint): up to HINT_WAIT_ROUNDS yields. */
enum { HINT_WAIT_ROUNDS = 16 };

static struct {
    atomic_flag        lock;          /* guards everything below but ready's fast read */
    _Atomic(bool)      ready;
    locator           *first;
    locator_layout     layout;
    bool               layout_chosen_by_call, fork_handler_registered;
    item_index         index;
} engine = {.lock = ATOMIC_FLAG_INIT};

static void engine_lock(void) {
    while (atomic_flag_test_and_set_explicit(&engine.lock, memory_order_acquire)) vmem_yield();
}

static void engine_unlock(void) {
    atomic_flag_clear_explicit(&engine.lock, memory_order_release);
}

/* In a forked child the chain is the parent's: forget it (the finder forgets its pointer too). */
static void forget_after_fork(void) {
    for (uint32_t i = 0; i < ENGINE_HINT_SLOTS; i++) atomic_store_explicit(&engine_hints[i], NULL, memory_order_relaxed);
    atomic_store_explicit(&engine.ready, false, memory_order_relaxed);
    item_index_reset(&engine.index);
    atomic_flag_clear_explicit(&engine.lock, memory_order_relaxed);
}

/* BUFFERS_LOCATOR_LAYOUT=rust|document, unless buffers_use_rust_layout already chose. */
static buffers_status choose_creation_layout(void) {
    if (engine.layout_chosen_by_call) return BUFFERS_OK;
    const char *wanted = getenv("BUFFERS_LOCATOR_LAYOUT");
    if (!wanted || !*wanted || strcmp(wanted, "document") == 0) return BUFFERS_OK;
    if (strcmp(wanted, "rust") != 0)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "BUFFERS_LOCATOR_LAYOUT is '%s'; expected 'rust' or 'document'",
                          wanted);
    locator_set_creation_layout(LOCATOR_LAYOUT_RUST);
    return BUFFERS_OK;
}

/* Finds the chain and settles its layout: the one its items show, else the creation layout. */
static buffers_status build(void) {
    buffers_status status = choose_creation_layout();
    if (status != BUFFERS_OK) return status;
    locator *first;
    if ((status = finder_locator(&first)) != BUFFERS_OK) return status;
    char which[48];
    snprintf(which, sizeof which, "the locator at %#llx", (unsigned long long)(uintptr_t)first);
    if ((status = chain_settle_layout(first, locator_creation_layout(), which, &engine.layout)) != BUFFERS_OK)
        return status;
    if (!engine.fork_handler_registered) {
        vmem_on_fork_child(forget_after_fork);
        engine.fork_handler_registered = true;
    }
    engine.first = first;
    item_index_reset(&engine.index);
    atomic_store_explicit(&engine_flip_write_xor_execute, vmem_write_xor_execute(), memory_order_relaxed);
    atomic_store_explicit(&engine.ready, true, memory_order_release);
    return BUFFERS_OK;
}

static buffers_status ensure_ready(void) {
    if (atomic_load_explicit(&engine.ready, memory_order_acquire)) return BUFFERS_OK;
    engine_lock();
    buffers_status status = atomic_load_explicit(&engine.ready, memory_order_relaxed) ? BUFFERS_OK : build();
    engine_unlock();
    return status;
}

buffers_status engine_chain(locator **first, locator_layout *layout) {
    buffers_status status = ensure_ready();
    if (status != BUFFERS_OK) return status;
    *first = engine.first;
    *layout = engine.layout;
    return BUFFERS_OK;
}

buffers_status engine_first_locator(locator **first) {
    if (atomic_load_explicit(&engine.ready, memory_order_acquire)) {
        *first = engine.first;
        return BUFFERS_OK;
    }
    engine_lock();
    buffers_status status = choose_creation_layout();
    if (status == BUFFERS_OK) status = finder_locator(first);
    engine_unlock();
    return status;
}

buffers_status engine_use_rust_layout(void) {
    engine_lock();
    if (!atomic_load_explicit(&engine.ready, memory_order_relaxed)) {
        engine.layout_chosen_by_call = true;
        locator_set_creation_layout(LOCATOR_LAYOUT_RUST);
    }
    engine_unlock();
    locator *first;
    locator_layout layout;
    buffers_status status = engine_chain(&first, &layout);
    if (status != BUFFERS_OK || layout == LOCATOR_LAYOUT_RUST) return status;
    return errors_set(BUFFERS_ERROR_LOCATOR, "the locator at %#llx already exists in the document's item layout; "
                      "choose Rust's before the first use (or set BUFFERS_LOCATOR_LAYOUT=rust for every copy)",
                      (unsigned long long)(uintptr_t)first);
}

static void pause_cpu(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void back_off(uint32_t round) {
    if (round < SPIN_ROUNDS)
        for (uint32_t i = 0; i < (1u << round); i++) pause_cpu();
    else if (round < SPIN_ROUNDS + YIELD_ROUNDS)
        vmem_yield();
    else
        vmem_sleep_microseconds(SLEEP_US);
}

/* Index refreshed, then one look (the open list, or every entry), under the engine lock. */
static buffers_status look(bool every_entry, uint32_t need, uintptr_t min, uintptr_t max, index_scan *scan,
                           index_entry **out) {
    engine_lock();
    buffers_status status = item_index_refresh(&engine.index, engine.first, engine.layout, NULL);
    *scan = status == BUFFERS_OK ? item_index_scan(&engine.index, every_entry, need, min, max, out) : INDEX_SCAN_NONE;
    engine_unlock();
    return status;
}

/* A new buffer for the window, registered at the chain's tail and locked. */
static buffers_status make_buffer(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out) {
    buffers_allocator_settings request = allocator_settings_default();
    request.min_address = min;
    request.max_address = max;
    request.size = need;
    allocator_result reserved;
    buffers_status status = allocator_reserve(&request, &reserved);
    if (status != BUFFERS_OK) return status;
    engine_lock();
    locator *start = engine.index.tail ? engine.index.tail : engine.first;
    locator_item *item;
    status = chain_register_locked(start, engine.layout, reserved.base_address, (uint32_t)reserved.size, &item);
    /* Our own reservation needs no look at the memory map, if the file still says what we wrote. */
    index_trust trust = {item, reserved.base_address, (uint32_t)reserved.size};
    if (status == BUFFERS_OK &&
        (status = item_index_refresh(&engine.index, engine.first, engine.layout, &trust)) == BUFFERS_OK)
        *out = item_index_find_item(&engine.index, item);
    engine_unlock();
    if (status == BUFFERS_OK && !*out)
        status = errors_set(BUFFERS_ERROR_LOCATOR, "the buffer registered at %#llx is missing from the index",
                            (unsigned long long)reserved.base_address);
    if (status != BUFFERS_OK) vmem_release(0, reserved.base_address, reserved.size);
    return status;
}

/* A failed request names a registered buffer of the window that was refused (not buffer memory). */
static buffers_status name_refusal(buffers_status status, uint32_t need, uintptr_t min, uintptr_t max) {
    engine_lock();
    const index_refusal *refusal = item_index_refusal_in(&engine.index, need, min, max);
    if (refusal)
        errors_append("the locator lists a buffer of %u bytes at %#llx, not used: it is %s", (unsigned)refusal->size,
                      (unsigned long long)refusal->base, refusal->why);
    engine_unlock();
    return status;
}

/* Contention: the window's hint still fits but another user holds it. Watch its taken word (a load,
 * then a yield between looks) and take it as soon as it reads free, before the engine's lock,
 * refresh and scan, which every waiter would otherwise queue on. Yielding at once beat spinning
 * first: with more threads than cores, a pause spends the core the holder or another thread
 * could use (docs/benchmarks.md, "Contention"). False once the hint no longer fits or stays held
 * through HINT_WAIT_ROUNDS: the look through the index decides then. */
static bool wait_for_hint(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out) {
    _Atomic(index_entry *) *slot = &engine_hints[engine_hint_slot(min, max)];
    for (uint32_t round = 0; round < HINT_WAIT_ROUNDS; round++) {
        index_entry *entry = atomic_load_explicit(slot, memory_order_acquire);
        if (!entry || !index_entry_fits(entry, need, min, max)) return false;
        if (!atomic_load_explicit(entry->taken, memory_order_relaxed) && index_entry_try_lock(entry, need, min, max)) {
            *out = entry;
            return true;
        }
        vmem_yield();
    }
    return false;
}

static buffers_status get_slow(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out);

buffers_status engine_get_slow(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out) {
    if (atomic_load_explicit(&engine.ready, memory_order_acquire) && wait_for_hint(min, max, need, out))
        return BUFFERS_OK;
    buffers_status status = get_slow(min, max, need, out);
    return status == BUFFERS_OK ? status : name_refusal(status, need, min, max);
}

static buffers_status get_slow(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out) {
    buffers_status status = ensure_ready();
    if (status != BUFFERS_OK) return status;
    const uint32_t last_round = SPIN_ROUNDS + YIELD_ROUNDS + ENGINE_WAIT_MS * 1000u / SLEEP_US;
    bool no_room = false;   /* the allocator found no room for a new buffer in the window */
    for (uint32_t round = 0;; round++) {
        index_scan scan;
        if ((status = look(no_room, need, min, max, &scan, out)) != BUFFERS_OK) return status;
        if (scan == INDEX_SCAN_LOCKED) break;
        bool waiting = scan == INDEX_SCAN_ONLY_TAKEN && round < last_round;
        if (waiting && (no_room || round < SPIN_ROUNDS + YIELD_ROUNDS)) {
            back_off(round);
            continue;
        }
        if (no_room) {
            if (scan == INDEX_SCAN_NONE) return BUFFERS_ERROR_NO_SPACE;   /* the allocator's text stands */
            return errors_set(BUFFERS_ERROR_NO_SPACE, "the only buffers in [%#llx, %#llx] with %u bytes free stayed "
                              "held by other users for %u ms, and no new buffer fits", (unsigned long long)min,
                              (unsigned long long)max, (unsigned)need, ENGINE_WAIT_MS);
        }
        if ((status = make_buffer(min, max, need, out)) == BUFFERS_OK) break;
        if (status != BUFFERS_ERROR_NO_SPACE) return status;
        no_room = true;
        if (round < SPIN_ROUNDS + YIELD_ROUNDS) round = SPIN_ROUNDS + YIELD_ROUNDS;
    }
    atomic_store_explicit(&engine_hints[engine_hint_slot(min, max)], *out, memory_order_release);
    return BUFFERS_OK;
}
