/* Pure address arithmetic: rounding, overflow-safe bounds, and where to put a buffer inside a free
 * gap. No OS calls, so every case is unit-tested and fuzzed alone. */
#ifndef BUFFERS_ADDRESS_RANGE_H
#define BUFFERS_ADDRESS_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* value rounded down / up to a multiple of unit (unit a power of two). round_up saturates: returns
 * false when the result would not fit. */
uintptr_t range_round_down(uintptr_t value, uintptr_t unit);
bool      range_round_up(uintptr_t value, uintptr_t unit, uintptr_t *out);

uintptr_t range_saturating_add(uintptr_t a, uintptr_t b);
uintptr_t range_saturating_sub(uintptr_t a, uintptr_t b);

/* The midpoint of [min, max] without overflow. */
uintptr_t range_midpoint(uintptr_t min, uintptr_t max);

/* Where a buffer of size bytes may go: inside the free gap [gap_start, gap_end) and wholly inside
 * the request [min, max], both ends inclusive (start >= min, start + size - 1 <= max), starting on a
 * multiple of granularity. Of all such starts, *out gets the one whose buffer middle is nearest
 * target (ties: the lower). False when none exists. */
bool range_best_start(uintptr_t gap_start, uintptr_t gap_end, uintptr_t min, uintptr_t max,
                      size_t size, size_t granularity, uintptr_t target, uintptr_t *out);

/* Distance between two addresses. */
uintptr_t range_distance(uintptr_t a, uintptr_t b);

#endif
