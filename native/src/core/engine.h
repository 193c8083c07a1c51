/* The lookup engine: this process's view of the shared locator chain (its layout and an index of
 * its items) and the two paths of a request.
 *
 * Hot path (inline, engine_hint_lock): a small table keyed by the request's window remembers the
 * entry that served it last; one load of its position, one compare-and-swap of its taken word, a
 * second look at the position. No call, no scan, the layout already resolved in the entry.
 *
 * Cold path (out of line, engine_get_slow): refresh the index with items registered since, look
 * through the entries that may still have room, wait for a fitting buffer another user holds
 * (bounded: spin, yield, sleep; ENGINE_WAIT_MS), make a new buffer registered at the chain's tail,
 * and, before answering NO_SPACE, look through every entry. */
#ifndef BUFFERS_ENGINE_H
#define BUFFERS_ENGINE_H

#include "core/checks.h"
#include "core/item_index.h"
#include "os/vmem.h"

#define ENGINE_HINT_SLOTS 256u
#define ENGINE_WAIT_MS    1000u   /* longest wait for a held buffer when no new one fits (buffers.h) */

extern _Atomic(index_entry *) engine_hints[ENGINE_HINT_SLOTS];
extern _Atomic(bool)          engine_flip_write_xor_execute;

static inline uint32_t engine_hint_slot(uintptr_t min, uintptr_t max) {
    return ((uint32_t)((min ^ (max << 7)) >> 12) * 0x9E3779B1u) >> 24;   /* top 8 bits: 256 slots */
}

/* What a get stores in the entry's held word (the inline append and release of buffers.h read it):
 * INLINE where a write is a plain store, CALL where only the library may write (pages flipped
 * around each write), and CALL again once a reservation is made (its release must forget it). */
#define ENGINE_HELD_INLINE 1u
#define ENGINE_HELD_CALL   2u

/* Whether writes flip pages writable around each copy: a constant false where the OS layer never
 * does (VMEM_MAY_FLIP), else the mode settled at the engine's first use. */
static inline bool engine_flips(void) {
    return VMEM_MAY_FLIP && atomic_load_explicit(&engine_flip_write_xor_execute, memory_order_relaxed);
}

static inline uint32_t engine_held_mark(void) {
    return engine_flips() ? ENGINE_HELD_CALL : ENGINE_HELD_INLINE;
}

/* An entry locked by the hot path, its fields in locals (entries never change once published). */
typedef struct hot_item {
    index_entry       *entry;
    _Atomic(uint32_t) *taken, *position;
    uintptr_t          at;         /* base + position: where the next bytes go */
    uint32_t           offset;     /* the position, read under the lock */
} hot_item;

/* Locks the entry that last served this window if it still fits; false otherwise. Once locked the
 * position is read again: a holder may have appended, or given a reservation back
 * (buffers_item_unreserve, so the position can move down), between the first look and the lock. */
static inline bool engine_hint_lock(uintptr_t min, uintptr_t max, uint64_t need, hot_item *out) {
    index_entry *entry = atomic_load_explicit(&engine_hints[engine_hint_slot(min, max)], memory_order_acquire);
    if (!entry || entry->last > max) return false;
    uint32_t at = atomic_load_explicit(entry->position, memory_order_relaxed);
    uint64_t end = (uint64_t)at + need;   /* need may be any size_t (buffers_write): a wrap fails too */
    if (end < need || end > entry->size || entry->base + at < min) return false;
    uint32_t expected = 0;
    if (!atomic_compare_exchange_strong_explicit(entry->taken, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        return false;
    /* Unchanged since the first look: both checks still hold. Moved (another holder appended or gave
     * bytes back in between, a race of a few instructions): the slow path looks again. Comparing
     * the one word keeps min and need out of registers past the lock. */
    if (BUFFERS_UNLIKELY(atomic_load_explicit(entry->position, memory_order_relaxed) != at)) {
        atomic_store_explicit(entry->taken, 0, memory_order_release);
        return false;
    }
    *out = (hot_item){entry, entry->taken, entry->position, entry->base + at, at};
    return true;
}

/* Any request the hint could not serve. need >= 1 and min <= max (checked by the caller). On
 * success *out is locked and remembered as the window's hint. */
buffers_status engine_get_slow(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out);

/* This process's chain (found or created on first use) and its layout. */
buffers_status engine_chain(locator **first, locator_layout *layout);

/* Only the chain's first locator (found or created in the creation layout), reading nothing in it. */
buffers_status engine_first_locator(locator **first);

/* Write-xor-execute buffers for this copy of the library: before its first use (or with
 * BUFFERS_WRITE_XOR_EXECUTE=1); BUFFERS_ERROR_LOCATOR once it uses the ordinary chain,
 * BUFFERS_ERROR_UNSUPPORTED where this build cannot make them. */
buffers_status engine_use_write_xor_execute(void);

/* True once this copy uses the write-xor-execute chain (its buffers written through a second view). */
bool engine_dual(void);

/* "" in the ordinary mode (or before the first use); else why this copy's buffers are write-xor-execute. */
const char *engine_write_xor_execute_reason(void);

/* The verified entry whose buffer holds [address, address + size) (the index refreshed first);
 * NULL if none. */
index_entry *engine_covering(uintptr_t address, size_t size);

/* Chooses Rust's item layout for locators this library creates, then finds the chain; an error if
 * it already exists in the document's layout. */
buffers_status engine_use_rust_layout(void);

#endif
