/* The OS layer for macOS: memory primitives over Mach VM and mmap. The locator file is in
 * os/macos/shared.c; other processes are not supported (os/macos/remote/unsupported.c).
 *
 * Apple Silicon enforces write-xor-execute: ordinary pages are never writable and executable at
 * once. Memory that may hold code is therefore mapped with MAP_JIT, whose pages are writable or
 * executable per thread: pthread_jit_write_protect_np(0) lets this thread write them (and not run
 * them), (1) the reverse. vmem_write_xor_execute() is true there, so every code write of the core
 * calls vmem_protect(READ_WRITE) / copy / vmem_protect(READ_EXECUTE), which on arm64 flip this
 * thread's switch: other threads keep running the code while one writes (an mprotect flip would
 * fault them). Intel Macs have no such rule: plain read/write/execute pages. */
#define _DARWIN_C_SOURCE

#include "os/vmem.h"

#include <errno.h>
#include <libkern/OSCacheControl.h>
#include <mach/mach.h>
#include <mach/vm_param.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "os/macos/mach_vm.h"
#include "os/posix/pages.h"

#if defined(__aarch64__)
#define CODE_MAP_FLAGS (MAP_PRIVATE | MAP_ANON | MAP_JIT)
#else
#define CODE_MAP_FLAGS (MAP_PRIVATE | MAP_ANON)
#endif

uintptr_t vmem_min_address(void) {
    /* Page zero is never mappable; a 64-bit program's __PAGEZERO (4 GiB) shows in the walk as used. */
    return vmem_page_size();
}

uintptr_t vmem_max_address(void) {
    /* The end of the user address space the headers give (x86_64 0x7FFFFFE00000, arm64 0x7FFFFE000000). */
    return (uintptr_t)MACH_VM_MAX_ADDRESS - 1;
}

bool macos_fits_user_space(uintptr_t address, size_t size) {
    return address >= vmem_min_address() && address <= vmem_max_address() && size <= vmem_max_address() - address + 1;
}

bool vmem_supports_other_processes(void) {
    return false;   /* see os/macos/remote/unsupported.c */
}

static bool is_self(uint32_t pid) {
    return pid == 0 || pid == vmem_current_process_id();
}

int macos_errno_of(kern_return_t result) {
    switch (result) {
        case KERN_SUCCESS: return 0;
        case KERN_NO_SPACE: return EEXIST;   /* the range is (partly) in use */
        case KERN_RESOURCE_SHORTAGE: return ENOMEM;
        case KERN_PROTECTION_FAILURE: return EACCES;
        default: return EINVAL;
    }
}

#if defined(__aarch64__)
/* MAP_JIT memory exactly at address: mmap takes the address as a hint and, when the range is free,
 * maps there; any other answer is undone and refused. (MAP_FIXED would replace what is there, and
 * mach_vm_allocate cannot make JIT memory.) */
static int reserve_code_at(uintptr_t address, size_t size) {
    void *wanted = (void *)address;
    void *got = mmap(wanted, size, PROT_READ | PROT_WRITE | PROT_EXEC, CODE_MAP_FLAGS, -1, 0);
    if (got == MAP_FAILED) return errno;
    if (got != wanted) {
        munmap(got, size);
        return EEXIST;
    }
    return 0;
}
#else
/* VM_FLAGS_FIXED without VM_FLAGS_OVERWRITE fails (KERN_NO_SPACE) rather than replace a mapping. */
static int reserve_code_at(uintptr_t address, size_t size) {
    mach_vm_address_t at = address;
    kern_return_t result = mach_vm_allocate(mach_task_self(), &at, size, VM_FLAGS_FIXED);
    if (result != KERN_SUCCESS) return macos_errno_of(result);
    result = mach_vm_protect(mach_task_self(), at, size, FALSE, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE);
    if (result != KERN_SUCCESS) munmap((void *)address, size);
    return macos_errno_of(result);
}
#endif

int vmem_reserve_at(uint32_t pid, uintptr_t address, size_t size) {
    if (!is_self(pid)) return VMEM_UNSUPPORTED;
    if (!macos_fits_user_space(address, size)) return EINVAL;
    return reserve_code_at(address, size);
}

