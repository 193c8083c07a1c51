/* Pages on POSIX systems (Linux, macOS): the page size facts of os/vmem.h are defined in
 * os/posix/pages.c; each OS's vmem_protect ends in pages_protect. */
#ifndef BUFFERS_OS_POSIX_PAGES_H
#define BUFFERS_OS_POSIX_PAGES_H

#include "os/vmem.h"

/* mprotect over the whole pages that [address, address + size) touches; 0 or errno. */
int pages_protect(uintptr_t address, size_t size, vmem_protection protection);

#endif
