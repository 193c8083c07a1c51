/* The chain rules both wings follow, this process's (core/engine.c) and another process's
 * (remote/process_buffers.c), with what differs passed in: how a further locator is made, and where
 * the chain's process has the locator a rule touches. Both hand in a locator they can touch directly
 * (this process's own, or the remote wing's view of the target's file); the caller makes sure it may be
 * touched (the remote wing checks its view first: chain_view_intact). */
#ifndef BUFFERS_CHAIN_H
#define BUFFERS_CHAIN_H

#include "core/locator.h"

/* The item layout of the chain whose first locator is first: the one its items show, else when_empty
 * (an empty locator tells nothing). BUFFERS_ERROR_LOCATOR, the error set naming the locator as which
 * ("the locator at ...", "the locator of process ..."), when its items mix both layouts. */
buffers_status chain_settle_layout(const locator *first, locator_layout when_empty, const char *which,
                                   locator_layout *out);

/* How a wing makes a further locator: block bytes under name (locator_further_name), initialised in
 * layout (locator_initialize_in) with *address, its address in the chain's process, recorded. Called
 * under the header lock of the locator it will follow. BUFFERS_OK, or a failure with the error set. */
typedef struct chain_maker {
    buffers_status (*make)(void *context, const char *name, size_t block, locator_layout layout, uintptr_t *address);
    void *context;
} chain_maker;

/* Chains a further locator after tail (the process pid has it at tail_address) for a chain in layout,
 * as docs/format.md "Further locators" says: under tail's header lock, only if tail is full and has
 * no next locator yet, one of locator_block_size bytes named after tail_address, made by maker, its
 * address published in tail's next_locator. BUFFERS_OK also when a next locator (or a free slot) was
 * there already: the caller walks on. */
buffers_status chain_extend(locator *tail, uint32_t pid, uintptr_t tail_address, locator_layout layout,
                            const chain_maker *maker);

/* Registers the buffer [base, base + size) in the first locator of this process's chain from start
 * with a free slot, chaining further locators when all are full (a shared object when possible, else
 * private memory), and returns its item already locked. */
buffers_status chain_register_locked(locator *start, locator_layout layout, uintptr_t base, uint32_t size,
                                     locator_item **out);

#endif