int vmem_reserve_anywhere(size_t size, uintptr_t *out_address) {
#if defined(__aarch64__)
    /* Further locators: their header is written as data by any thread, which MAP_JIT pages forbid
     * unless that thread flips its switch; so plain read/write memory here, and core/locator.c puts
     * no code chunks in it where vmem_write_xor_execute(). */
    void *got = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
#else
    void *got = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, CODE_MAP_FLAGS, -1, 0);
#endif
    if (got == MAP_FAILED) return errno;
    *out_address = (uintptr_t)got;
    return 0;
}

int vmem_release(uint32_t pid, uintptr_t address, size_t size) {
    if (!is_self(pid)) return VMEM_UNSUPPORTED;
    return munmap((void *)address, size) == 0 ? 0 : errno;
}

int vmem_protect(uintptr_t address, size_t size, vmem_protection protection) {
#if defined(__aarch64__)
    /* Code memory is MAP_JIT (read/write/execute at the VM level): writable or executable is this
     * thread's switch. */
    if (protection != VMEM_READ_WRITE_EXECUTE) {
        pthread_jit_write_protect_np(protection == VMEM_READ_EXECUTE);
        return 0;
    }
#endif
    return pages_protect(address, size, protection);
}

bool vmem_write_xor_execute(void) {
#if defined(__aarch64__)
    return true;
#else
    return false;
#endif
}

int vmem_rwx_refusal(void) {
    return 0;   /* MAP_JIT is how code memory is had here */
}

void vmem_flush_instruction_cache(uintptr_t start, uintptr_t end) {
    if (end > start) sys_icache_invalidate((void *)start, end - start);
}

int vmem_replace_with_zero_pages(uintptr_t address, size_t size) {
    /* MAP_FIXED swaps the pages in one step: the range is never free for another mapping. */
    void *at = mmap((void *)address, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
    return at == MAP_FAILED ? errno : 0;
}

/* mach_vm_region answers the first region at or above the address asked about; the hole before it
 * is free, and KERN_INVALID_ADDRESS means nothing is mapped above. */
int vmem_walk_free(uint32_t pid, uintptr_t min, uintptr_t max, vmem_walk_mode mode, vmem_free_gap_fn gap,
                   void *context) {
    if (!is_self(pid) || mode != VMEM_WALK_REGIONS) return VMEM_UNSUPPORTED;
    uintptr_t limit = max < vmem_max_address() ? max : vmem_max_address();
    uintptr_t cursor = min > vmem_min_address() ? min & ~(uintptr_t)(vmem_page_size() - 1) : vmem_min_address();
    while (cursor <= limit) {
        mach_vm_address_t address = cursor;
        mach_vm_size_t size = 0;
        vm_region_basic_info_data_64_t info;
        mach_msg_type_number_t count = VM_REGION_BASIC_INFO_COUNT_64;
        mach_port_t object = MACH_PORT_NULL;
        kern_return_t result = mach_vm_region(mach_task_self(), &address, &size, VM_REGION_BASIC_INFO_64,
                                              (vm_region_info_t)&info, &count, &object);
        if (result == KERN_INVALID_ADDRESS) {   /* nothing above cursor */
            gap(cursor, limit + 1, context);
            return 0;
        }
        if (result != KERN_SUCCESS) return macos_errno_of(result);
        if (address > cursor) {
            uintptr_t end = address <= limit ? (uintptr_t)address : limit + 1;
            if (gap(cursor, end, context)) return 0;
        }
        if (size == 0 || address + size <= address || address + size > (mach_vm_address_t)limit) return 0;
        cursor = (uintptr_t)(address + size);
    }
    return 0;
}

int vmem_exclude_from_fork(uintptr_t address, size_t size) {
    uintptr_t page = vmem_page_size();
    uintptr_t start = address & ~(page - 1), end = (address + size + page - 1) & ~(page - 1);
    return minherit((void *)start, end - start, VM_INHERIT_NONE) == 0 ? 0 : errno;   /* MADV_DONTFORK's twin */
}
