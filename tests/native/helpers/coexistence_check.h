/* Bookkeeping for the coexistence helper: every write is recorded (where it went, how long, a tag
 * that fixes its bytes), and afterwards every byte and every buffer is checked. Problems are printed
 * as "problem: ..." lines; each check returns how many it found. */
#ifndef COEXISTENCE_CHECK_H
#define COEXISTENCE_CHECK_H

#include <stddef.h>
#include <stdint.h>

enum side { SIDE_US = 0, SIDE_UPSTREAM = 1, SIDE_UPSTREAM_2 = 2 };

typedef struct written {
    uintptr_t address;   /* 0: the write failed */
    uint32_t size;
    uint32_t tag;        /* unique per write; the bytes are pattern(tag) */
    int side;
} written;

/* One buffer as one side (a library copy) reads it from the locator. */
typedef struct buffer_view {
    uintptr_t base;
    uint32_t size, position;
} buffer_view;

typedef struct side_view {
    const char *name;
    int side;            /* the writes of this side must lie in its buffers */
    buffer_view *buffers;
    size_t count;
} side_view;

void pattern_fill(uint8_t *out, uint32_t size, uint32_t tag);

/* Every write succeeded, its bytes are still pattern(tag), and no two overlap (sorts all). */
size_t check_writes(written *all, size_t count);

/* Against one side's view: each write of that side lies inside one of its buffers; each write inside
 * a buffer of the view ends at or below base + position (else it would be handed out again). */
size_t check_view(const side_view *view, const written *all, size_t count);

/* Both sides list the same buffers (base, size, position), in any order (sorts both). */
size_t check_views_agree(side_view *a, side_view *b);

/* Prints a problem line (at most the first 20 are printed; all are counted by the callers). */
void report_problem(const char *format, ...);

#endif
