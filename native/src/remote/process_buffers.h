/* Buffers of another process (buffers_process_*; docs/external.md): the target's first locator is
 * mapped here from its file, so its header lock and item lock words are shared memory, while the
 * buffers' bytes live in the target and are written with vmem_write_other.
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

/* What tells that a handle's target is still the process, and the program image, it opened: the
 * watch fails once that process has ended (whatever its pid names later), and its first locator's
 * first word, read from the target, is gone once it has exec'd another program. */
typedef struct remote_target {
    vmem_process_watch watch;
    uintptr_t          first;   /* where the target maps its first locator */
    uint32_t           pid;
} remote_target;

typedef struct remote_item {
    index_entry          entry;   /* first: a buffers_item of another process is this */
    uint32_t             size;    /* the real size */
    uint32_t             magic;
    const remote_target *target;  /* the process handle's */
    const vmem_shared   *mapping; /* the view taken and position are in: checked before they are touched */
} remote_item;

static inline bool remote_item_is(const index_entry *entry) {
    return entry->item == NULL && entry->size == 0 && ((const remote_item *)entry)->magic == REMOTE_ITEM_MAGIC;
}

/* buffers_item_append(_code) on a remote item: checks, then writes into the target. 0 on failure. */
uintptr_t remote_item_append(index_entry *entry, const void *data, size_t size, bool code, const char *what);

/* buffers_item_position on a remote item: its position word, read only after the file holding it was
 * found whole; 0 (the error set) when it was truncated. A truncation after the check still faults:
 * docs/locator-security.md, "What remains for the remote writer". */
uint32_t remote_item_position(const index_entry *entry);

/* buffers_item_bytes_left on a remote item, under the same check: 0 (the error set) when truncated. */
uint32_t remote_item_left(const index_entry *entry);

/* buffers_item_release on a remote item: unlocks it if the file holding its lock word is whole; else
 * only sets the error (the word cannot be written; the target's file is gone from under it). */
void remote_item_release(index_entry *entry);

static inline uint32_t remote_item_size(const index_entry *entry) {
    return ((const remote_item *)entry)->size;
}

#endif
