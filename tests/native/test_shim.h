/* C entry points into internal modules for the C++ tests: the internal headers use C11 atomics,
 * which C++17 cannot include, so the tests reach them through these plain functions. */
#ifndef BUFFERS_TEST_SHIM_H
#define BUFFERS_TEST_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <reloaded/buffers.h>

#ifdef __cplusplus
extern "C" {
#endif

size_t shim_locator_size(void);
size_t shim_max_items(void);
size_t shim_header_size(void);
size_t shim_item_size(void);
void   shim_locator_initialize(void *block, uintptr_t this_address, size_t block_size, bool executable);
buffers_status shim_locator_register(void *first, uintptr_t base, uint32_t size, void **out_item);
void  *shim_locator_find(void *first, uint32_t size, uintptr_t min, uintptr_t max);
void  *shim_locator_next(void *loc);
void   shim_item_unlock(void *item);
bool   shim_item_can_use(const void *item, uint32_t size, uintptr_t min, uintptr_t max);
unsigned long shim_allocator_walk_count(void);
/* Opens a locator by name, uncached (for tests with their own names). */
buffers_status shim_finder_open(const char *name, uintptr_t *out_address);

#ifdef __cplusplus
}
#endif

#endif
