/* A locator block read as bytes (from a file or another process's memory), in either pointer width
 * and either item layout (docs/format.md), checked before anything in it is believed. For tools
 * that look at other processes' locators without taking anything (core/locator_files.c). */
#ifndef BUFFERS_LOCATOR_READ_H
#define BUFFERS_LOCATOR_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOCATOR_READ_MAX_ITEMS 255   /* a 32-bit block holds the most */

typedef struct locator_snapshot_item {
    uint64_t base;
    uint32_t size, position;
    bool     taken;
} locator_snapshot_item;

typedef struct locator_snapshot {
    uint64_t this_address, next_address;
    uint32_t pointer_size, item_count;
    bool     locked;
    bool     rust_layout;
    locator_snapshot_item items[LOCATOR_READ_MAX_ITEMS];
} locator_snapshot;

/* Parses the LOCATOR_SIZE bytes at block as a version-0 locator of pointer_size (8 or 4; 0: tries
 * 8, then 4). False, with why written (for each width tried), when the header is not one: a lock
 * word other than 0 or 1, another version, more items than fit, or items in neither layout. */
bool locator_snapshot_parse(const unsigned char *block, uint32_t pointer_size, uint32_t page_size,
                            locator_snapshot *out, char *why, size_t why_size);

#endif
