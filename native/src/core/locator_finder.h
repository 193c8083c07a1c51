/* Finds this process's shared locator: opens or creates the named mapping, adopts the locator some
 * copy of the library (or another implementation of the format) made first, or initialises it. */
#ifndef BUFFERS_LOCATOR_FINDER_H
#define BUFFERS_LOCATOR_FINDER_H

#include "core/locator.h"


/* The cached locator of this process (the fast path touches no file system): the first of the
 * write-xor-execute chain when dual, else the first of the ordinary chain. A process's copy of the
 * library asks for one of the two only (its mode is settled before its first use). */
buffers_status finder_locator(bool dual, locator **out);

/* Opens the mapping called name without any caching: adopts the locator recorded in it when that is
 * another copy's live mapping of the same object in this process, else initialises it here and keeps
 * the mapping for good. Which object that is (replacing stale ones, stepping aside for other
 * processes' live ones) is the OS layer's decision: see vmem_shared_open and locator-security.md. */
buffers_status finder_open(const char *name, locator **out);

/* Chooses the folder the locator directories live under (vmem_shared_set_root), before this
 * process's locator is open; INVALID_ARGUMENT after, or for a path the OS layer refuses. */
buffers_status finder_set_root(const char *directory);

#endif
