/* The process-local index of a locator chain: one entry per registered item, in chain order, with
 * what the hot path needs and nothing it has to decode. Base and size are copied once (they never
 * change after an item is published); taken and position are pointers into the shared item, so the
 * chain's layout is settled when the entry is made and costs nothing afterwards.
 *
 * It is a hint, never part of the shared format: other copies and other implementations register
 * items at any time (item_index_refresh picks them up) and every entry is checked again under the
 * item's lock before use. Entries never move or die, so a buffers_item handle is an entry.
 *
 * The file is writable by every process of the user, so an item's base and size are claims: an
 * entry is made usable only once its range is found to be buffer memory of this process
 * (vmem_is_buffer_memory), and then its private base and size bound every write into it, whatever
 * the file says later (docs/locator-security.md, "Items are claims"). */
#ifndef BUFFERS_ITEM_INDEX_H
#define BUFFERS_ITEM_INDEX_H

#include "core/locator.h"

typedef struct index_entry {
    uintptr_t          base;
    uintptr_t          last;       /* base + size - 1 (saturated) */
    uint32_t           size;       /* 0 for an item not allocated (base 0): never fits */
    _Atomic(uint32_t) *taken;      /* the shared item's words */
    _Atomic(uint32_t) *position;
    /* (base..position: window layout 1, buffers.h; keep them first and in this order) */
    intptr_t           write_delta;   /* bytes at base + n are written at base + n + write_delta: 0, or
                                         the verified writable view of a write-xor-execute buffer */
    locator_item      *item;
    /* 1 from buffers_get_buffer to buffers_item_release: append checks this private word, not the
     * shared taken word it would otherwise re-read right after the compare-and-swap (that re-read
     * cost a third of the three-call path: docs/benchmarks.md). Not part of the window layout. */
    _Atomic(uint32_t)  held;
} index_entry;

/* A write-xor-execute buffer (a chain made dual) ends in a trailer past the item's size, written
 * once through the writable view before the item is registered: where that view is, for every copy
 * of the library in the process. Believed only once both views are verified (item_index_refresh). */
#define DUAL_TRAILER_MAGIC 0x3178572e7366667bull   /* "{ffs.Wx1" */
typedef struct dual_trailer {
    uint64_t magic;
    uint64_t write;    /* the writable view of the buffer's base */
} dual_trailer;
#define DUAL_TRAILER_SIZE ((uint32_t)sizeof(dual_trailer))

#define INDEX_CHUNK_ENTRIES 256u
#define INDEX_MAX_CHUNKS    4096u   /* 1M buffers; a chain that long is refused, not misread */
/* Entries left with fewer bytes than this leave the open lists (the first place a miss looks); a
 * request only finds them in the last-resort scan of every entry, before answering NO_SPACE. */
#define INDEX_LOW_WATER     64u
#define INDEX_CLASSES       32u   /* open list c: entries last seen with [2^c, 2^(c+1)) bytes left, by base */

/* Says whether [base, base + size), listed by loc, may be written as a buffer; why says why not.
 * NULL in an index: the OS layer's check (vmem_is_buffer_memory). Tests over fake chains set one. */
typedef bool (*index_memory_check)(const locator *loc, uintptr_t base, uint32_t size, char *why, size_t why_size);

/* An item this process registered itself, just now: its memory is known to be ours, so no check,
 * provided the file still says what was written. */
typedef struct index_trust {
    const locator_item *item;
    uintptr_t           base;
    uint32_t            size;
    uintptr_t           write;   /* its writable view in a dual chain, else 0 */
} index_trust;

/* An item found not to be buffer memory: never written, named when a request fails. */
typedef struct index_refusal {
    uintptr_t base;
    uint32_t  size;
    char      why[112];
} index_refusal;

typedef struct open_list {
    uint32_t *entries;             /* entry numbers */
    uint32_t  count, capacity;
} open_list;

