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
bool   shim_item_can_use(void *item, uint32_t size, uintptr_t min, uintptr_t max);
/* The same in a chosen item layout (rust: upstream Rust's, else the document's). */
void   shim_locator_initialize_in(void *block, uintptr_t this_address, size_t block_size, bool executable, bool rust);
buffers_status shim_locator_register_in(void *first, bool rust, uintptr_t base, uint32_t size, void **out_item);
void  *shim_locator_find_in(void *first, bool rust, uint32_t size, uintptr_t min, uintptr_t max);
void   shim_item_unlock_in(void *item, bool rust);
/* Makes item the engine's remembered buffer of the window [min, max] (the hot path's hint). */
void   shim_engine_set_hint(uintptr_t min, uintptr_t max, buffers_item *item);
uint32_t shim_locator_item_count(const void *loc);
/* chain_settle_layout with an empty chain taken as when_empty_rust says; *rust is the settled layout. */
buffers_status shim_chain_settle_layout(const void *first, bool when_empty_rust, const char *which, bool *rust);
/* The core's chain walk (chain_find_locked / chain_register_in) over the in-memory chain from first,
 * walked as another process's chain can be: locator i has no view (is passed over, never locked)
 * when bit i of viewless is set, and may not be touched (the walk breaks there) when i == broken_at
 * (-1: never). A full chain is extended with blocks taken from spare (spare_count of them, each
 * 4096 bytes), each made full at once when made_full (others filled it); *made counts them. *index:
 * the locator the walk stopped at (0: the first). */
typedef struct shim_planted_walk {
    uint32_t viewless;
    int      broken_at;
    void   **spare;
    unsigned spare_count, made, after_calls;
    bool     made_full;
    uint32_t index;
} shim_planted_walk;
buffers_status shim_chain_register_planted(void *first, shim_planted_walk *plan, uintptr_t base, uint32_t size,
                                           void **out_item);
buffers_status shim_chain_find_planted(void *first, shim_planted_walk *plan, uint32_t size, uintptr_t min,
                                       uintptr_t max, void **out_item);
bool   shim_locator_version_readable(const void *loc, unsigned *version);
bool   shim_locator_first_name(char *out, size_t size, uint32_t pid);
enum { SHIM_DETECTED_EMPTY, SHIM_DETECTED_DOCUMENT, SHIM_DETECTED_RUST, SHIM_DETECTED_MIXED };
int    shim_detect_layout(const void *loc, uint32_t page_size);
/* A process-local item index (calloc'ed, never freed) over an in-memory chain. Scan results:
 * 0 nothing fits, 1 *out_entry locked, 2 only held entries fit. */
void  *shim_index_create(void);
void   shim_index_destroy(void *index);
buffers_status shim_index_refresh(void *index, void *first, bool rust);
uint32_t shim_index_count(const void *index);
int    shim_index_scan(void *index, bool every_entry, uint32_t need, uintptr_t min, uintptr_t max, void **out_entry);
void  *shim_index_entry_item(const void *entry);
unsigned long shim_allocator_walk_count(void);
/* Opens a locator by name, uncached (for tests with their own names). */
buffers_status shim_finder_open(const char *name, uintptr_t *out_address);

#ifdef __cplusplus
}
#endif

#endif
