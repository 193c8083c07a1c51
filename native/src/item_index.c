#include "item_index.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"

void item_index_reset(item_index *index) {
    atomic_store_explicit(&index->count, 0, memory_order_relaxed);
    index->tail = NULL;
    index->tail_items = 0;
    index->open_count = 0;
}

static buffers_status open_push(item_index *index, uint32_t n) {
    if (index->open_count == index->open_capacity) {
        uint32_t capacity = index->open_capacity ? index->open_capacity * 2 : 64;
        uint32_t *grown = realloc(index->open, capacity * sizeof *grown);
        if (!grown) return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "cannot grow the buffer index's open list");
        index->open = grown;
        index->open_capacity = capacity;
    }
    index->open[index->open_count++] = n;
    return BUFFERS_OK;
}

static buffers_status add_entry(item_index *index, locator_item *item, locator_layout layout) {
    uint32_t n = atomic_load_explicit(&index->count, memory_order_relaxed);
    uint32_t chunk_number = n / INDEX_CHUNK_ENTRIES;
    if (chunk_number >= INDEX_MAX_CHUNKS)
        return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "the buffer index is full (%u buffers)", (unsigned)n);
    index_entry *chunk = atomic_load_explicit(&index->chunks[chunk_number], memory_order_relaxed);
    if (!chunk) {
        chunk = calloc(INDEX_CHUNK_ENTRIES, sizeof *chunk);
        if (!chunk) return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "cannot grow the buffer index");
        atomic_store_explicit(&index->chunks[chunk_number], chunk, memory_order_release);
    }
    item_view view = item_read(item, layout);
    index_entry *entry = &chunk[n % INDEX_CHUNK_ENTRIES];
    entry->base = view.base;
    entry->size = view.base ? view.size : 0;
    entry->last = view.size == 0 ? view.base
                  : view.base > UINTPTR_MAX - (view.size - 1) ? UINTPTR_MAX : view.base + (view.size - 1);
    entry->taken = item_field(item, layout, ITEM_TAKEN);
    entry->position = item_field(item, layout, ITEM_POSITION);
    entry->item = item;
    if (index_entry_left(entry) >= INDEX_LOW_WATER) {
        buffers_status status = open_push(index, n);
        if (status != BUFFERS_OK) return status;
    }
    atomic_store_explicit(&index->count, n + 1, memory_order_release);
    return BUFFERS_OK;
}

buffers_status item_index_refresh(item_index *index, locator *first, locator_layout layout) {
    if (!index->tail) {
        index->tail = first;
        index->tail_items = 0;
    }
    for (;;) {
        uint32_t count = locator_item_count(index->tail);
        for (; index->tail_items < count; index->tail_items++) {
            buffers_status status = add_entry(index, &index->tail->items[index->tail_items], layout);
            if (status != BUFFERS_OK) return status;
        }
        locator *next = count == LOCATOR_MAX_ITEMS ? locator_next(index->tail) : NULL;
        if (!next) return BUFFERS_OK;
        index->tail = next;
        index->tail_items = 0;
    }
}

index_entry *item_index_find_item(const item_index *index, const locator_item *item) {
    for (uint32_t n = atomic_load_explicit(&index->count, memory_order_acquire); n-- > 0;) {
        index_entry *entry = item_index_at(index, n);
        if (entry->item == item) return entry;
    }
    return NULL;
}

/* Tries entry for the request; true if it is now locked, else *held says whether it fits but
 * another user holds it. A taken word above 1 is no lock at all but another layout's field (an
 * item written later by a copy in the other layout): never waited for, never written. */
static bool try_entry(index_entry *entry, uint32_t need, uintptr_t min, uintptr_t max, bool *held) {
    *held = false;
    if (!index_entry_fits(entry, need, min, max)) return false;
    if (index_entry_try_lock(entry, need, min, max)) return true;
    *held = atomic_load_explicit(entry->taken, memory_order_relaxed) == 1;
    return false;
}

index_scan item_index_scan(item_index *index, bool every_entry, uint32_t need, uintptr_t min, uintptr_t max,
                           index_entry **out) {
    index_scan seen = INDEX_SCAN_NONE;
    bool held;
    if (every_entry) {
        uint32_t count = atomic_load_explicit(&index->count, memory_order_acquire);
        for (uint32_t n = 0; n < count; n++) {
            index_entry *entry = item_index_at(index, n);
            if (try_entry(entry, need, min, max, &held)) {
                *out = entry;
                return INDEX_SCAN_LOCKED;
            }
            if (held) seen = INDEX_SCAN_ONLY_TAKEN;
        }
        return seen;
    }
    for (uint32_t i = 0; i < index->open_count;) {
        index_entry *entry = item_index_at(index, index->open[i]);
        bool locked = try_entry(entry, need, min, max, &held);
        if (held) seen = INDEX_SCAN_ONLY_TAKEN;
        if (index_entry_left(entry) < INDEX_LOW_WATER + (locked ? need : 0))
            index->open[i] = index->open[--index->open_count];   /* order does not matter */
        else
            i++;
        if (locked) {
            *out = entry;
            return INDEX_SCAN_LOCKED;
        }
    }
    return seen;
}
