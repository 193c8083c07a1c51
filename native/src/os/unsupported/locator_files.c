/* os/locator_files.h where locator files are not walked: Windows (its locators are named sections
 * that die with their process: nothing to list or clean) and macOS (not wired yet). Every verb
 * answers VMEM_UNSUPPORTED; the core turns that into BUFFERS_ERROR_UNSUPPORTED. */
#include "os/locator_files.h"

#include <stdio.h>

int vmem_locator_files_walk(const char *root, const char *prefix, vmem_locator_file_fn fn, void *context) {
    (void)root, (void)prefix, (void)fn, (void)context;
    return VMEM_UNSUPPORTED;
}

int vmem_locator_file_read(const char *path, void *out, size_t size, size_t *out_read) {
    (void)path, (void)out, (void)size;
    *out_read = 0;
    return VMEM_UNSUPPORTED;
}

int vmem_locator_memory_read(uint32_t pid, uintptr_t address, void *out, size_t size) {
    (void)pid, (void)address, (void)out, (void)size;
    return VMEM_UNSUPPORTED;
}

uint32_t vmem_process_pointer_size(uint32_t pid) {
    (void)pid;
    return 0;
}

vmem_file_state vmem_locator_file_state(const char *path, uint32_t pid) {
    (void)path, (void)pid;
    return VMEM_FILE_LIVE;
}

int vmem_locator_file_remove_stale(const char *path, const char *prefix, bool dry_run, bool *removed, char *why,
                                   size_t why_size) {
    (void)path, (void)prefix, (void)dry_run;
    *removed = false;
    snprintf(why, why_size, "locator files are not walked on this platform");
    return VMEM_UNSUPPORTED;
}
