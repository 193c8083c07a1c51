#include "test_shim.h"

#include "allocator.h"
#include "locator.h"
#include "locator_finder.h"

size_t shim_locator_size(void) { return LOCATOR_SIZE; }
size_t shim_max_items(void) { return LOCATOR_MAX_ITEMS; }
size_t shim_header_size(void) { return sizeof(locator_header); }
size_t shim_item_size(void) { return sizeof(locator_item); }

void shim_locator_initialize(void *block, uintptr_t this_address, size_t block_size, bool executable) {
    locator_initialize(block, this_address, block_size, executable);
}

buffers_status shim_locator_register(void *first, uintptr_t base, uint32_t size, void **out_item) {
    locator_item *item = NULL;
    buffers_status status = locator_register_locked(first, base, size, &item);
    *out_item = item;
    return status;
}

void *shim_locator_find(void *first, uint32_t size, uintptr_t min, uintptr_t max) {
    return locator_find_locked(first, size, min, max);
}

unsigned long shim_allocator_walk_count(void) { return allocator_walk_count(); }

void *shim_locator_next(void *loc) { return locator_next(loc); }
void shim_item_unlock(void *item) { item_unlock(item); }

bool shim_item_can_use(const void *item, uint32_t size, uintptr_t min, uintptr_t max) {
    return item_can_use(item, size, min, max);
}

buffers_status shim_finder_open(const char *name, uintptr_t *out_address) {
    locator *found = NULL;
    buffers_status status = finder_open(name, &found);
    *out_address = (uintptr_t)found;
    return status;
}
