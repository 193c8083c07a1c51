#include "core/item_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "os/vmem.h"

void item_index_reset(item_index *index) {
    atomic_store_explicit(&index->count, 0, memory_order_relaxed);
    index->tail = NULL;
    index->tail_items = 0;
    for (uint32_t c = 0; c < INDEX_CLASSES; c++) index->open[c].count = 0;
    index->refused_count = 0;
}

/* floor(log2(left)) for left >= 1. */
static uint32_t size_class(uint32_t left) {
    uint32_t c = 0;
    while (left >>= 1) c++;
    return c;
}

/* Open lists are kept sorted by buffer base, so a request looks only at entries whose base can lie
 * in its window: [min - UINT32_MAX, max] (no buffer is larger than UINT32_MAX bytes). */
static uintptr_t base_of(const item_index *index, uint32_t n) {
    return item_index_at(index, n)->base;
}

/* The first place in list whose entry's base is at or above base. */
static uint32_t lower_bound(const item_index *index, const open_list *list, uintptr_t base) {
    uint32_t low = 0, high = list->count;
    while (low < high) {
        uint32_t middle = low + (high - low) / 2;
        if (base_of(index, list->entries[middle]) < base) low = middle + 1;
        else high = middle;
    }
    return low;
}

static buffers_status open_push(item_index *index, uint32_t n, uint32_t left) {
    open_list *list = &index->open[size_class(left)];
    if (list->count == list->capacity) {
        uint32_t capacity = list->capacity ? list->capacity * 2 : 64;
        uint32_t *grown = realloc(list->entries, capacity * sizeof *grown);
        if (!grown) return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "cannot grow the buffer index's open lists");
        list->entries = grown;
        list->capacity = capacity;
    }
    uint32_t at = lower_bound(index, list, base_of(index, n));
    memmove(&list->entries[at + 1], &list->entries[at], (list->count - at) * sizeof *list->entries);
    list->entries[at] = n;
    list->count++;
    return BUFFERS_OK;
}

static void open_remove(open_list *list, uint32_t at) {
    memmove(&list->entries[at], &list->entries[at + 1], (list->count - at - 1) * sizeof *list->entries);
    list->count--;
}

/* One refresh's view of this process's memory: read when the first item needs it, then reused. */
typedef struct memory_view {
    vmem_memory_map *map;
    int              error;   /* the map could not be read */
} memory_view;

static bool open_map(memory_view *memory, char *why, size_t why_size) {
    if (!memory->map && !memory->error) memory->error = vmem_memory_map_open(&memory->map);
    if (!memory->error) return true;
    char text[96];
    snprintf(why, why_size, "this process's memory map cannot be read: %s", vmem_error_text(memory->error, text, sizeof text));
    return false;
}

static bool check_memory(item_index *index, memory_view *memory, const locator *loc, uintptr_t base, uint32_t size,
                         char *why, size_t why_size) {
    if (index->memory_check) return index->memory_check(loc, base, size, why, why_size);
    if (!open_map(memory, why, why_size)) return false;
    return vmem_is_buffer_memory(memory->map, base, size, (uintptr_t)loc, LOCATOR_SIZE, why, why_size);
}

/* Remembers a refused item (best effort: without memory the refusal is only not named later). */
static void note_refusal(item_index *index, uintptr_t base, uint32_t size, const char *why) {
    if (index->refused_count == index->refused_capacity) {
        uint32_t capacity = index->refused_capacity ? index->refused_capacity * 2 : 8;
        index_refusal *grown = realloc(index->refused, capacity * sizeof *grown);
        if (!grown) return;
        index->refused = grown;
        index->refused_capacity = capacity;
    }
    index_refusal *refusal = &index->refused[index->refused_count++];
    refusal->base = base;
    refusal->size = size;
    snprintf(refusal->why, sizeof refusal->why, "%s", why);
}

/* A write-xor-execute item: its read+execute view checked before its trailer is read, then the
 * writable view the trailer names checked against it (same object, same offsets). */
static bool check_dual(memory_view *memory, uintptr_t base, uint32_t size, uintptr_t *write, char *why,
                       size_t why_size) {
    if (!open_map(memory, why, why_size)) return false;
    if (size > UINT32_MAX - DUAL_TRAILER_SIZE) {
        snprintf(why, why_size, "too large for a write-xor-execute buffer");
        return false;
    }
    uint32_t whole = size + DUAL_TRAILER_SIZE;
    if (!vmem_is_dual_buffer_memory(memory->map, base, 0, whole, why, why_size)) return false;
    dual_trailer trailer;
    memcpy(&trailer, (const void *)(base + size), sizeof trailer);
    if (trailer.magic != DUAL_TRAILER_MAGIC || trailer.write == 0 || (uint64_t)(uintptr_t)trailer.write != trailer.write) {
        snprintf(why, why_size, "a read+execute view without this library's trailer past its size");
        return false;
    }
    *write = (uintptr_t)trailer.write;
    return vmem_is_dual_buffer_memory(memory->map, base, *write, whole, why, why_size);
}

/* The size an entry may use: the item's, once its memory passed the check (or trust vouches); and
 * where a dual chain's entry is written. */
static uint32_t usable_size(item_index *index, memory_view *memory, const locator *loc, const locator_item *item,
                            const item_view *view, const index_trust *trust, intptr_t *write_delta) {
    *write_delta = 0;
    if (!view->base || !view->size) return 0;
    uintptr_t write = view->base;
    char why[112];
    bool usable;
    if (trust && trust->item == item && trust->base == view->base && trust->size == view->size) {
        usable = true;
        if (index->dual) write = trust->write;
    } else if (index->dual && !index->memory_check) {
        usable = check_dual(memory, view->base, view->size, &write, why, sizeof why);
    } else {
        usable = check_memory(index, memory, loc, view->base, view->size, why, sizeof why);
    }
    if (!usable) {
        note_refusal(index, view->base, view->size, why);
        return 0;
    }
    *write_delta = (intptr_t)(write - view->base);
    return view->size;
}

