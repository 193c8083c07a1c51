/* Write-xor-execute buffers on Intel macOS: anonymous memory allocated at the near address, given a
 * second view of the same VM object by mach_vm_remap (copy FALSE: shared, not copied), then each
 * view's maximum and current protection set, read+execute at the address and read+write at the
 * second view, so that neither can ever be made writable and executable by a later protect.
 *
 * Apple silicon keeps MAP_JIT (os/macos/vmem.c): vmem_write_xor_execute() is true there, so the core
 * never asks for these views (MAP_JIT is Apple's way for code written at run time there). Built here with Zig, never run (docs/platforms.md, "macOS"): the self-check proves the
 * views at the first use on a Mac (api/self_check_steps.c, step "write-xor-execute-views"). */
#include "os/vmem.h"
#include "os/macos/mach_vm.h"

#include <errno.h>
#include <mach/mach.h>
#include <stdio.h>
#include <sys/mman.h>

/* The tag the read+execute view carries (its user_tag in region queries, vmmap's "Memory Tag
 * 247"): an application-specific one, the counterpart of Linux's "buffers.wx" object name. A
 * claim, like that name: other code could use it, which the object identity check does not rely on. */
#define DUAL_TAG (VM_MEMORY_APPLICATION_SPECIFIC_1 + 7)

static const vm_prot_t READ_EXECUTE = VM_PROT_READ | VM_PROT_EXECUTE, READ_WRITE = VM_PROT_READ | VM_PROT_WRITE;

bool vmem_supports_dual(void) {
    return !vmem_write_xor_execute();
}

/* Maximum first (which also drops what the current protection had beyond it), then current. */
static kern_return_t protect_for_good(mach_vm_address_t address, size_t size, vm_prot_t protection) {
    kern_return_t result = mach_vm_protect(mach_task_self(), address, size, TRUE, protection);
    return result == KERN_SUCCESS ? mach_vm_protect(mach_task_self(), address, size, FALSE, protection) : result;
}

int vmem_reserve_dual_at(uintptr_t address, size_t size, uintptr_t *out_write) {
    if (!vmem_supports_dual()) return VMEM_UNSUPPORTED;
    if (!macos_fits_user_space(address, size)) return EINVAL;
    /* VM_FLAGS_FIXED without VM_FLAGS_OVERWRITE fails (KERN_NO_SPACE) rather than replace a mapping. */
    mach_vm_address_t code = address, write = 0;
    kern_return_t result = mach_vm_allocate(mach_task_self(), &code, size, VM_FLAGS_FIXED | VM_MAKE_TAG(DUAL_TAG));
    if (result != KERN_SUCCESS) return macos_errno_of(result);
    /* Both views still have the allocation's protections here (current read+write, maximum all):
     * the second view takes them, then each is narrowed. The second view is absent from forked
     * children (VM_INHERIT_NONE): a child has no use for writing its parent's code. */
    vm_prot_t current, maximum;
    result = mach_vm_remap(mach_task_self(), &write, size, 0, VM_FLAGS_ANYWHERE, mach_task_self(), code, FALSE,
                           &current, &maximum, VM_INHERIT_NONE);
    if (result == KERN_SUCCESS) result = protect_for_good(write, size, READ_WRITE);
    if (result == KERN_SUCCESS) result = protect_for_good(code, size, READ_EXECUTE);
    if (result != KERN_SUCCESS) {
        if (write) munmap((void *)(uintptr_t)write, size);
        munmap((void *)address, size);
        return macos_errno_of(result);
    }
    *out_write = (uintptr_t)write;
    return 0;
}

int vmem_release_dual(uintptr_t address, uintptr_t write, size_t size) {
    int error = munmap((void *)address, size) == 0 ? 0 : errno;
    return munmap((void *)write, size) == 0 ? error : errno;
}

/* One VM map entry as mach_vm_region_recurse describes it (at the top level: a submap, such as the
 * shared library cache, is never a buffer's view). */
typedef struct entry {
    uintptr_t start, end;   /* [start, end) */
    vm_region_submap_info_data_64_t info;
    uint64_t object;        /* the kernel's id of the VM object behind it (0: none yet) */
} entry;

