/* Finds free address space inside [min, max] and reserves it: probes next to the middle of the
 * range first (one system call in the common case), then walks the free gaps and tries the
 * candidates nearest the middle, repeating when other threads take the space in between. */
#ifndef BUFFERS_ALLOCATOR_H
#define BUFFERS_ALLOCATOR_H

#include <reloaded/buffers.h>

typedef struct allocator_result {
    uintptr_t base_address;
    size_t    size;            /* the request rounded up to the allocation granularity */
    uint32_t  process_id;      /* 0 for this process */
    uintptr_t write_address;   /* where the bytes are written: base_address, or the writable view */
} allocator_result;

/* A buffer's size and the number of walks when the caller does not say (the public defaults). */
enum { ALLOCATOR_DEFAULT_SIZE = 4096, ALLOCATOR_DEFAULT_RETRIES = 8 };

/* Anywhere in this process's address space, ALLOCATOR_DEFAULT_SIZE, brute force allowed. */
buffers_allocator_settings allocator_settings_default(void);

/* Settings were validated by the caller except for what only the OS can tell. A mapping the system
 * refuses (EACCES/EPERM: a policy) is BUFFERS_ERROR_PERMISSION naming it, never NO_SPACE. */
buffers_status allocator_reserve(const buffers_allocator_settings *settings, allocator_result *out);

/* As allocator_reserve, as a write-xor-execute buffer (vmem_reserve_dual_at), this process only:
 * read+execute at base_address, written at write_address. */
buffers_status allocator_reserve_dual(const buffers_allocator_settings *settings, allocator_result *out);

/* How many free-space walks (memory-map reads) this process has made: tests use it to prove the
 * common case needs none. */
unsigned long allocator_walk_count(void);

#endif
