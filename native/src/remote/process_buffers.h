/* Buffers of another process (buffers_process_*; docs/external.md): the target's first locator is
 * mapped here from its file, so its header lock and item lock words are shared memory, while the
 * buffers' bytes live in the target and are written through the handle's process watch
 * (vmem_process_watch_write: only into the process and program that was opened).
 *
 * A remote item handle is an index_entry followed by what only remote items need, so the item calls
 * of api/shared_buffers.c work on it unchanged where they can and cost local items nothing: its
 * taken and position point at the shared words (release and position just work), base and last are
 * the target's addresses, and size is 0 so every append fails the fast path's room check and lands
 * in the cold refusal, which hands it to remote_item_append. item is NULL: local entries always
 * point at their locator item, so (item NULL, size 0) tells a remote handle apart. */
#ifndef BUFFERS_PROCESS_BUFFERS_H
#define BUFFERS_PROCESS_BUFFERS_H

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

/* buffers_item_append(_code) on a held remote item: one write into the target through its watch, which
 * refuses a target that has ended or exec'd. 0 on failure. */
uintptr_t remote_item_append(index_entry *entry, const void *data, size_t size, bool code, const char *what);

/* buffers_item_position on a remote item: its position (the private one while held, else the shared
 * word), answered only after the file holding the word was found whole; 0 (the error set) when it was
 * truncated. A truncation after the check still faults: docs/locator-security.md, "What remains for
 * the remote writer". */
uint32_t remote_item_position(const index_entry *entry);

/* buffers_item_bytes_left on a remote item, under the same check: 0 (the error set) when truncated. */
uint32_t remote_item_left(const index_entry *entry);

/* buffers_item_release on a held remote item: stores its position and unlocks it if the file holding
 * its words is whole; else only sets the error (the words cannot be written; the target's file is gone
 * from under it). Either way the handle is no longer held: a second release does nothing. */
void remote_item_release(index_entry *entry);

static inline uint32_t remote_item_size(const index_entry *entry) {
    return ((const remote_item *)entry)->size;
}

#endif
