#include "core/locator.h"

#include <stdio.h>
#include <string.h>

#include "os/vmem.h"

static _Atomic(int) creation_layout = LOCATOR_LAYOUT_DOCUMENT;

void locator_set_creation_layout(locator_layout layout) {
    atomic_store_explicit(&creation_layout, (int)layout, memory_order_relaxed);
}

locator_layout locator_creation_layout(void) {
    return (locator_layout)atomic_load_explicit(&creation_layout, memory_order_relaxed);
}

/* The word at item offset 8 (32-bit: 4) is "taken" (0 or 1) in the document's layout and the size
 * (at least a page: buffers are whole pages) in Rust's. */
locator_detected locator_detect_layout(const locator *loc, uint32_t page_size) {
    uint32_t count = locator_item_count(loc), document = 0, rust = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t word = atomic_load_explicit(&loc->items[i].words[0], memory_order_relaxed);
        if (word <= 1) document++;
        else if (word >= page_size) rust++;
    }
    if (count == 0) return LOCATOR_DETECTED_EMPTY;
    if (document == count) return LOCATOR_DETECTED_DOCUMENT;
    if (rust == count) return LOCATOR_DETECTED_RUST;
    return LOCATOR_DETECTED_MIXED;
}

static void item_set_base(locator_item *item, uintptr_t base) {
    memcpy(item->base_words, &base, sizeof base);
}

uintptr_t item_base_address(const locator_item *item) {
    uintptr_t base;
    memcpy(&base, item->base_words, sizeof base);
    return base;
}

item_view item_read(locator_item *item, locator_layout layout) {
    item_view view;
    view.base = item_base_address(item);
    view.size = atomic_load_explicit(item_field(item, layout, ITEM_SIZE), memory_order_relaxed);
    view.position = atomic_load_explicit(item_field(item, layout, ITEM_POSITION), memory_order_relaxed);
    view.taken = atomic_load_explicit(item_field(item, layout, ITEM_TAKEN), memory_order_relaxed) != 0;
    return view;
}

bool item_view_can_use(const item_view *view, uint32_t size, uintptr_t min, uintptr_t max) {
    if (view->base == 0 || view->position > view->size || view->size - view->position < size) return false;
    /* The whole buffer lies in [min, max] (inclusive): its last byte is at or below max. */
    uintptr_t last = view->base > UINTPTR_MAX - (view->size - 1) ? UINTPTR_MAX : view->base + (view->size - 1);
    return view->base + view->position >= min && last <= max;
}

bool item_try_lock(locator_item *item, locator_layout layout) {
    uint32_t expected = 0;
    return atomic_compare_exchange_strong_explicit(item_field(item, layout, ITEM_TAKEN), &expected, 1,
                                                   memory_order_acquire, memory_order_relaxed);
}

void item_unlock(locator_item *item, locator_layout layout) {
    atomic_store_explicit(item_field(item, layout, ITEM_TAKEN), 0, memory_order_release);
}

