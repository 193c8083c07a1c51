/* Every process's locator files, for the public listing, reading and cleanup calls
 * (buffers_locator_files, buffers_locator_file_read, buffers_locator_file_remove_stale): the OS
 * layer's walk with the locator name and format of this core. Arguments are checked by api/. */
#ifndef BUFFERS_CORE_LOCATOR_FILES_H
#define BUFFERS_CORE_LOCATOR_FILES_H

#include <reloaded/buffers.h>

buffers_status locator_files_list(const char *root, buffers_locator_file *out, size_t capacity, size_t *out_count);

buffers_status locator_files_read(const char *path, buffers_locator_block *blocks, size_t block_capacity,
                                  size_t *out_blocks, buffers_buffer_info *items, size_t item_capacity,
                                  size_t *out_items, char *note, size_t note_size);

buffers_status locator_files_remove_stale(const char *path, bool dry_run, bool *out_removed, char *why,
                                          size_t why_size);

#endif
