#include "pure/maps.h"

#include <string.h>

/* Reads hex digits at text[*at..length) into *out; at least one digit, at most max_digits. */
static bool parse_hex(const char *text, size_t length, size_t *at, unsigned max_digits, uint64_t *out) {
    uint64_t value = 0;
    unsigned digits = 0;
    while (*at < length) {
        char c = text[*at];
        unsigned d;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
        else break;
        if (++digits > max_digits) return false;
        value = (value << 4) | d;
        (*at)++;
    }
    *out = value;
    return digits > 0;
}

static bool parse_decimal(const char *text, size_t length, size_t *at, uint64_t *out) {
    uint64_t value = 0;
    size_t first = *at;
    while (*at < length && text[*at] >= '0' && text[*at] <= '9') {
        unsigned d = (unsigned)(text[*at] - '0');
        if (value > (UINT64_MAX - d) / 10) return false;
        value = value * 10 + d;
        (*at)++;
    }
    *out = value;
    return *at > first;
}

static bool expect(const char *text, size_t length, size_t *at, char c) {
    if (*at >= length || text[*at] != c) return false;
    (*at)++;
    return true;
}

static void skip_spaces(const char *text, size_t length, size_t *at) {
    while (*at < length && text[*at] == ' ') (*at)++;
}

/* "rwxp"-style permissions at text[*at..): any letters in their places, '-' elsewhere. */
static uint8_t parse_permissions(const char *line, size_t length, size_t *at) {
    static const char letters[4] = {'r', 'w', 'x', 's'};
    static const uint8_t bits[4] = {MAPS_READ, MAPS_WRITE, MAPS_EXECUTE, MAPS_SHARED};
    uint8_t permissions = 0;
    for (unsigned i = 0; i < 4 && *at < length && line[*at] != ' '; i++, (*at)++)
        if (line[*at] == letters[i]) permissions |= bits[i];
    while (*at < length && line[*at] != ' ') (*at)++;   /* anything longer */
    return permissions;
}

/* "<offset> <major>:<minor> <inode>" after the permissions; false if any part is missing. */
static bool parse_identity(const char *line, size_t length, size_t *at, maps_entry *out) {
    uint64_t offset, major, minor, inode;
    skip_spaces(line, length, at);
    if (!parse_hex(line, length, at, 16, &offset)) return false;
    skip_spaces(line, length, at);
    if (!parse_hex(line, length, at, 8, &major) || !expect(line, length, at, ':')) return false;
    if (!parse_hex(line, length, at, 8, &minor)) return false;
    skip_spaces(line, length, at);
    if (!parse_decimal(line, length, at, &inode)) return false;
    out->offset = offset;
    out->dev_major = (uint32_t)major;
    out->dev_minor = (uint32_t)minor;
    out->inode = inode;
    return true;
}

bool maps_parse_line(const char *line, size_t length, maps_entry *out) {
    size_t at = 0;
    uint64_t start, end;
    const unsigned pointer_digits = (unsigned)(sizeof(uintptr_t) * 2);
    if (!parse_hex(line, length, &at, pointer_digits, &start)) return false;
    if (!expect(line, length, &at, '-')) return false;
    if (!parse_hex(line, length, &at, pointer_digits, &end)) return false;
    if (!expect(line, length, &at, ' ')) return false;
    if (end <= start) return false;
    out->start = (uintptr_t)start;
    out->end = (uintptr_t)end;
    out->offset = 0;
    out->dev_major = out->dev_minor = 0;
    out->inode = 0;
    out->permissions = parse_permissions(line, length, &at);
    out->has_identity = parse_identity(line, length, &at, out);
    out->name = line + length;
    out->name_length = 0;
    if (out->has_identity) {
        skip_spaces(line, length, &at);
        out->name = line + at;
        out->name_length = length - at;
    }
    return true;
}

