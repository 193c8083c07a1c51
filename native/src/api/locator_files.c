/* The public calls on every process's locator files: where they live (buffers_shared_root, the OS
 * layer's rule), and argument checks, then core/locator_files.c. */
#include <reloaded/buffers.h>

#include <stddef.h>
#include <string.h>

#include "core/errors.h"
#include "core/locator_files.h"
#include "os/vmem.h"

/* The JDK 22+ FFM route (LocatorDowncalls.java) reads these structs at fixed offsets on 64-bit. */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
_Static_assert(sizeof(buffers_locator_file) == 1076 && offsetof(buffers_locator_file, directory_length) == 1024 &&
               offsetof(buffers_locator_file, pid) == 1028 && offsetof(buffers_locator_file, owner_uid) == 1032 &&
               offsetof(buffers_locator_file, state) == 1036 && offsetof(buffers_locator_file, regular) == 1040 &&
               offsetof(buffers_locator_file, process_name) == 1041, "LocatorDowncalls' buffers_locator_file");
_Static_assert(sizeof(buffers_locator_block) == 32 && offsetof(buffers_locator_block, item_count) == 16 &&
               offsetof(buffers_locator_block, locked) == 24 && offsetof(buffers_locator_block, from_file) == 25,
               "LocatorDowncalls' buffers_locator_block");
_Static_assert(sizeof(buffers_buffer_info) == 32 && offsetof(buffers_buffer_info, size) == 8 &&
               offsetof(buffers_buffer_info, taken) == 16 && offsetof(buffers_buffer_info, locator_address) == 24,
               "LocatorDowncalls' buffers_buffer_info");
#endif

/* A path the calls accept: absolute and short enough for BUFFERS_LOCATOR_PATH_MAX. */
static bool path_ok(const char *path, const char *what) {
    if (!path || path[0] != '/') {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: %s", what, path ? "not an absolute path" : "null path");
        return false;
    }
    if (strlen(path) >= BUFFERS_LOCATOR_PATH_MAX) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: path of %zu characters, over %d", what, strlen(path),
                   BUFFERS_LOCATOR_PATH_MAX - 1);
        return false;
    }
    return true;
}

const char *buffers_shared_root(void) {
    return vmem_shared_root();
}

buffers_status buffers_locator_files(const char *root, buffers_locator_file *out, size_t capacity, size_t *out_count) {
    if (!out_count || (capacity > 0 && !out))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "locator files: %s", out_count ? "capacity without an array"
                                                                                         : "null out_count");
    if (!root) root = buffers_shared_root();
    if (root[0] != '\0' && !path_ok(root, "locator files root")) return BUFFERS_ERROR_INVALID_ARGUMENT;
    return locator_files_list(root, out, capacity, out_count);
}

buffers_status buffers_locator_file_read(const char *path, buffers_locator_block *blocks, size_t block_capacity,
                                         size_t *out_blocks, buffers_buffer_info *items, size_t item_capacity,
                                         size_t *out_items, char *note, size_t note_size) {
    if (!path_ok(path, "locator file")) return BUFFERS_ERROR_INVALID_ARGUMENT;
    if (!out_blocks || !out_items || (block_capacity && !blocks) || (item_capacity && !items) || (note_size && !note))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "locator file '%s': a null count, or a capacity without "
                          "its array", path);
    char none[1];
    return locator_files_read(path, blocks, block_capacity, out_blocks, items, item_capacity, out_items,
                              note_size ? note : none, note_size ? note_size : sizeof none);
}

buffers_status buffers_locator_file_remove_stale(const char *path, bool dry_run, bool *out_removed, char *out_why,
                                                 size_t why_size) {
    if (!path_ok(path, "stale locator file")) return BUFFERS_ERROR_INVALID_ARGUMENT;
    if (!out_removed || (why_size && !out_why))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "stale locator file '%s': null out_removed, or a "
                          "why_size without out_why", path);
    return locator_files_remove_stale(path, dry_run, out_removed, out_why, why_size);
}
