/* Is a range buffer memory of this process? Asked of mach_vm_region region by region (the answers
 * are live: the memory map snapshot is a token) and of proc_pidinfo for a file behind a region. */
#include "os/vmem.h"
#include "os/macos/mach_vm.h"

#include <libproc.h>
#include <stdio.h>
#include <string.h>
#include <sys/proc_info.h>
#include <unistd.h>

struct vmem_memory_map {
    int unused;
};

static vmem_memory_map live_map;

int vmem_memory_map_open(vmem_memory_map **out) {
    *out = &live_map;
    return 0;
}

void vmem_memory_map_close(vmem_memory_map *map) {
    (void)map;
}

static bool refuse(char *why, size_t why_size, uintptr_t at, const char *what) {
    snprintf(why, why_size, "%s at %#llx (mach_vm_region)", what, (unsigned long long)at);
    return false;
}

typedef struct region {
    uintptr_t start, end;   /* [start, end) */
    vm_prot_t protection;
    bool shared;
} region;

/* The region holding address; false when address lies in no region. */
static bool region_at(uintptr_t address, region *out) {
    mach_vm_address_t at = address;
    mach_vm_size_t size = 0;
    vm_region_basic_info_data_64_t info;
    mach_msg_type_number_t count = VM_REGION_BASIC_INFO_COUNT_64;
    mach_port_t object = MACH_PORT_NULL;
    if (mach_vm_region(mach_task_self(), &at, &size, VM_REGION_BASIC_INFO_64, (vm_region_info_t)&info, &count,
                       &object) != KERN_SUCCESS || at > address)
        return false;
    out->start = (uintptr_t)at;
    out->end = (uintptr_t)(at + size);
    out->protection = info.protection;
    out->shared = info.shared;
    return true;
}

/* PROC_PIDREGIONPATHINFO describes the region at or above address, with the file behind it. */
static bool file_backed(uintptr_t address) {
    struct proc_regionwithpathinfo info;
    memset(&info, 0, sizeof info);
    int got = proc_pidinfo(getpid(), PROC_PIDREGIONPATHINFO, (uint64_t)address, &info, (int)sizeof info);
    return got == (int)sizeof info && info.prp_prinfo.pri_address <= (uint64_t)address && info.prp_vip.vip_path[0] != '\0';
}

static const vm_prot_t RWX = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE;

bool vmem_is_buffer_memory(const vmem_memory_map *map, uintptr_t address, size_t size, uintptr_t home,
                           size_t header_size, char *why, size_t why_size) {
    (void)map;
    if (size == 0 || address > UINTPTR_MAX - (size - 1)) return refuse(why, why_size, address, "an empty or wrapping range");
    uintptr_t last = address + (size - 1);
    if (home) {
        if (address < home + header_size && last >= home)
            return refuse(why, why_size, address, "the header of the locator that lists it");
        region own;   /* the locator's own mapping: its code chunks */
        if (region_at(home, &own) && address >= own.start && last < own.end && own.protection == RWX) return true;
    }
    for (uintptr_t at = address;;) {
        region r;
        if (!region_at(at, &r)) return refuse(why, why_size, at, "nothing mapped");
        if (r.shared || file_backed(at)) return refuse(why, why_size, at, "a shared or file mapping");
        if (r.protection != RWX) return refuse(why, why_size, at, "memory that is not readable, writable and executable");
        if (r.end == 0 || r.end - 1 >= last) return true;
        at = r.end;
    }
}
