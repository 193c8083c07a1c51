/* The chain rules both wings follow, this process's (core/engine.c) and another process's
 * (remote/process_buffers.c), with what differs passed in: how the chain is walked (chain_walk: how
 * the next locator is reached, whether a locator may be touched now), how a further locator is made
 * (chain_maker), and where the chain's process has the locator a rule touches. A rule touches a
 * locator only through a view this process can touch directly (this process's own, or the remote
 * wing's mapping of the target's file), and only after the walk said it may (the remote wing checks
 * its view first: a file shrunk under the mapping would fault). */
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
    void (*after)(void *context);   /* NULL, or called once the header lock is let go, made or not */
    void *context;
    /* NULL: the header lock is taken and let go here (locator_lock). Else how, when another process's
     * library waits on it too: lock takes it (or fails with the error set: nothing done), unlock lets
     * it go. */
    buffers_status (*lock)(void *context, locator *tail);
    void (*unlock)(void *context, locator *tail);
} chain_maker;

/* Chains a further locator after tail (the process pid has it at tail_address) for a chain in layout,
 * as docs/format.md "Further locators" says: under tail's header lock, only if tail is full and has
 * no next locator yet, one of locator_block_size bytes named after tail_address, made by maker, its
 * address published in tail's next_locator. BUFFERS_OK also when a next locator (or a free slot) was
 * there already: the caller walks on. */
buffers_status chain_extend(locator *tail, uint32_t pid, uintptr_t tail_address, locator_layout layout,
                            const chain_maker *maker);

/* One locator of a chain as a walk reaches it. A wing that keeps more per locator (the remote
 * wing: its mapping, its item handles) puts this first in its own cursor. */
typedef struct chain_step {
    locator  *view;      /* the locator as this process touches it; NULL: it cannot be (another process's
                            private memory): passed over, never locked from here */
    uintptr_t address;   /* where the chain's process has it */
    uint32_t  index;     /* 0 for the first locator of the chain */
    bool      broken;    /* the walk stopped at a locator it may not touch (the error set) */
} chain_step;

/* How a wing walks its chain. */
typedef struct chain_walk {
    uint32_t pid;   /* the chain's process */
    /* True if step's view may be touched now (or it has none); else false, step->broken set and the
     * error recorded. Asked right before each pass over a view. */
    bool (*intact)(const struct chain_walk *walk, chain_step *step);
    /* Moves step to the next locator of the chain; false at its end, or when the next one cannot be
     * reached (step->broken set when that is an error). */
    bool (*advance)(const struct chain_walk *walk, chain_step *step);
} chain_walk;

/* The walk over this process's own chain: every locator is ours to touch, linked by address. */
extern const chain_walk chain_walk_here;
chain_step chain_step_here(locator *loc);

enum { CHAIN_EXTEND_ATTEMPTS = 8 };   /* extensions one registration makes at most: others may fill each */

/* The first item, in the locators from *at on that have a view, that can serve the request, locked
 * (checked again under the lock), in *out and *at left at its locator; *out NULL (at at the chain's
 * end) when none can. BUFFERS_ERROR_LOCATOR when the walk met a locator it may not touch. */
buffers_status chain_find_locked(const chain_walk *walk, chain_step *at, locator_layout layout, uint32_t size,
                                 uintptr_t min, uintptr_t max, locator_item **out);

/* Registers the buffer [base, base + size) in the first locator from *at on that has a view and a free
 * slot, its item returned locked in *out and *at left at its locator. When every one is full, the
 * chain's last locator is extended (chain_extend with maker) and the walk goes on into the new one,
 * at most CHAIN_EXTEND_ATTEMPTS times (then BUFFERS_ERROR_NO_SPACE). *out NULL with BUFFERS_OK, *at at
 * the chain's last locator, when that one has no view: no further locator can be chained from here.
 * BUFFERS_ERROR_LOCATOR when the walk met a locator it may not touch; a failure of maker as it set. */
buffers_status chain_register_in(const chain_walk *walk, chain_step *at, locator_layout layout, uintptr_t base,
                                 uint32_t size, const chain_maker *maker, locator_item **out);

/* chain_register_in over this process's chain from start, extended when full by a shared object
 * when possible, else private memory. */
buffers_status chain_register_locked(locator *start, locator_layout layout, uintptr_t base, uint32_t size,
                                     locator_item **out);

/* chain_find_locked over this process's chain from first; NULL when no item can serve. */
locator_item *chain_find_locked_here(locator *first, locator_layout layout, uint32_t size, uintptr_t min,
                                     uintptr_t max);

#endif
