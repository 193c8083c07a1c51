/* Test-only stand-ins for the two upstream Reloaded.Memory.Buffers libraries (C# v3 and Rust v4),
 * written from the description in /work/shared/reference/upstream.md, so the coexistence tests can
 * put "an upstream library" and libbuffers into one process. Each stand-in finds or creates the
 * locator file the way its upstream does, reads and writes the locator in ITS layout, and locks items
 * the way it does (C#: compare-and-swap; Rust: an unconditional swap), checking an item only before
 * locking it. See docs/coexistence-tests.md for what is reproduced and the two places that are not.
 *
 * A upstream_library is one loaded copy of an upstream library: it has its own cached locator
 * pointer, as a second copy of the real library would. */
#ifndef UPSTREAM_EMULATOR_H
#define UPSTREAM_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct upstream_library upstream_library;
typedef struct upstream_item upstream_item;   /* an item inside the locator, locked by the caller */

/* Where each upstream keeps the fields (offsets in bytes; upstream.md section 2). */
typedef struct upstream_layout {
    const char *name;          /* "csharp" or "rust" */
    size_t header_size;        /* 24 on 64-bit, 16 on 32-bit */
    size_t count_offset;       /* the item count byte */
    size_t item_size;          /* 20 on 64-bit, 16 on 32-bit */
    size_t taken_offset, size_offset, position_offset;
} upstream_layout;

/* A fresh copy of the library (nothing is touched until its first call). Never freed: like the
 * real libraries, a copy lives as long as the process. NULL if out of memory. */
upstream_library *upstream_csharp_load(void);
upstream_library *upstream_rust_load(void);

const upstream_layout *upstream_layout_of(const upstream_library *library);

/* The first locator's address: the cached one, or found/created as the upstream does; 0 if the
 * file could not be opened or mapped (the real libraries throw or panic there). */
uintptr_t upstream_locator_address(upstream_library *library);

/* GetBuffer exactly as upstream: first item in [0, count) that passes CanUse and then TryLock, else
 * a new buffer registered under the header lock (next locator when full). NULL on failure. */
upstream_item *upstream_get_buffer(upstream_library *library, uint32_t size, uintptr_t min, uintptr_t max);

/* Append exactly as upstream: copies to base + position and advances position, with no check. */
uintptr_t upstream_append(upstream_library *library, upstream_item *item, const void *data, uint32_t size);
void upstream_release(upstream_library *library, upstream_item *item);
uint32_t upstream_bytes_left(upstream_library *library, const upstream_item *item);   /* size - position, u32 */

/* get + append + release, except that an item that no longer has room once locked (upstream's
 * check-before-lock race, upstream.md section 5) is released and the search repeated instead of
 * overrunning it; upstream_overrun_retries counts those. Returns the address written to, 0 on failure. */
uintptr_t upstream_write(upstream_library *library, uintptr_t min, uintptr_t max, const void *data, uint32_t size);
unsigned upstream_overrun_retries(const upstream_library *library);

/* One registered item as this library reads it. */
typedef struct upstream_buffer {
    uintptr_t base;
    uint32_t size, position, taken;
    uintptr_t item_address;   /* where the item lies in the locator */
} upstream_buffer;

/* Copies up to capacity items of the whole chain, as this library reads them; returns the total. */
size_t upstream_list(upstream_library *library, upstream_buffer *out, size_t capacity);

/* The highest address the upstream libraries use by default on Linux (upstream.md 1.2.4). */
uintptr_t upstream_max_address(void);

#ifdef __cplusplus
}
#endif

#endif
