/* The locator chain of another process as this process walks it (remote/process_buffers.c;
 * docs/external.md). The first locator is mapped when the handle opens; each further one is mapped
 * the first time a walk reaches it, from the shared object the target named after the locator
 * before it (locator_further_name), and kept until the handle closes. A further locator the target
 * keeps in private memory (made by an upstream copy of the format, or by our fallback) cannot be
 * mapped: its link has no view, it is never locked from here, and the walk reads its next address
 * with vmem_read_other. */
#ifndef BUFFERS_PROCESS_CHAIN_H
#define BUFFERS_PROCESS_CHAIN_H

#include "core/chain.h"
#include "remote/remote_item.h"
#include "os/vmem_other.h"

enum { CHAIN_WALK_LIMIT = 4096 };   /* locators walked at most: a corrupt chain may loop */

typedef struct chain_link {
    uintptr_t                     remote;   /* where the target has this locator */
    locator                      *view;     /* our mapping of it; NULL when it is private memory there */
    vmem_shared                   mapping;
    remote_item                   items[LOCATOR_MAX_ITEMS];   /* handles of view's items */
    _Atomic(struct chain_link *)  next;     /* the link after this one, once a walk has reached it */
} chain_link;

/* One step of a walk: a locator of the chain (the core's step: view NULL when it is not lockable
 * from here) and what this wing keeps for it. */
typedef struct chain_cursor {
    chain_step                step;     /* first: the core's chain rules walk it (core/chain.h) */
    const vmem_shared        *mapping;  /* step.view's, asked before each touch (chain_view_intact) */
    remote_item              *items;
    _Atomic(chain_link *)    *next;
} chain_cursor;

/* The walk over another process's chain (walk->pid); its steps are chain_cursors. */
chain_walk chain_walk_of(uint32_t pid);

/* True if the cursor's locator may be touched through its view now (or it has none): the target, or
 * any process of its user, can truncate the file under our mapping, and a touch past its end would
 * be SIGBUS here. Else false, broken set and the error (BUFFERS_ERROR_LOCATOR) recorded. Called
 * right before each pass over a view; what remains is the time the pass takes. */
bool chain_view_intact(const chain_walk *walk, chain_step *step);

/* Moves the cursor to the locator after it in the target's chain (mapping it the first time any walk
 * gets there; threads may walk at once); false at the end of the chain, or when it cannot be read, and
 * false with broken set when a locator may not be touched (chain_view_intact). */
bool chain_advance(const chain_walk *walk, chain_step *step);

/* Unmaps and frees the links from head on (the handle is closing: no walk is running). */
void chain_free(chain_link *head);

#endif
