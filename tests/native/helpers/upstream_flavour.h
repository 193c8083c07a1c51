/* What differs between the two upstream stand-ins; upstream_emulator.c does the rest. */
#ifndef UPSTREAM_FLAVOUR_H
#define UPSTREAM_FLAVOUR_H

#include "upstream_emulator.h"

typedef struct upstream_flavour {
    upstream_layout layout;
    bool swap_lock;        /* Rust: an item is locked by swap(1) == 0; C#: compare-and-swap 0 -> 1 */
    /* Opens or creates the locator file at path (its directory first); sets *existed the upstream
     * way. Returns the descriptor, -1 on failure. */
    int (*open_file)(const char *directory, const char *path, bool *existed);
    int map_protection;    /* PROT_* of the locator mapping */
    /* Memory for a further locator (C#: anonymous RWX mapping; Rust: the heap). */
    void *(*allocate_locator)(size_t size);
} upstream_flavour;

upstream_library *upstream_library_new(const upstream_flavour *flavour);

/* mkdir -p of the upstream directory under the root with the given mode (errors ignored, as
 * upstream does). */
void upstream_make_directories(const char *directory, unsigned mode);

#endif
