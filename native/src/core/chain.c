#include "core/chain.h"

#include "core/errors.h"
#include "os/vmem.h"

buffers_status chain_settle_layout(const locator *first, locator_layout when_empty, const char *which,
                                   locator_layout *out) {
    switch (locator_detect_layout(first, (uint32_t)vmem_page_size())) {
    case LOCATOR_DETECTED_EMPTY: *out = when_empty; break;
    case LOCATOR_DETECTED_DOCUMENT: *out = LOCATOR_LAYOUT_DOCUMENT; break;
    case LOCATOR_DETECTED_RUST: *out = LOCATOR_LAYOUT_RUST; break;
    case LOCATOR_DETECTED_MIXED:
        return errors_set(BUFFERS_ERROR_LOCATOR, "%s holds items in neither the document's nor Rust's layout; not "
                          "writing into it", which);
    }
    return BUFFERS_OK;
}

buffers_status chain_extend(locator *tail, uint32_t pid, uintptr_t tail_address, locator_layout layout,
                            const chain_maker *maker) {
    buffers_status status = BUFFERS_OK;
    if (!maker->lock) locator_lock(tail);
    else if ((status = maker->lock(maker->context, tail)) != BUFFERS_OK) return status;
    if (!atomic_load_explicit(&tail->header.next_locator, memory_order_acquire) &&
        locator_item_count(tail) >= LOCATOR_MAX_ITEMS) {
        char name[LOCATOR_NAME_MAX];
        uintptr_t address = 0;
        if (!locator_further_name(name, sizeof name, pid, tail_address))   /* cannot happen: a pid and an address fit */
            status = errors_set(BUFFERS_ERROR_LOCATOR, "the name of a further locator of process %u does not fit",
                                (unsigned)pid);
        else if ((status = maker->make(maker->context, name, locator_block_size(), layout, &address)) == BUFFERS_OK)
            atomic_store_explicit(&tail->header.next_locator, address, memory_order_release);
    }
    if (!maker->unlock) locator_unlock(tail);
    else maker->unlock(maker->context, tail);
    if (maker->after) maker->after(maker->context);
    return status;
}

static bool here_intact(const chain_walk *walk, chain_step *step) {
    (void)walk, (void)step;
    return true;
}

static bool here_advance(const chain_walk *walk, chain_step *step) {
    (void)walk;
    locator *next = locator_next(step->view);
    if (!next) return false;
    step->view = next;
    step->address = (uintptr_t)next;
    step->index++;
    return true;
}

const chain_walk chain_walk_here = {0, here_intact, here_advance};

chain_step chain_step_here(locator *loc) {
    chain_step step = {loc, (uintptr_t)loc, 0, false};
    return step;
}

buffers_status chain_find_locked(const chain_walk *walk, chain_step *at, locator_layout layout, uint32_t size,
                                 uintptr_t min, uintptr_t max, locator_item **out) {
    *out = NULL;
    do {
        if (!walk->intact(walk, at)) break;
        if (at->view && (*out = locator_find_locked_here(at->view, layout, size, min, max)) != NULL) return BUFFERS_OK;
    } while (walk->advance(walk, at));
    return at->broken ? BUFFERS_ERROR_LOCATOR : BUFFERS_OK;
}

/* The first locator from *at on with a view and a free slot gets the buffer; *out NULL when none
 * has one (*at then at the chain's end). */
static buffers_status register_on(const chain_walk *walk, chain_step *at, locator_layout layout, uintptr_t base,
                                  uint32_t size, locator_item **out) {
    *out = NULL;
    do {
        if (!walk->intact(walk, at)) break;
        bool room = at->view && locator_item_count(at->view) < LOCATOR_MAX_ITEMS;   /* full ones: no lock taken */
        if (room && (*out = locator_register_here_locked(at->view, layout, base, size)) != NULL) return BUFFERS_OK;
    } while (walk->advance(walk, at));
    return at->broken ? BUFFERS_ERROR_LOCATOR : BUFFERS_OK;
}

buffers_status chain_register_in(const chain_walk *walk, chain_step *at, locator_layout layout, uintptr_t base,
                                 uint32_t size, const chain_maker *maker, locator_item **out) {
    for (int extended = 0;; extended++) {
        buffers_status status = register_on(walk, at, layout, base, size, out);
        if (status != BUFFERS_OK || *out || !at->view) return status;
        if (extended == CHAIN_EXTEND_ATTEMPTS)
            return errors_set(BUFFERS_ERROR_NO_SPACE, "the chain of process %u filled up again each of the %d times "
                              "this call extended it", (unsigned)walk->pid, CHAIN_EXTEND_ATTEMPTS);
        /* The tail is touched again: checked again (the walk goes on from it into the new locator). */
        if (!walk->intact(walk, at)) return BUFFERS_ERROR_LOCATOR;
        if ((status = chain_extend(at->view, walk->pid, at->address, layout, maker)) != BUFFERS_OK) return status;
    }
}

/* A further locator of this process as a new shared object that other processes can map, initialised
 * and kept mapped for good; 0 when that cannot be had: the object cannot be opened (path too long,
 * directory refused, every derived name held), an existing one came back (a live object of this
 * process under that name is someone else's locator), or the mapping could not be executable where
 * the block holds code chunks. The caller then uses private memory. */
static uintptr_t make_shared_further(const char *name, size_t block, locator_layout layout) {
    vmem_shared shared;
    if (vmem_shared_open(name, block, &shared) != 0) return 0;
    bool chunks_lost = block > LOCATOR_SIZE && !shared.executable;
    if (!shared.created || chunks_lost) {
        vmem_shared_close(&shared, false);
        return 0;
    }
    locator_initialize_in((locator *)shared.address, shared.address, block, true, layout);
    locator_keep_from_fork((const locator *)shared.address);
    vmem_shared_close(&shared, true);   /* mapped (and marked alive) for the life of the process */
    return shared.address;
}

/* This process's way to make a further locator: a shared object when possible, else private memory. */
static buffers_status make_here(void *context, const char *name, size_t block, locator_layout layout,
                                uintptr_t *address) {
    (void)context;
    if ((*address = make_shared_further(name, block, layout)) != 0) return BUFFERS_OK;
    int error = vmem_reserve_anywhere(block, address);
    if (error) {
        char text[128];
        return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "could not reserve %zu bytes for a further locator: %s", block,
                          vmem_error_text(error, text, sizeof text));
    }
    /* Where code pages cannot be written as data (write-xor-execute), the block is plain read/write
     * memory for the header: no code chunks in it. */
    locator_initialize_in((locator *)*address, *address, block, !vmem_write_xor_execute(), layout);
    return BUFFERS_OK;
}

buffers_status chain_register_locked(locator *start, locator_layout layout, uintptr_t base, uint32_t size,
                                     locator_item **out) {
    static const chain_maker here = {make_here, NULL, NULL, NULL, NULL};
    chain_walk walk = chain_walk_here;
    walk.pid = vmem_current_process_id();
    chain_step at = chain_step_here(start);
    return chain_register_in(&walk, &at, layout, base, size, &here, out);
}

locator_item *chain_find_locked_here(locator *first, locator_layout layout, uint32_t size, uintptr_t min,
                                     uintptr_t max) {
    chain_step at = chain_step_here(first);
    locator_item *item;
    (void)chain_find_locked(&chain_walk_here, &at, layout, size, min, max, &item);   /* never broken here */
    return item;
}
