/* Pure parser of Linux /proc/<pid>/maps text: mappings and the free gaps between them. Takes text,
 * returns numbers; never touches the OS (os/linux/vmem.c reads the file and calls it). */
#ifndef BUFFERS_MAPS_H
#define BUFFERS_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct maps_entry {
    uintptr_t start;          /* inclusive */
    uintptr_t end;            /* exclusive */
    uint64_t  offset;         /* file offset of start */
    uint32_t  dev_major;
    uint32_t  dev_minor;
    uint64_t  inode;          /* 0 for anonymous mappings */
    bool      has_identity;   /* offset, device and inode were parsed */
} maps_entry;

/* Parses one line (without its newline). False for anything that does not start with
 * "<hex>-<hex> " describing a non-empty range that fits a pointer. */
bool maps_parse_line(const char *line, size_t length, maps_entry *out);

/* Calls fn for every well-formed line of text in order; garbage lines are skipped. fn returns true
 * to stop. Returns the number of entries passed to fn. */
typedef bool (*maps_entry_fn)(const maps_entry *entry, void *context);
size_t maps_for_each_entry(const char *text, size_t length, maps_entry_fn fn, void *context);

/* Calls fn for every free gap [start, end) below max_address (inclusive): before the first mapping,
 * between mappings and after the last one. An exact-size hole is reported exactly. Mappings above
 * max_address (such as [vsyscall]) end the walk. fn returns true to stop. */
typedef bool (*maps_gap_fn)(uintptr_t start, uintptr_t end, void *context);
void maps_for_each_gap(const char *text, size_t length, uintptr_t max_address, maps_gap_fn fn, void *context);

#endif
