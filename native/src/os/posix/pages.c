/* Page size and protection on Linux and macOS (os/posix/pages.h). */
#define _DEFAULT_SOURCE
#define _DARWIN_C_SOURCE
#define _POSIX_C_SOURCE 200809L

#include "os/vmem.h"
#include "os/posix/pages.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

/* Computed on first use; racing threads compute the same value, so relaxed atomics suffice. */
size_t vmem_page_size(void) {
    static _Atomic(size_t) cached;
    size_t value = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!value) {
        value = (size_t)sysconf(_SC_PAGESIZE);   /* 4 KiB, 16 KiB on Apple Silicon, up to 64 KiB on aarch64 Linux */
        atomic_store_explicit(&cached, value, memory_order_relaxed);
    }
    return value;
}

uint32_t vmem_allocation_granularity(void) {
    return (uint32_t)vmem_page_size();
}

int pages_protect(uintptr_t address, size_t size, vmem_protection protection) {
    uintptr_t page = vmem_page_size();
    uintptr_t start = address & ~(page - 1);
    uintptr_t end = (address + size + page - 1) & ~(page - 1);
    int prot = PROT_READ;
    if (protection != VMEM_READ_EXECUTE) prot |= PROT_WRITE;
    if (protection != VMEM_READ_WRITE) prot |= PROT_EXEC;
    return mprotect((void *)start, end - start, prot) == 0 ? 0 : errno;
}
