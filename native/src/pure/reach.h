/* Reach windows for code that jumps: the addresses a chunk may occupy so that every one of its bytes
 * can be reached from given places. Windows are inclusive at both ends and saturate at 0 and at
 * UINTPTR_MAX. No OS calls: unit-tested and property-tested alone. */
#ifndef BUFFERS_REACH_H
#define BUFFERS_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct reach_window {
    uintptr_t min, max;    /* inclusive */
} reach_window;

/* The addresses within distance of every target: [highest - distance, lowest + distance],
 * saturated. *lowest and *highest get the indices of the lowest and highest targets (the pair that
 * decides whether a window exists). False when no address is within distance of both. count >= 1. */
bool reach_within(size_t distance, const uintptr_t *targets, size_t count, reach_window *out, size_t *lowest,
                  size_t *highest);

/* The destinations of a 5-byte jmp rel32 at jump: the displacement is a signed 32-bit number added
 * to the address after the instruction, so [jump + 5 - 2^31, jump + 5 + 2^31 - 1], saturated at the
 * ends of the address space. Where addresses are 32 bits the sum wraps modulo 2^32, so every address
 * is reachable and the window is the whole space. */
reach_window reach_rel32(uintptr_t jump);

/* Whether a chunk of size bytes (size >= 1) fits in the window. */
bool reach_holds(reach_window window, uint32_t size);

#endif
