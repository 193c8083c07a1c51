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
    uint8_t   permissions;    /* MAPS_READ | MAPS_WRITE | MAPS_EXECUTE | MAPS_SHARED as listed */
    const char *name;         /* the pathname column ("" if none): points into the parsed text */
    size_t    name_length;
} maps_entry;

enum { MAPS_READ = 1, MAPS_WRITE = 2, MAPS_EXECUTE = 4, MAPS_SHARED = 8 };

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

/* ---- is it buffer memory? ---- */

/* What a mapping is, as far as a buffer is concerned. Only MAPS_KIND_BUFFER may hold a buffer this
 * process reserved: private, anonymous (no file, no inode, no name such as [heap] or [stack]),
 * readable, writable and executable, as mmap gives it to this library and to the upstream ones. */
typedef enum maps_kind {
    MAPS_KIND_BUFFER,
    MAPS_KIND_UNMAPPED,      /* no mapping there */
    MAPS_KIND_NOT_RWX,       /* anonymous private, but not readable + writable + executable */
    MAPS_KIND_SHARED,        /* a shared mapping (shared memory, a locator) */
    MAPS_KIND_FILE,          /* backed by a file */
    MAPS_KIND_SPECIAL,       /* named by the kernel: [heap], [stack], [vdso], [vvar], ... */
    MAPS_KIND_HOME_HEADER,   /* the header of the locator that lists the item */
    MAPS_KIND_NOT_CODE_VIEW, /* not a read + execute (not writable) shared view of a write-xor-execute object */
    MAPS_KIND_NOT_WRITE_VIEW /* not a read + write (not executable) shared view of the same object and offset */
} maps_kind;

maps_kind maps_kind_of(const maps_entry *entry);

/* A mapping reduced to what the range checks need. */
typedef struct maps_region {
    uintptr_t start, end;
    uint8_t   permissions;
    uint8_t   kind;            /* maps_kind */
    bool      dual;            /* a shared file mapping whose name holds MAPS_DUAL_MARKER */
    uint64_t  offset;          /* file offset of start, device and inode (0 when anonymous) */
    uint64_t  device, inode;
} maps_region;

/* The name this library gives the object behind write-xor-execute buffers (memfd "buffers.wx", or
 * the unlinked fallback file "buffers.wx.XXXXXX"): part of what makes a pair of views ours. */
#define MAPS_DUAL_MARKER "buffers.wx"

/* The region of entry for the checks below. */
maps_region maps_region_of(const maps_entry *entry);

/* Checks [start, start + size) against regions (ascending and disjoint, as /proc lists them):
 * MAPS_KIND_BUFFER when every byte lies in MAPS_KIND_BUFFER regions (several adjacent ones may
 * cover it); else the kind of the first byte's region that is not one (MAPS_KIND_UNMAPPED for a
 * hole or a range that wraps). With home != 0 (a locator whose block may hold code chunks) a range
 * lying wholly in home's own region, writable and executable, past home's first header_size bytes,
 * is accepted too. size 0 is refused (MAPS_KIND_UNMAPPED). */
maps_kind maps_check_range(const maps_region *regions, size_t count, uintptr_t start, uintptr_t size,
                           uintptr_t home, uintptr_t header_size);

/* Checks a write-xor-execute buffer [code, code + size) and its writable view [write, write + size):
 * MAPS_KIND_BUFFER when every byte of the code view lies in readable, executable, not writable,
 * shared regions of a dual object (MAPS_DUAL_MARKER) and, with write != 0, the same byte of the
 * write view lies in a readable, writable, not executable, shared region of the same device and
 * inode at the same file offset. write 0 checks the code view alone (before anything in it is read). */
maps_kind maps_check_dual(const maps_region *regions, size_t count, uintptr_t code, uintptr_t write, uintptr_t size);

/* A few words on kind, for error messages ("a file mapping", ...). */
const char *maps_kind_text(maps_kind kind);

#endif
