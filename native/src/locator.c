#include "locator.h"

#include <string.h>

#include "errors.h"
#include "vmem.h"

static void item_set_base(locator_item *item, uintptr_t base) {
    memcpy(item->base_words, &base, sizeof base);
}

uintptr_t item_base_address(const locator_item *item) {
    uintptr_t base;
    memcpy(&base, item->base_words, sizeof base);
    return base;
}

uint32_t item_bytes_left(const locator_item *item) {
    uint32_t position = atomic_load_explicit(&item->position, memory_order_relaxed);
    return position >= item->size ? 0 : item->size - position;
}

bool item_can_use(const locator_item *item, uint32_t size, uintptr_t min, uintptr_t max) {
    uintptr_t base = item_base_address(item);
    if (base == 0 || item_bytes_left(item) < size) return false;
    uintptr_t free_start = base + atomic_load_explicit(&item->position, memory_order_relaxed);
    uintptr_t end = base > UINTPTR_MAX - item->size ? UINTPTR_MAX : base + item->size;
    return free_start >= min && end <= max;
}

bool item_try_lock(locator_item *item) {
    uint32_t expected = 0;
    return atomic_compare_exchange_strong_explicit(&item->taken, &expected, 1, memory_order_acquire,
                                                   memory_order_relaxed);
}

void item_unlock(locator_item *item) {
    atomic_store_explicit(&item->taken, 0, memory_order_release);
}

bool item_is_taken(const locator_item *item) {
    return atomic_load_explicit(&item->taken, memory_order_relaxed) != 0;
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
    uint32_t count = atomic_load_explicit(&loc->header.item_count, memory_order_acquire);
    return count > LOCATOR_MAX_ITEMS ? (uint32_t)LOCATOR_MAX_ITEMS : count;
}

locator *locator_next(const locator *loc) {
    return (locator *)atomic_load_explicit(&loc->header.next_locator, memory_order_acquire);
}

/* Writes item n (the lock is held by the caller) and publishes the new count. */
static locator_item *append_item(locator *loc, uint32_t n, uintptr_t base, uint32_t size, bool locked) {
    locator_item *item = &loc->items[n];
    item_set_base(item, base);
    item->size = size;
    atomic_store_explicit(&item->position, 0, memory_order_relaxed);
    atomic_store_explicit(&item->taken, locked ? 1u : 0u, memory_order_relaxed);
    atomic_store_explicit(&loc->header.item_count, (uint8_t)(n + 1), memory_order_release);
    return item;
}

void locator_initialize(locator *loc, uintptr_t this_address, size_t block_size, bool chunks_executable) {
    memset(loc, 0, LOCATOR_SIZE);
    loc->header.this_address = this_address;
    loc->header.flags = LOCATOR_VERSION;
    if (!chunks_executable) return;
    uint32_t n = 0;
    for (size_t offset = LOCATOR_SIZE; offset < block_size && n < LOCATOR_MAX_ITEMS; offset += LOCATOR_CHUNK_SIZE) {
        size_t left = block_size - offset;
        uint32_t size = (uint32_t)(left < LOCATOR_CHUNK_SIZE ? left : LOCATOR_CHUNK_SIZE);
        append_item(loc, n++, (uintptr_t)loc + offset, size, false);
    }
}

locator_item *locator_find_locked(locator *first, uint32_t size, uintptr_t min, uintptr_t max) {
    for (locator *loc = first; loc; loc = locator_next(loc)) {
        uint32_t count = locator_item_count(loc);
        for (uint32_t i = 0; i < count; i++) {
            locator_item *item = &loc->items[i];
            if (!item_can_use(item, size, min, max) || !item_try_lock(item)) continue;
            /* Another holder may have appended between the check and the lock. */
            if (item_can_use(item, size, min, max)) return item;
            item_unlock(item);
        }
    }
    return NULL;
}

/* The next locator of loc (whose lock the caller holds), made if there is none. */
static buffers_status ensure_next(locator *loc, locator **out) {
    locator *next = locator_next(loc);
    if (!next) {
        size_t block = vmem_allocation_granularity();
        if (block < LOCATOR_SIZE) block = LOCATOR_SIZE;
        uintptr_t address = 0;
        int error = vmem_reserve_anywhere(block, &address);
        if (error) {
            char text[128];
            return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "could not reserve %zu bytes for a further locator: %s",
                              block, vmem_error_text(error, text, sizeof text));
        }
        next = (locator *)address;
        locator_initialize(next, address, block, true);
        atomic_store_explicit(&loc->header.next_locator, address, memory_order_release);
    }
    *out = next;
    return BUFFERS_OK;
}

buffers_status locator_register_locked(locator *first, uintptr_t base, uint32_t size, locator_item **out) {
    locator *loc = first;
    for (;;) {
        locator_lock(loc);
        uint32_t count = locator_item_count(loc);
        if (count < LOCATOR_MAX_ITEMS) {
            *out = append_item(loc, count, base, size, true);
            locator_unlock(loc);
            return BUFFERS_OK;
        }
        locator *next;
        buffers_status status = ensure_next(loc, &next);
        locator_unlock(loc);
        if (status != BUFFERS_OK) return status;
        loc = next;
    }
}

void locator_for_each_item(const locator *first, locator_item_fn fn, void *context) {
    for (const locator *loc = first; loc; loc = locator_next(loc)) {
        uint32_t count = locator_item_count(loc);
        for (uint32_t i = 0; i < count; i++)
            if (fn(loc, &loc->items[i], context)) return;
    }
}
