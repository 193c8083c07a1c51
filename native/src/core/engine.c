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
    bool               mode_chosen, dual_by_call, dual;   /* dual: this copy uses the write-xor-execute chain */
    char               dual_reason[448];                   /* "" in the ordinary mode */
    _Atomic(bool)      reason_published;                   /* dual_reason is written and read without the lock */
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

/* Write-xor-execute when asked (the call, then BUFFERS_WRITE_XOR_EXECUTE=1|0) or when the system
 * refuses writable and executable memory (said once, as this thread's last-error text). Once. */
static buffers_status choose_mode(void) {
    if (engine.mode_chosen) return BUFFERS_OK;
    const char *wanted = getenv("BUFFERS_WRITE_XOR_EXECUTE");
    const char *why = engine.dual_by_call ? "asked for by buffers_use_write_xor_execute()" : NULL;
    if (!why && wanted && *wanted && strcmp(wanted, "0") != 0) {
        if (strcmp(wanted, "1") != 0)
            return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "BUFFERS_WRITE_XOR_EXECUTE is '%s'; expected '1' or '0'",
                              wanted);
        why = "asked for by BUFFERS_WRITE_XOR_EXECUTE=1";
    }
    int refusal = why ? 0 : vmem_rwx_refusal();
    char text[128], because[256];
    if (refusal) {
        snprintf(because, sizeof because, "taken by itself: the system refused a writable and executable mapping (%s; "
                 "a policy such as SELinux execmem, PaX MPROTECT or a seccomp filter)",
                 vmem_error_text(refusal, text, sizeof text));
        why = because;
    }
    if (why && vmem_write_xor_execute()) {
        snprintf(engine.dual_reason, sizeof engine.dual_reason, "write-xor-execute buffers (MAP_JIT pages written "
                 "under this thread's write switch), %s", why);
    } else if (why) {
        if (!vmem_supports_dual())
            return errors_set(BUFFERS_ERROR_UNSUPPORTED, "write-xor-execute buffers (%s) are not made by this build "
                              "for this system (Linux, Windows and Intel macOS make them; docs/hooking.md)", why);
        engine.dual = true;
        snprintf(engine.dual_reason, sizeof engine.dual_reason, "write-xor-execute buffers (read+execute, written "
                 "through a second read+write view), %s", why);
    }
    engine.mode_chosen = true;
    atomic_store_explicit(&engine.reason_published, true, memory_order_release);
    if (refusal) errors_set(BUFFERS_OK, "%s", engine.dual_reason);
    return BUFFERS_OK;
}

/* Finds the chain and settles its layout: the one its items show, else the creation layout. */
static buffers_status build(void) {
    buffers_status status = choose_creation_layout();
    if (status == BUFFERS_OK) status = choose_mode();
    if (status != BUFFERS_OK) return status;
    locator *first;
    if ((status = finder_locator(engine.dual, &first)) != BUFFERS_OK) return status;
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
    engine.index.dual = engine.dual;
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
    if (status == BUFFERS_OK) status = choose_mode();
    if (status == BUFFERS_OK) status = finder_locator(engine.dual, first);
    engine_unlock();
    return status;
}

buffers_status engine_use_write_xor_execute(void) {
    engine_lock();
    if (!engine.mode_chosen) engine.dual_by_call = true;
    buffers_status status = choose_mode();
    if (status != BUFFERS_OK) engine.dual_by_call = false;   /* refused (unsupported): the ordinary mode stays usable */
    bool active = engine.dual_reason[0] != '\0';
    engine_unlock();
    if (status != BUFFERS_OK || active) return status;
    return errors_set(BUFFERS_ERROR_LOCATOR, "this copy of the library already uses read/write/execute buffers; choose "
                      "write-xor-execute before the first use (or set BUFFERS_WRITE_XOR_EXECUTE=1 for every copy)");
}

bool engine_dual(void) {
    engine_lock();
    bool dual = engine.dual;
    engine_unlock();
    return dual;
}

const char *engine_write_xor_execute_reason(void) {
    return atomic_load_explicit(&engine.reason_published, memory_order_acquire) ? engine.dual_reason : "";
}

index_entry *engine_covering(uintptr_t address, size_t size) {
    if (ensure_ready() != BUFFERS_OK) return NULL;
    engine_lock();
    index_entry *entry = item_index_refresh(&engine.index, engine.first, engine.layout, NULL) == BUFFERS_OK
                         ? item_index_covering(&engine.index, address, size) : NULL;
    engine_unlock();
    return entry;
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

/* Reserves a buffer for the window; a write-xor-execute one gets its trailer (where its writable view
 * is) written past the size it will be registered with. */
static buffers_status reserve_buffer(uintptr_t min, uintptr_t max, uint32_t need, allocator_result *reserved,
                                     uint32_t *size) {
    buffers_allocator_settings request = allocator_settings_default();
    request.min_address = min;
    request.max_address = max;
    request.size = need;
    if (!engine.dual) {
        buffers_status status = allocator_reserve(&request, reserved);
        if (status == BUFFERS_OK) *size = (uint32_t)reserved->size;
        return status;
    }
    if (need > UINT32_MAX - DUAL_TRAILER_SIZE)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%u bytes and a write-xor-execute buffer's trailer do not fit "
                          "32 bits", (unsigned)need);
    request.size = need + DUAL_TRAILER_SIZE;
    buffers_status status = allocator_reserve_dual(&request, reserved);
    if (status != BUFFERS_OK) return status;
    *size = (uint32_t)reserved->size - DUAL_TRAILER_SIZE;
    dual_trailer trailer = {DUAL_TRAILER_MAGIC, reserved->write_address};
    memcpy((void *)(reserved->write_address + *size), &trailer, sizeof trailer);
    return BUFFERS_OK;
}

static void release_buffer(const allocator_result *reserved) {
    if (engine.dual) vmem_release_dual(reserved->base_address, reserved->write_address, reserved->size);
    else vmem_release(0, reserved->base_address, reserved->size);
}

/* A new buffer for the window, registered at the chain's tail and locked. */
static buffers_status make_buffer(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out) {
    allocator_result reserved;
    uint32_t size = 0;   /* set by reserve_buffer on success; GCC -O2 cannot see that (quiet build) */
    buffers_status status = reserve_buffer(min, max, need, &reserved, &size);
    if (status != BUFFERS_OK) return status;
    engine_lock();
    locator *start = engine.index.tail ? engine.index.tail : engine.first;
    locator_item *item;
    status = chain_register_locked(start, engine.layout, reserved.base_address, size, &item);
    /* Our own reservation needs no look at the memory map, if the file still says what we wrote. */
    index_trust trust = {item, reserved.base_address, size, reserved.write_address};
    if (status == BUFFERS_OK &&
        (status = item_index_refresh(&engine.index, engine.first, engine.layout, &trust)) == BUFFERS_OK)
        *out = item_index_find_item(&engine.index, item);
    engine_unlock();
    if (status == BUFFERS_OK && !*out)
        status = errors_set(BUFFERS_ERROR_LOCATOR, "the buffer registered at %#llx is missing from the index",
                            (unsigned long long)reserved.base_address);
    if (status != BUFFERS_OK) release_buffer(&reserved);
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