typedef struct item_index {
    _Atomic(index_entry *) chunks[INDEX_MAX_CHUNKS];
    _Atomic(uint32_t)      count;          /* entries published */
    /* The rest is changed only under the engine's lock. */
    locator               *tail;           /* last locator read, and how many of its items */
    uint32_t               tail_items;
    open_list              open[INDEX_CLASSES];   /* entries that may have room, by size class */
    index_memory_check     memory_check;
    bool                   dual;           /* a write-xor-execute chain: items end in a dual_trailer */
    index_refusal         *refused;
    uint32_t               refused_count, refused_capacity;
} item_index;

static inline index_entry *item_index_at(const item_index *index, uint32_t n) {
    index_entry *chunk = atomic_load_explicit(&index->chunks[n / INDEX_CHUNK_ENTRIES], memory_order_acquire);
    return &chunk[n % INDEX_CHUNK_ENTRIES];
}

/* Bytes left in entry's buffer as its shared position says now. */
static inline uint32_t index_entry_left(const index_entry *entry) {
    uint32_t position = atomic_load_explicit(entry->position, memory_order_relaxed);
    return position >= entry->size ? 0 : entry->size - position;
}

/* The request fits: need bytes left, free part at or above min, last byte at or below max. */
static inline bool index_entry_fits(const index_entry *entry, uint32_t need, uintptr_t min, uintptr_t max) {
    uint32_t position = atomic_load_explicit(entry->position, memory_order_relaxed);
    return (uint64_t)position + need <= entry->size && entry->base + position >= min && entry->last <= max;
}

/* Locks entry if it still fits once locked; false (and unlocked) otherwise. */
static inline bool index_entry_try_lock(index_entry *entry, uint32_t need, uintptr_t min, uintptr_t max) {
    uint32_t expected = 0;
    if (!atomic_compare_exchange_strong_explicit(entry->taken, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        return false;
    if (index_entry_fits(entry, need, min, max)) return true;
    atomic_store_explicit(entry->taken, 0, memory_order_release);
    return false;
}

/* Forgets everything (after a fork: the chain is another process's); keeps the memory. */
void item_index_reset(item_index *index);

/* Adds the items registered since the last call, from first (the chain's first locator) on, in
 * layout. Reads only new items; checks each new one's memory (one memory map for the lot) unless it
 * is trust's. An item that fails gets an entry that never fits, and a refusal.
 * BUFFERS_ERROR_OUT_OF_MEMORY if the index cannot grow. */
buffers_status item_index_refresh(item_index *index, locator *first, locator_layout layout,
                                  const index_trust *trust);

/* The verified entry whose buffer holds [address, address + size), NULL if none. */
index_entry *item_index_covering(const item_index *index, uintptr_t address, size_t size);

/* A refused item that would have served a request of need bytes in [min, max]; NULL if none. */
const index_refusal *item_index_refusal_in(const item_index *index, uint32_t need, uintptr_t min, uintptr_t max);

/* The entry of item (searched from the newest back: the caller has just registered it); NULL if
 * the index does not have it. */
index_entry *item_index_find_item(const item_index *index, const locator_item *item);

typedef enum index_scan {
    INDEX_SCAN_NONE,          /* nothing fits */
    INDEX_SCAN_LOCKED,        /* *out is locked for the caller */
    INDEX_SCAN_ONLY_TAKEN     /* something fits but is held by another user */
} index_scan;

/* Looks through the open lists whose entries may hold need bytes (moving entries that filled up to
 * their new class, dropping those below INDEX_LOW_WATER) or, with every_entry, the whole index, for
 * an entry that fits, and locks it. Only entries whose base lies in [min - UINT32_MAX, max] are
 * looked at, so roomy buffers far from the window cost nothing. */
index_scan item_index_scan(item_index *index, bool every_entry, uint32_t need, uintptr_t min, uintptr_t max,
                           index_entry **out);

#endif
