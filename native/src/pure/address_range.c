#include "pure/address_range.h"

uintptr_t range_round_down(uintptr_t value, uintptr_t unit) {
    return value & ~(unit - 1);
}

bool range_round_up(uintptr_t value, uintptr_t unit, uintptr_t *out) {
    uintptr_t down = range_round_down(value, unit);
    if (down == value) {
        *out = value;
        return true;
    }
    if (down > UINTPTR_MAX - unit) return false;
    *out = down + unit;
    return true;
}

uintptr_t range_saturating_add(uintptr_t a, uintptr_t b) {
    return a > UINTPTR_MAX - b ? UINTPTR_MAX : a + b;
}

uintptr_t range_saturating_sub(uintptr_t a, uintptr_t b) {
    return a < b ? 0 : a - b;
}

uintptr_t range_midpoint(uintptr_t min, uintptr_t max) {
    return min + (max - min) / 2;
}

uintptr_t range_distance(uintptr_t a, uintptr_t b) {
    return a > b ? a - b : b - a;
}

bool range_best_start(uintptr_t gap_start, uintptr_t gap_end, uintptr_t min, uintptr_t max,
                      size_t size, size_t granularity, uintptr_t target, uintptr_t *out) {
    if (size == 0 || granularity == 0 || gap_end <= gap_start || min > max) return false;
    /* Lowest start: inside both the gap and the request, on a granule. */
    uintptr_t low;
    if (!range_round_up(gap_start > min ? gap_start : min, granularity, &low)) return false;
    /* Highest start: the buffer ends inside the gap (exclusive end) and its last byte is at or
     * below max (inclusive). */
    if (gap_end - gap_start < size || max < size - 1) return false;
    uintptr_t from_gap = gap_end - size, from_request = max - (size - 1);
    uintptr_t high = range_round_down(from_gap < from_request ? from_gap : from_request, granularity);
    if (low > high) return false;
    /* Start whose buffer middle sits on target, then clamp and snap to the nearer granule. */
    uintptr_t wanted = range_saturating_sub(target, size / 2);
    if (wanted <= low) {
        *out = low;
    } else if (wanted >= high) {
        *out = high;
    } else {
        uintptr_t below = range_round_down(wanted, granularity);
        uintptr_t above = below + granularity;   /* <= high because wanted < high and high is aligned */
        *out = (wanted - below <= above - wanted) ? below : above;
    }
    return true;
}
