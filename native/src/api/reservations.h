/* The last reservation of each held item (buffers_item_reserve), so that buffers_item_unreserve can
 * prove the bytes are the current holder's last and that the hold has not ended since: release
 * forgets the item's record. A small table probed from a hash of the item; only the item's holder
 * writes its record, so the slots need no lock (claim by compare-and-swap, free by a store). */
#ifndef BUFFERS_API_RESERVATIONS_H
#define BUFFERS_API_RESERVATIONS_H

#include "core/checks.h"
#include "core/item_index.h"

#define RESERVATION_SLOTS 256u
#define RESERVATION_PROBES 4u

typedef struct reservation {
    _Atomic(index_entry *) entry;   /* NULL: free */
    uintptr_t              address;
    uint32_t               start, end;   /* positions before and after the reservation */
} reservation;

extern reservation reservations[RESERVATION_SLOTS];
/* How many slots hold a record: release looks in the table only when some do, so a process that
 * never reserves pays one load per release. A holder's own claim comes before its release on the
 * same thread, so it always sees its own record counted. */
extern _Atomic(uint32_t) reservations_held;

/* Frees a slot that holds a record. */
static inline void reservation_free(reservation *slot) {
    atomic_store_explicit(&slot->entry, NULL, memory_order_release);
    atomic_fetch_sub_explicit(&reservations_held, 1, memory_order_relaxed);
}

static inline uint32_t reservation_slot(const index_entry *entry, uint32_t probe) {
    return ((uint32_t)((uintptr_t)entry >> 4) * 0x9E3779B1u + probe) % RESERVATION_SLOTS;
}

/* Called by the holder on release: the hold ends, so its reservation can no longer be taken back.
 * One load when no item has a record; else RESERVATION_PROBES more. */
static inline void reservation_forget(const index_entry *entry) {
    if (BUFFERS_LIKELY(atomic_load_explicit(&reservations_held, memory_order_relaxed) == 0)) return;
    for (uint32_t probe = 0; probe < RESERVATION_PROBES; probe++) {
        reservation *slot = &reservations[reservation_slot(entry, probe)];
        if (atomic_load_explicit(&slot->entry, memory_order_relaxed) == entry) reservation_free(slot);
    }
}

#endif