size_t maps_for_each_entry(const char *text, size_t length, maps_entry_fn fn, void *context) {
    size_t count = 0, line_start = 0;
    while (line_start < length) {
        size_t line_end = line_start;
        while (line_end < length && text[line_end] != '\n') line_end++;
        maps_entry entry;
        if (maps_parse_line(text + line_start, line_end - line_start, &entry)) {
            count++;
            if (fn(&entry, context)) break;
        }
        line_start = line_end + 1;
    }
    return count;
}

typedef struct gap_walk {
    uintptr_t   max_address;
    uintptr_t   free_from;    /* end of the mappings seen so far */
    bool        finished;     /* reached max_address or stopped by the callback */
    maps_gap_fn fn;
    void       *context;
} gap_walk;

/* The gap [from, to) clipped to max_address; returns true when the walk should stop. */
static bool report_gap(gap_walk *walk, uintptr_t from, uintptr_t to) {
    uintptr_t limit = walk->max_address == UINTPTR_MAX ? UINTPTR_MAX : walk->max_address + 1;
    if (from >= limit) return true;
    if (to > limit) to = limit;
    if (to > from && walk->fn(from, to, walk->context)) return true;
    return to == limit;
}

static bool gap_on_entry(const maps_entry *entry, void *context) {
    gap_walk *walk = context;
    if (entry->start > walk->free_from && report_gap(walk, walk->free_from, entry->start)) {
        walk->finished = true;
        return true;
    }
    if (entry->end > walk->free_from) walk->free_from = entry->end;
    return false;
}

void maps_for_each_gap(const char *text, size_t length, uintptr_t max_address, maps_gap_fn fn, void *context) {
    gap_walk walk = {max_address, 0, false, fn, context};
    maps_for_each_entry(text, length, gap_on_entry, &walk);
    if (!walk.finished) report_gap(&walk, walk.free_from, UINTPTR_MAX);
}

/* ---- is it buffer memory? ---- */

maps_kind maps_kind_of(const maps_entry *entry) {
    /* Without the identity columns nothing says the mapping is anonymous: not trusted. */
    if (!entry->has_identity || entry->inode != 0 || entry->dev_major != 0 || entry->dev_minor != 0)
        return MAPS_KIND_FILE;
    if (entry->name_length > 0) return entry->name[0] == '[' ? MAPS_KIND_SPECIAL : MAPS_KIND_FILE;
    if (entry->permissions & MAPS_SHARED) return MAPS_KIND_SHARED;
    const uint8_t rwx = MAPS_READ | MAPS_WRITE | MAPS_EXECUTE;
    return (entry->permissions & rwx) == rwx ? MAPS_KIND_BUFFER : MAPS_KIND_NOT_RWX;
}

/* The first region whose end lies above address (binary search); count if none. */
static size_t region_after(const maps_region *regions, size_t count, uintptr_t address) {
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (regions[middle].end <= address) low = middle + 1;
        else high = middle;
    }
    return low;
}

static bool has_marker(const char *name, size_t length) {
    static const char marker[] = MAPS_DUAL_MARKER;
    const size_t marker_length = sizeof marker - 1;
    for (size_t i = 0; i + marker_length <= length; i++)
        if (memcmp(name + i, marker, marker_length) == 0) return true;
    return false;
}

maps_region maps_region_of(const maps_entry *entry) {
    bool identified = entry->has_identity && entry->inode != 0;
    return (maps_region){entry->start, entry->end, entry->permissions, (uint8_t)maps_kind_of(entry),
                         identified && (entry->permissions & MAPS_SHARED) && has_marker(entry->name, entry->name_length),
                         identified ? entry->offset : 0,
                         identified ? ((uint64_t)entry->dev_major << 32 | entry->dev_minor) : 0,
                         identified ? entry->inode : 0};
}

/* The region holding address, or NULL. */
static const maps_region *region_at(const maps_region *regions, size_t count, uintptr_t address) {
    size_t n = region_after(regions, count, address);
    return n < count && regions[n].start <= address ? &regions[n] : NULL;
}

