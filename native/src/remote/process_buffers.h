/* Buffers of another process (buffers_process_*; docs/external.md): the target's first locator is
 * mapped here from its file, so its header lock and item lock words are shared memory, while the
 * buffers' bytes live in the target and are written through the handle's process watch
 * (vmem_process_watch_write: only into the process and program that was opened). The handle's
 * type is remote/remote_item.h's. */
#ifndef BUFFERS_PROCESS_BUFFERS_H
#define BUFFERS_PROCESS_BUFFERS_H

#include "remote/remote_item.h"

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

#endif
