/* The public reach helpers: search settings from several targets, and the exact window of a
 * jmp rel32. The arithmetic is pure/reach.c; here are the argument checks and the messages. */
#include <reloaded/buffers.h>

#include "core/errors.h"
#include "pure/reach.h"

buffers_status buffers_search_settings_within(size_t distance, const uintptr_t *targets, size_t count, uint32_t size,
                                              buffers_search_settings *out) {
    if (!targets || !count)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "within: no targets (targets %s, count %zu)",
                          targets ? "given" : "null", count);
    if (!out) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "within: out is null");
    if (!size) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "within: size is 0");
    reach_window window;
    size_t low, high;
    if (!reach_within(distance, targets, count, &window, &low, &high))
        return errors_set(BUFFERS_ERROR_NO_SPACE,
                          "within: targets %#llx (index %zu) and %#llx (index %zu) are %#llx bytes apart, more than "
                          "twice the distance %#llx: no address is within %#llx of both",
                          (unsigned long long)targets[low], low, (unsigned long long)targets[high], high,
                          (unsigned long long)(targets[high] - targets[low]), (unsigned long long)distance,
                          (unsigned long long)distance);
    if (!reach_holds(window, size))
        return errors_set(BUFFERS_ERROR_NO_SPACE,
                          "within: only [%#llx, %#llx] is within %#llx of targets %#llx and %#llx; %u bytes do not fit",
                          (unsigned long long)window.min, (unsigned long long)window.max,
                          (unsigned long long)distance, (unsigned long long)targets[low],
                          (unsigned long long)targets[high], (unsigned)size);
    out->min_address = window.min;
    out->max_address = window.max;
    out->size = size;
    return BUFFERS_OK;
}

buffers_search_settings buffers_search_settings_rel32(uintptr_t jump_address, uint32_t size) {
    reach_window window = reach_rel32(jump_address);
    buffers_search_settings settings = {window.min, window.max, size};
    return settings;
}
