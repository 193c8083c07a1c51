/* The two kinds of library copy a coexistence scenario puts in one process: libbuffers (linked in)
 * and an upstream stand-in. Both are driven through the same small interface. */
#ifndef COEXISTENCE_SIDES_H
#define COEXISTENCE_SIDES_H

#include "coexistence_check.h"
#include "upstream_emulator.h"

typedef struct writer {
    const char *name;
    int side;
    upstream_library *upstream;   /* NULL: libbuffers */
} writer;

/* Writes size bytes of pattern(tag) through the writer (get, append, release) anywhere in
 * [0, upstream_max_address()] and returns the record (address 0 if it failed). */
written write_through(const writer *w, uint32_t size, uint32_t tag);

/* The locator address the writer uses (0 if it has none). */
uintptr_t locator_of(const writer *w);

/* The writer's view of every registered buffer; free with free_view. */
side_view view_of(const writer *w);
void free_view(side_view *view);

/* Runs threads_each threads per writer at once, each making writes_each writes of 8..192 bytes;
 * appends every record to *log (which must have room). */
void write_concurrently(const writer *a, const writer *b, int threads_each, int writes_each, written *log,
                        size_t *log_count);

#endif
