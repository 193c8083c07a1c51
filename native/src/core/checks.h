/* Argument checks shared by the public API and the remote wing, and branch hints. */
#ifndef BUFFERS_API_CHECKS_H
#define BUFFERS_API_CHECKS_H

#include <reloaded/buffers.h>

#include "core/errors.h"

#if defined(__GNUC__)
#define BUFFERS_LIKELY(x)   __builtin_expect(!!(x), 1)
#define BUFFERS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define BUFFERS_COLD        __attribute__((noinline, cold))
#define BUFFERS_NOINLINE    __attribute__((noinline))
#else
#define BUFFERS_LIKELY(x)   (x)
#define BUFFERS_UNLIKELY(x) (x)
#define BUFFERS_COLD
#define BUFFERS_NOINLINE
#endif

static inline buffers_status check_range(uintptr_t min, uintptr_t max, uint32_t size) {
    if (min > max)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "min_address %#llx is above max_address %#llx",
                          (unsigned long long)min, (unsigned long long)max);
    if (size == 0) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "size is 0");
    return BUFFERS_OK;
}

#endif