static bool is_view(const maps_region *region, uint8_t wanted) {
    const uint8_t all = MAPS_READ | MAPS_WRITE | MAPS_EXECUTE | MAPS_SHARED;
    return region && region->dual && (region->permissions & all) == wanted;
}

maps_kind maps_check_dual(const maps_region *regions, size_t count, uintptr_t code, uintptr_t write, uintptr_t size) {
    if (size == 0 || code > UINTPTR_MAX - (size - 1) || (write && write > UINTPTR_MAX - (size - 1)))
        return MAPS_KIND_UNMAPPED;
    for (uintptr_t done = 0; done < size;) {
        const maps_region *c = region_at(regions, count, code + done);
        if (!is_view(c, MAPS_READ | MAPS_EXECUTE | MAPS_SHARED)) return c ? MAPS_KIND_NOT_CODE_VIEW : MAPS_KIND_UNMAPPED;
        uintptr_t step = c->end - (code + done);   /* bytes of this code region from here */
        if (write) {
            const maps_region *w = region_at(regions, count, write + done);
            if (!is_view(w, MAPS_READ | MAPS_WRITE | MAPS_SHARED) || w->device != c->device || w->inode != c->inode ||
                c->offset + (code + done - c->start) != w->offset + (write + done - w->start))
                return MAPS_KIND_NOT_WRITE_VIEW;
            if (w->end - (write + done) < step) step = w->end - (write + done);
        }
        if (step >= size - done) break;
        done += step;
    }
    return MAPS_KIND_BUFFER;
}

/* [start, last] lies wholly in home's region, which is writable and executable. */
static bool in_home(const maps_region *regions, size_t count, uintptr_t start, uintptr_t last, uintptr_t home) {
    size_t n = region_after(regions, count, home);
    if (n == count || regions[n].start > home) return false;
    const uint8_t wx = MAPS_WRITE | MAPS_EXECUTE;
    return (regions[n].permissions & wx) == wx && start >= regions[n].start && last < regions[n].end;
}

maps_kind maps_check_range(const maps_region *regions, size_t count, uintptr_t start, uintptr_t size,
                           uintptr_t home, uintptr_t header_size) {
    if (size == 0 || start > UINTPTR_MAX - (size - 1)) return MAPS_KIND_UNMAPPED;
    uintptr_t last = start + (size - 1);
    if (home) {
        uintptr_t header_last = header_size && home <= UINTPTR_MAX - (header_size - 1) ? home + (header_size - 1) : home;
        if (start <= header_last && last >= home) return MAPS_KIND_HOME_HEADER;
        if (in_home(regions, count, start, last, home)) return MAPS_KIND_BUFFER;
    }
    uintptr_t next = start;   /* the first byte not yet covered */
    for (size_t n = region_after(regions, count, start); n < count; n++) {
        if (regions[n].start > next) return MAPS_KIND_UNMAPPED;
        if (regions[n].kind != MAPS_KIND_BUFFER) return (maps_kind)regions[n].kind;
        if (regions[n].end - 1 >= last) return MAPS_KIND_BUFFER;
        next = regions[n].end;
    }
    return MAPS_KIND_UNMAPPED;
}

const char *maps_kind_text(maps_kind kind) {
    switch (kind) {
    case MAPS_KIND_BUFFER: return "buffer memory";
    case MAPS_KIND_UNMAPPED: return "not (wholly) mapped";
    case MAPS_KIND_NOT_RWX: return "private memory that is not readable, writable and executable";
    case MAPS_KIND_SHARED: return "a shared mapping";
    case MAPS_KIND_FILE: return "a file mapping";
    case MAPS_KIND_SPECIAL: return "a mapping the kernel names (heap, stack, vdso)";
    case MAPS_KIND_HOME_HEADER: return "the header of the locator that lists it";
    case MAPS_KIND_NOT_CODE_VIEW: return "not a read+execute view of this library's write-xor-execute memory";
    case MAPS_KIND_NOT_WRITE_VIEW: return "not paired with a read+write view of the same memory at the same offset";
    }
    return "unknown";
}
