#include "pure/reach.h"

#include "pure/address_range.h"

bool reach_within(size_t distance, const uintptr_t *targets, size_t count, reach_window *out, size_t *lowest,
                  size_t *highest) {
    size_t low = 0, high = 0;
    for (size_t i = 1; i < count; i++) {
        if (targets[i] < targets[low]) low = i;
        if (targets[i] > targets[high]) high = i;
    }
    *lowest = low;
    *highest = high;
    /* Saturating subtraction and addition keep order, so the intersection of every
     * [t - distance, t + distance] is bounded by the two extreme targets alone. */
    reach_window window = {range_saturating_sub(targets[high], distance),
                           range_saturating_add(targets[low], distance)};
    if (window.min > window.max) return false;
    *out = window;
    return true;
}

reach_window reach_rel32(uintptr_t jump) {
#if UINTPTR_MAX > 0xFFFFFFFFu
    /* jump + 5 - 2^31 and jump + 5 + 2^31 - 1, written so that neither side can overflow first. */
    reach_window window = {range_saturating_sub(jump, (uintptr_t)0x7FFFFFFB),
                           range_saturating_add(jump, (uintptr_t)0x80000004)};
#else
    (void)jump;
    reach_window window = {0, UINTPTR_MAX};
#endif
    return window;
}

bool reach_holds(reach_window window, uint32_t size) {
    return size >= 1 && window.max - window.min >= (uintptr_t)size - 1;
}