static buffers_status add_entry(item_index *index, memory_view *memory, locator *loc, locator_item *item,
                                locator_layout layout, const index_trust *trust) {
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
    /* Base and size are read once, here, and never again from the file. */
    item_view view = item_read(item, layout);
    index_entry *entry = &chunk[n % INDEX_CHUNK_ENTRIES];
    entry->base = view.base;
    entry->size = usable_size(index, memory, loc, item, &view, trust, &entry->write_delta);
    entry->last = view.size == 0 ? view.base
                  : view.base > UINTPTR_MAX - (view.size - 1) ? UINTPTR_MAX : view.base + (view.size - 1);
    entry->taken = item_field(item, layout, ITEM_TAKEN);
    entry->position = item_field(item, layout, ITEM_POSITION);
    entry->item = item;
    atomic_store_explicit(&entry->held, 0, memory_order_relaxed);   /* a reused entry (after a fork) */
    uint32_t left = index_entry_left(entry);
    if (left >= INDEX_LOW_WATER) {
        buffers_status status = open_push(index, n, left);
        if (status != BUFFERS_OK) return status;
    }
    atomic_store_explicit(&index->count, n + 1, memory_order_release);
    return BUFFERS_OK;
}

static buffers_status refresh_with(item_index *index, memory_view *memory, locator_layout layout,
                                   const index_trust *trust) {
    for (;;) {
        uint32_t count = locator_item_count(index->tail);
        for (; index->tail_items < count; index->tail_items++) {
            buffers_status status = add_entry(index, memory, index->tail, &index->tail->items[index->tail_items], layout,
                                              trust);
            if (status != BUFFERS_OK) return status;
        }
        locator *next = count == LOCATOR_MAX_ITEMS ? locator_next(index->tail) : NULL;
        if (!next) return BUFFERS_OK;
        index->tail = next;
        index->tail_items = 0;
    }
}

buffers_status item_index_refresh(item_index *index, locator *first, locator_layout layout,
                                  const index_trust *trust) {
    if (!index->tail) {
        index->tail = first;
        index->tail_items = 0;
    }
    memory_view memory = {NULL, 0};
    buffers_status status = refresh_with(index, &memory, layout, trust);
    vmem_memory_map_close(memory.map);
    return status;
}

index_entry *item_index_covering(const item_index *index, uintptr_t address, size_t size) {
    uint32_t count = atomic_load_explicit(&index->count, memory_order_acquire);
    for (uint32_t n = 0; n < count; n++) {
        index_entry *entry = item_index_at(index, n);
        if (entry->size && address >= entry->base && address - entry->base <= entry->size &&
            size <= entry->size - (address - entry->base))
            return entry;
    }
    return NULL;
}

const index_refusal *item_index_refusal_in(const item_index *index, uint32_t need, uintptr_t min, uintptr_t max) {
    for (uint32_t i = 0; i < index->refused_count; i++) {
        const index_refusal *refusal = &index->refused[i];
        uintptr_t last = refusal->base > UINTPTR_MAX - (refusal->size - 1) ? UINTPTR_MAX
                                                                           : refusal->base + (refusal->size - 1);
        if (refusal->size >= need && last <= max && last - (need - 1) >= min) return refusal;
    }
    return NULL;
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
    /* 0 here means the holder released it since the compare-and-swap: still worth waiting for. */
    *held = atomic_load_explicit(entry->taken, memory_order_relaxed) <= 1;
    return false;
}

/* Looks through the part of open list c that can lie in [min, max]; entries that have fewer than
 * 2^c bytes left move to their class now (a lower one, already looked through) or drop out. */
static index_scan scan_class(item_index *index, uint32_t c, uint32_t need, uintptr_t min, uintptr_t max,
                             index_entry **out) {
    open_list *list = &index->open[c];
    index_scan seen = INDEX_SCAN_NONE;
    uintptr_t lowest = min > UINT32_MAX ? min - UINT32_MAX : 0;
    for (uint32_t i = lower_bound(index, list, lowest); i < list->count;) {
        uint32_t n = list->entries[i];
        index_entry *entry = item_index_at(index, n);
        if (entry->base > max) break;
        bool held, locked = try_entry(entry, need, min, max, &held);
        if (held) seen = INDEX_SCAN_ONLY_TAKEN;
        uint32_t left = index_entry_left(entry);
        if (locked) left = left > need ? left - need : 0;   /* what the caller will leave */
        if (left < (1u << c)) {
            open_remove(list, i);
            if (left >= INDEX_LOW_WATER) (void)open_push(index, n, left);   /* on failure: left to the full scan */
        } else {
            i++;
        }
        if (locked) {
            *out = entry;
            return INDEX_SCAN_LOCKED;
        }
    }
    return seen;
}

index_scan item_index_scan(item_index *index, bool every_entry, uint32_t need, uintptr_t min, uintptr_t max,
                           index_entry **out) {
    index_scan seen = INDEX_SCAN_NONE;
    if (every_entry) {
        bool held;
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
    for (uint32_t c = size_class(need); c < INDEX_CLASSES; c++) {
        index_scan result = scan_class(index, c, need, min, max, out);
        if (result == INDEX_SCAN_LOCKED) return result;
        if (result == INDEX_SCAN_ONLY_TAKEN) seen = result;
    }
    return seen;
}
