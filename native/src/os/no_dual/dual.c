/* The write-xor-execute verbs of vmem.h for builds that do not make such buffers (macOS today: Apple
 * silicon keeps buffers write-xor-execute with MAP_JIT instead, Intel Macs have neither). Compiled
 * into those builds only; includes nothing of any OS. */
#include "os/vmem.h"

#include <stdio.h>

bool vmem_supports_dual(void) {
    return false;
}

int vmem_reserve_dual_at(uintptr_t address, size_t size, uintptr_t *out_write) {
    (void)address;
    (void)size;
    (void)out_write;
    return VMEM_UNSUPPORTED;
}

int vmem_release_dual(uintptr_t address, uintptr_t write, size_t size) {
    (void)address;
    (void)write;
    (void)size;
    return VMEM_UNSUPPORTED;
}

bool vmem_is_dual_buffer_memory(const vmem_memory_map *map, uintptr_t code, uintptr_t write, size_t size, char *why,
                                size_t why_size) {
    (void)map;
    (void)code;
    (void)write;
    (void)size;
    snprintf(why, why_size, "write-xor-execute buffers are not made by this build");
    return false;
}
