/* Finds this process's shared locator: opens or creates the named mapping, adopts the locator some
 * copy of the library (or another implementation of the format) made first, or initialises it. */
#ifndef BUFFERS_LOCATOR_FINDER_H
#define BUFFERS_LOCATOR_FINDER_H

#include "locator.h"

#define LOCATOR_NAME_PREFIX "Reloaded.Memory.Buffers.MemoryBuffer, PID "

/* The cached locator of this process (the fast path touches no file system). */
buffers_status finder_locator(locator **out);

/* Opens the mapping called name without any caching: adopts the locator recorded in it when that is
 * a live mapping of the same object in this process, else (new, garbage or a dead process's file)
 * initialises it here and keeps the mapping for good. */
buffers_status finder_open(const char *name, locator **out);

/* The locator finder_locator cached, or NULL before the first success: never opens anything. */
locator *finder_cached_locator(void);

#endif