void locator_lock(locator *loc) {
    for (;;) {
        uint32_t expected = 0;
        if (atomic_compare_exchange_weak_explicit(&loc->header.lock, &expected, 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return;
        vmem_yield();
    }
}

void locator_unlock(locator *loc) {
    atomic_store_explicit(&loc->header.lock, 0, memory_order_release);
}

uint32_t locator_item_count(const locator *loc) {
    uint32_t ours = atomic_load_explicit(&loc->header.item_count, memory_order_acquire);
    uint32_t csharp = atomic_load_explicit(&loc->header.item_count_at_23, memory_order_acquire);
    uint32_t count = ours > csharp ? ours : csharp;
    return count > LOCATOR_MAX_ITEMS ? (uint32_t)LOCATOR_MAX_ITEMS : count;
}

locator *locator_next(const locator *loc) {
    return (locator *)atomic_load_explicit(&loc->header.next_locator, memory_order_acquire);
}

/* Writes item n (the lock is held by the caller) and publishes the new count at 21 and 23. */
static locator_item *append_item(locator *loc, locator_layout layout, uint32_t n, uintptr_t base, uint32_t size,
                                 bool locked) {
    locator_item *item = &loc->items[n];
    item_set_base(item, base);
    atomic_store_explicit(item_field(item, layout, ITEM_SIZE), size, memory_order_relaxed);
    atomic_store_explicit(item_field(item, layout, ITEM_POSITION), 0, memory_order_relaxed);
    atomic_store_explicit(item_field(item, layout, ITEM_TAKEN), locked ? 1u : 0u, memory_order_relaxed);
    atomic_store_explicit(&loc->header.item_count, (uint8_t)(n + 1), memory_order_release);
    atomic_store_explicit(&loc->header.item_count_at_23, (uint8_t)(n + 1), memory_order_release);
    return item;
}

void locator_initialize(locator *loc, uintptr_t this_address, size_t block_size, bool chunks_executable) {
    locator_initialize_in(loc, this_address, block_size, chunks_executable, locator_creation_layout());
}

void locator_initialize_in(locator *loc, uintptr_t this_address, size_t block_size, bool chunks_executable,
                           locator_layout layout) {
    memset(loc, 0, LOCATOR_SIZE);
    loc->header.this_address = this_address;
    loc->header.flags = LOCATOR_VERSION;
    if (!chunks_executable) return;
    uint32_t n = 0;
    for (size_t offset = LOCATOR_SIZE; offset < block_size && n < LOCATOR_MAX_ITEMS; offset += LOCATOR_CHUNK_SIZE) {
        size_t left = block_size - offset;
        uint32_t size = (uint32_t)(left < LOCATOR_CHUNK_SIZE ? left : LOCATOR_CHUNK_SIZE);
        append_item(loc, layout, n++, (uintptr_t)loc + offset, size, false);
    }
}

locator_item *locator_find_locked_here(locator *loc, locator_layout layout, uint32_t size, uintptr_t min,
                                       uintptr_t max) {
    uint32_t count = locator_item_count(loc);
    for (uint32_t i = 0; i < count; i++) {
        locator_item *item = &loc->items[i];
        item_view view = item_read(item, layout);
        if (!item_view_can_use(&view, size, min, max) || !item_try_lock(item, layout)) continue;
        /* Another holder may have appended between the check and the lock. */
        view = item_read(item, layout);
        if (item_view_can_use(&view, size, min, max)) return item;
        item_unlock(item, layout);
    }
    return NULL;
}

void locator_keep_from_fork(const locator *loc) {
    if (vmem_page_size() <= LOCATOR_SIZE) (void)vmem_exclude_from_fork((uintptr_t)loc, LOCATOR_SIZE);
}

size_t locator_block_size(void) {
    size_t block = vmem_allocation_granularity();
    return block < LOCATOR_SIZE ? LOCATOR_SIZE : block;
}

bool locator_version_readable(const locator *loc, unsigned *version) {
    *version = loc->header.flags & LOCATOR_VERSION_MASK;
    return *version == LOCATOR_VERSION;
}

bool locator_first_name(char *out, size_t size, uint32_t pid) {
    int written = snprintf(out, size, LOCATOR_NAME_PREFIX "%u", (unsigned)pid);
    return written >= 0 && (size_t)written < size;
}

bool locator_dual_first_name(char *out, size_t size, uint32_t pid) {
    int written = snprintf(out, size, LOCATOR_NAME_PREFIX "%u" LOCATOR_DUAL_SUFFIX, (unsigned)pid);
    return written >= 0 && (size_t)written < size;
}

bool locator_further_name(char *out, size_t size, uint32_t pid, uintptr_t previous) {
    int written = snprintf(out, size, LOCATOR_NAME_PREFIX "%u" LOCATOR_FURTHER_INFIX "%llx", (unsigned)pid,
                           (unsigned long long)previous);
    return written >= 0 && (size_t)written < size;
}

locator_item *locator_register_here_locked(locator *loc, locator_layout layout, uintptr_t base, uint32_t size) {
    locator_lock(loc);
    uint32_t count = locator_item_count(loc);
    locator_item *item = count < LOCATOR_MAX_ITEMS ? append_item(loc, layout, count, base, size, true) : NULL;
    locator_unlock(loc);
    return item;
}

void locator_for_each_item(locator *first, locator_layout layout, locator_item_fn fn, void *context) {
    for (locator *loc = first; loc; loc = locator_next(loc)) {
        uint32_t count = locator_item_count(loc);
        for (uint32_t i = 0; i < count; i++) {
            item_view view = item_read(&loc->items[i], layout);
            if (fn(loc, &view, context)) return;
        }
    }
}
