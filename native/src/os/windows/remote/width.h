/* Windows OS layer, internal: whether another process has this process's pointer width. */
#ifndef BUFFERS_VMEM_WINDOWS_WIDTH_H
#define BUFFERS_VMEM_WINDOWS_WIDTH_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "os/vmem.h"

/* A 64-bit locator and a 32-bit one differ in layout, so a locator is shared only between
 * processes of the same width: both run under WOW64, or neither does. false also when the width
 * cannot be told (process needs PROCESS_QUERY_INFORMATION or _LIMITED_INFORMATION). */
static inline bool windows_same_width(HANDLE process) {
    BOOL ours = FALSE, theirs = FALSE;
    if (!IsWow64Process(GetCurrentProcess(), &ours) || !IsWow64Process(process, &theirs)) return false;
    return ours == theirs;
}

/* 0 if process (pid) has our width; otherwise VMEM_UNSUPPORTED with where saying so. */
static inline int windows_check_width(HANDLE process, uint32_t pid, char *where, size_t where_size) {
    if (windows_same_width(process)) return 0;
    snprintf(where, where_size, "process %u is not a %u-bit process (or its width cannot be told); a locator is "
             "shared only between processes of the same width", (unsigned)pid, (unsigned)(sizeof(void *) * 8));
    return VMEM_UNSUPPORTED;
}

#endif
