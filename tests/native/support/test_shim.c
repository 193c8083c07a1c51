#include "test_shim.h"

#include <stdlib.h>

#include "core/allocator.h"
#include "core/chain.h"
#include "core/engine.h"
#include "core/errors.h"
#include "core/item_index.h"
#include "core/locator.h"
#include "core/locator_finder.h"

size_t shim_locator_size(void) { return LOCATOR_SIZE; }
size_t shim_max_items(void) { return LOCATOR_MAX_ITEMS; }
size_t shim_header_size(void) { return sizeof(locator_header); }
size_t shim_item_size(void) { return sizeof(locator_item); }

void shim_locator_initialize(void *block, uintptr_t this_address, size_t block_size, bool executable) {
    locator_initialize_in(block, this_address, block_size, executable, LOCATOR_LAYOUT_DOCUMENT);
}

void shim_locator_initialize_in(void *block, uintptr_t this_address, size_t block_size, bool executable, bool rust) {
    locator_initialize_in(block, this_address, block_size, executable,
                          rust ? LOCATOR_LAYOUT_RUST : LOCATOR_LAYOUT_DOCUMENT);
}

static locator_layout layout_of(bool rust) { return rust ? LOCATOR_LAYOUT_RUST : LOCATOR_LAYOUT_DOCUMENT; }

buffers_status shim_chain_settle_layout(const void *first, bool when_empty_rust, const char *which, bool *rust) {
    locator_layout layout = LOCATOR_LAYOUT_DOCUMENT;
    buffers_status status = chain_settle_layout(first, layout_of(when_empty_rust), which, &layout);
    *rust = layout == LOCATOR_LAYOUT_RUST;
    return status;
}

bool shim_locator_version_readable(const void *loc, unsigned *version) {
    return locator_version_readable(loc, version);
}

bool shim_locator_first_name(char *out, size_t size, uint32_t pid) { return locator_first_name(out, size, pid); }

buffers_status shim_locator_register_in(void *first, bool rust, uintptr_t base, uint32_t size, void **out_item) {
    locator_item *item = NULL;
    buffers_status status = chain_register_locked(first, layout_of(rust), base, size, &item);
    *out_item = item;
    return status;
}

buffers_status shim_locator_register(void *first, uintptr_t base, uint32_t size, void **out_item) {
    return shim_locator_register_in(first, false, base, size, out_item);
}

void *shim_locator_find_in(void *first, bool rust, uint32_t size, uintptr_t min, uintptr_t max) {
    return chain_find_locked_here(first, layout_of(rust), size, min, max);
}

void *shim_locator_find(void *first, uint32_t size, uintptr_t min, uintptr_t max) {
    return shim_locator_find_in(first, false, size, min, max);
}

/* The planted walk: a step's address is the locator's real address, its view that address unless
 * the plan takes it away. */
typedef struct planted_step {
    chain_step         step;   /* first: the core walks it */
    shim_planted_walk *plan;
} planted_step;

static locator *planted_view(const shim_planted_walk *plan, uint32_t index, locator *loc) {
    return index < 32 && (plan->viewless >> index) & 1u ? NULL : loc;
}

static bool planted_intact(const chain_walk *walk, chain_step *step) {
    (void)walk;
    if ((int)step->index != ((planted_step *)step)->plan->broken_at) return true;
    errors_set(BUFFERS_ERROR_LOCATOR, "locator %u is planted as not to be touched", (unsigned)step->index + 1);
    step->broken = true;
    return false;
}

static bool planted_advance(const chain_walk *walk, chain_step *step) {
    (void)walk;
    locator *next = locator_next((locator *)step->address);
    if (!next) return false;
    step->index++;
    step->address = (uintptr_t)next;
    step->view = planted_view(((planted_step *)step)->plan, step->index, next);
    return true;
}

static buffers_status planted_make(void *context, const char *name, size_t block, locator_layout layout,
                                   uintptr_t *address) {
    (void)name, (void)block;
    shim_planted_walk *plan = context;
    if (plan->made == plan->spare_count) return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "no spare block left");
    locator *made = plan->spare[plan->made++];
    locator_initialize_in(made, (uintptr_t)made, LOCATOR_SIZE, false, layout);
    if (plan->made_full) {
        atomic_store(&made->header.item_count, (uint8_t)LOCATOR_MAX_ITEMS);
        atomic_store(&made->header.item_count_at_23, (uint8_t)LOCATOR_MAX_ITEMS);
    }
    *address = (uintptr_t)made;
    return BUFFERS_OK;
}