static bool entry_at(uintptr_t address, entry *out) {
    mach_vm_address_t at = address;
    mach_vm_size_t size = 0;
    natural_t depth = 0;
    mach_msg_type_number_t count = VM_REGION_SUBMAP_INFO_COUNT_64;
    if (mach_vm_region_recurse(mach_task_self(), &at, &size, &depth, (vm_region_recurse_info_t)&out->info, &count) !=
            KERN_SUCCESS ||
        at > address)
        return false;
    out->start = (uintptr_t)at;
    out->end = (uintptr_t)(at + size);
    /* The full id where the kernel gives it (macOS 10.14 and later), else the truncated 32 bits. */
    out->object = count >= VM_REGION_SUBMAP_INFO_V2_COUNT_64 ? out->info.object_id_full : out->info.object_id;
    return true;
}

static bool refuse(char *why, size_t why_size, const char *what, uintptr_t at, const char *problem) {
    snprintf(why, why_size, "the %s view at %#llx is %s (mach_vm_region_recurse)", what, (unsigned long long)at,
             problem);
    return false;
}

/* Where [start, start + size) lies in memory: one VM object and the offset in it of start. */
typedef struct placement {
    uint64_t object, offset;
} placement;

/* Every entry over [start, start + size) has exactly the current protection wanted, a maximum
 * without forbidden, and maps the same VM object at offsets that follow on from start's. What this
 * proves: at this moment the range shows that object's bytes with those rights, and no protect call
 * can add the forbidden right. What it cannot: the object id is the kernel's obfuscated pointer,
 * equal for one object while it lives, so two views showing one id at the same offset are one
 * memory, but a copy-on-write entry (SM_COW) would leave it at its first write: refused. */
static bool is_view(uintptr_t start, size_t size, vm_prot_t wanted, vm_prot_t forbidden, const char *what,
                    placement *out, char *why, size_t why_size) {
    uintptr_t last = start + (size - 1);
    for (uintptr_t at = start;;) {
        entry e;
        if (!entry_at(at, &e)) return refuse(why, why_size, what, at, "not mapped");
        if (e.info.is_submap) return refuse(why, why_size, what, at, "in a submap (shared memory of the system)");
        if (e.info.protection != wanted || (e.info.max_protection & forbidden))
            return refuse(why, why_size, what, at, wanted == READ_EXECUTE ? "not read+execute for good"
                                                                          : "not read+write for good");
        if (e.object == 0 || e.info.share_mode == SM_EMPTY || e.info.share_mode == SM_COW)
            return refuse(why, why_size, what, at, "not shared memory (copy-on-write or no object)");
        uint64_t offset = e.info.offset + (at - e.start);
        if (at == start) {
            *out = (placement){e.object, offset};
        } else if (e.object != out->object || offset != out->offset + (at - start)) {
            return refuse(why, why_size, what, at, "another memory object than the start of the range");
        }
        if (e.end == 0 || e.end - 1 >= last) return true;
        at = e.end;
    }
}

bool vmem_is_dual_buffer_memory(const vmem_memory_map *map, uintptr_t code, uintptr_t write, size_t size, char *why,
                                size_t why_size) {
    (void)map;   /* region queries answer live */
    if (size == 0 || code > UINTPTR_MAX - size || (write && write > UINTPTR_MAX - size)) {
        snprintf(why, why_size, "not a range of a write-xor-execute buffer");
        return false;
    }
    placement executed, written;
    if (!is_view(code, size, READ_EXECUTE, VM_PROT_WRITE, "read+execute", &executed, why, why_size)) return false;
    entry first;
    if (!entry_at(code, &first) || first.info.user_tag != DUAL_TAG)
        return refuse(why, why_size, "read+execute", code, "not tagged as this library's (user_tag)");
    if (!write) return true;
    if (!is_view(write, size, READ_WRITE, VM_PROT_EXECUTE, "read+write", &written, why, why_size)) return false;
    if (written.object != executed.object || written.offset != executed.offset)
        return refuse(why, why_size, "read+write", write, "not the same memory as the read+execute view");
    return true;
}
