/* The handle of a buffer of another process (remote/process_buffers.h; docs/external.md), as a type
 * apart so that the chain walk there (remote/process_chain.h), which keeps one per item of a mapped
 * locator, needs nothing of the calls that use it.
 *
 * A remote item handle is an index_entry followed by what only remote items need, so the item calls
 * of api/shared_buffers.c work on it unchanged where they can and cost local items nothing: its
 * taken and position point at the shared words (release and position just work), base and last are
 * the target's addresses, and size is 0 so every append fails the fast path's room check and lands
 * in the cold refusal, which hands it to remote_item_append. item is NULL: local entries always
 * point at their locator item, so (item NULL, size 0) tells a remote handle apart. */
#ifndef BUFFERS_REMOTE_ITEM_H
#define BUFFERS_REMOTE_ITEM_H

#include "core/item_index.h"
#include "os/vmem_other.h"

#define REMOTE_ITEM_MAGIC 0x52454D31u   /* "REM1" */

/* What tells that a handle's target is still the process, and the program image, it opened: its
 * watch, whose writes and reads reach only that process and program (os/vmem_other.h), and whose
 * anchor is the target's first locator (its first word, read there, is gone once it has exec'd).
 * changed is set the first time either is found gone and never cleared: every later call is refused. */
typedef struct remote_target {
    vmem_process_watch watch;
    _Atomic(bool)      changed;
    uint32_t           pid;
} remote_target;

/* Between get and release the item is ours alone (its shared taken word is ours), so its position is
 * kept here (held) and stored in the shared word at release: an append touches no word of the view
 * and needs no check of its file, only one write into the target (docs/external.md, "The write").
 * entry.held stays 0: the API's hot paths take an item with held set for a local one. */
typedef struct remote_item {
    index_entry    entry;      /* first: a buffers_item of another process is this */
    uint32_t       size;       /* the real size */
    uint32_t       position;   /* while held: the next byte's offset, stored at release */
    _Atomic(bool)  held;       /* from get to release */
    uint32_t       magic;
    remote_target *target;     /* the process handle's */
    const vmem_shared *mapping; /* the view taken and position are in: checked before they are touched */
} remote_item;

static inline bool remote_item_is(const index_entry *entry) {
    return entry->item == NULL && entry->size == 0 && ((const remote_item *)entry)->magic == REMOTE_ITEM_MAGIC;
}

static inline uint32_t remote_item_size(const index_entry *entry) {
    return ((const remote_item *)entry)->size;
}

#endif
