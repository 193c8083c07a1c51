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
    locator_lock(tail);
    buffers_status status = BUFFERS_OK;
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
    locator_unlock(tail);
    return status;
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
    static const chain_maker here = {make_here, NULL};
    for (locator *loc = start;;) {
        if ((*out = locator_register_here_locked(loc, layout, base, size)) != NULL) return BUFFERS_OK;
        buffers_status status = chain_extend(loc, vmem_current_process_id(), (uintptr_t)loc, layout, &here);
        if (status != BUFFERS_OK) return status;
        locator *next = locator_next(loc);
        if (next) loc = next;   /* chain_extend left none only if loc had a slot after all: try it again */
    }
}
