#include "pure/maps.h"

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

/* "<offset> <major>:<minor> <inode>" after the permissions; false if any part is missing. */
static bool parse_identity(const char *line, size_t length, size_t at, maps_entry *out) {
    uint64_t offset, major, minor, inode;
    while (at < length && line[at] != ' ') at++;           /* permissions */
    skip_spaces(line, length, &at);
    if (!parse_hex(line, length, &at, 16, &offset)) return false;
    skip_spaces(line, length, &at);
    if (!parse_hex(line, length, &at, 8, &major) || !expect(line, length, &at, ':')) return false;
    if (!parse_hex(line, length, &at, 8, &minor)) return false;
    skip_spaces(line, length, &at);
    if (!parse_decimal(line, length, &at, &inode)) return false;
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
    out->has_identity = parse_identity(line, length, at, out);
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