static void planted_after(void *context) { ((shim_planted_walk *)context)->after_calls++; }

static const chain_walk planted_walk = {4242, planted_intact, planted_advance};

static planted_step planted_start(void *first, shim_planted_walk *plan) {
    planted_step at = {{planted_view(plan, 0, first), (uintptr_t)first, 0, false}, plan};
    return at;
}

buffers_status shim_chain_register_planted(void *first, shim_planted_walk *plan, uintptr_t base, uint32_t size,
                                           void **out_item) {
    chain_maker maker = {planted_make, planted_after, plan};
    planted_step at = planted_start(first, plan);
    locator_item *item = NULL;
    buffers_status status =
        chain_register_in(&planted_walk, &at.step, LOCATOR_LAYOUT_DOCUMENT, base, size, &maker, &item);
    *out_item = item;
    plan->index = at.step.index;
    return status;
}

buffers_status shim_chain_find_planted(void *first, shim_planted_walk *plan, uint32_t size, uintptr_t min,
                                       uintptr_t max, void **out_item) {
    planted_step at = planted_start(first, plan);
    locator_item *item = NULL;
    buffers_status status = chain_find_locked(&planted_walk, &at.step, LOCATOR_LAYOUT_DOCUMENT, size, min, max, &item);
    *out_item = item;
    plan->index = at.step.index;
    return status;
}

unsigned long shim_allocator_walk_count(void) { return allocator_walk_count(); }

void *shim_locator_next(void *loc) { return locator_next(loc); }
void shim_item_unlock_in(void *item, bool rust) { item_unlock(item, layout_of(rust)); }
void shim_item_unlock(void *item) { shim_item_unlock_in(item, false); }
uint32_t shim_locator_item_count(const void *loc) { return locator_item_count(loc); }

bool shim_item_can_use(void *item, uint32_t size, uintptr_t min, uintptr_t max) {
    item_view view = item_read(item, LOCATOR_LAYOUT_DOCUMENT);
    return item_view_can_use(&view, size, min, max);
}

int shim_detect_layout(const void *loc, uint32_t page_size) {
    switch (locator_detect_layout(loc, page_size)) {
    case LOCATOR_DETECTED_EMPTY: return SHIM_DETECTED_EMPTY;
    case LOCATOR_DETECTED_DOCUMENT: return SHIM_DETECTED_DOCUMENT;
    case LOCATOR_DETECTED_RUST: return SHIM_DETECTED_RUST;
    case LOCATOR_DETECTED_MIXED: break;
    }
    return SHIM_DETECTED_MIXED;
}

/* The chains of these tests list made-up addresses: every range passes. */
static bool accept_any(const locator *loc, uintptr_t base, uint32_t size, char *why, size_t why_size) {
    (void)loc, (void)base, (void)size, (void)why, (void)why_size;
    return true;
}

void *shim_index_create(void) {
    item_index *index = calloc(1, sizeof(item_index));
    if (index) index->memory_check = accept_any;
    return index;
}

void shim_index_destroy(void *index) {
    item_index *doomed = index;
    for (uint32_t i = 0; i < INDEX_MAX_CHUNKS; i++) free(atomic_load(&doomed->chunks[i]));
    for (uint32_t c = 0; c < INDEX_CLASSES; c++) free(doomed->open[c].entries);
    free(doomed->refused);
    free(doomed);
}

buffers_status shim_index_refresh(void *index, void *first, bool rust) {
    return item_index_refresh(index, first, layout_of(rust), NULL);
}

uint32_t shim_index_count(const void *index) {
    return atomic_load(&((const item_index *)index)->count);
}

int shim_index_scan(void *index, bool every_entry, uint32_t need, uintptr_t min, uintptr_t max, void **out_entry) {
    index_entry *entry = NULL;
    int result = (int)item_index_scan(index, every_entry, need, min, max, &entry);
    *out_entry = entry;
    return result;
}

void *shim_index_entry_item(const void *entry) { return ((const index_entry *)entry)->item; }

buffers_status shim_finder_open(const char *name, uintptr_t *out_address) {
    locator *found = NULL;
    buffers_status status = finder_open(name, &found);
    *out_address = (uintptr_t)found;
    return status;
}

void shim_engine_set_hint(uintptr_t min, uintptr_t max, buffers_item *item) {
    atomic_store_explicit(&engine_hints[engine_hint_slot(min, max)], (index_entry *)item, memory_order_release);
}
