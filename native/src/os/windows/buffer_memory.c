/* Is a range buffer memory of this process? Asked of VirtualQuery region by region; the memory map
 * snapshot is a token (the answers are live). */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "os/vmem.h"

#include <stdio.h>

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

static bool query(uintptr_t address, MEMORY_BASIC_INFORMATION *region) {
    return VirtualQuery((const void *)address, region, sizeof *region) != 0;
}

static bool refuse(char *why, size_t why_size, uintptr_t at, const char *what) {
    snprintf(why, why_size, "%s at %#llx (VirtualQuery)", what, (unsigned long long)at);
    return false;
}

/* [address, last] lies in the allocation of home (a locator view), committed and PAGE_EXECUTE_READWRITE. */
static bool in_home(uintptr_t address, uintptr_t last, uintptr_t home) {
    MEMORY_BASIC_INFORMATION home_region, region;
    if (!query(home, &home_region)) return false;
    for (uintptr_t at = address;;) {
        if (!query(at, &region) || region.AllocationBase != home_region.AllocationBase || region.State != MEM_COMMIT ||
            region.Protect != PAGE_EXECUTE_READWRITE)
            return false;
        uintptr_t end = (uintptr_t)region.BaseAddress + region.RegionSize;
        if (end == 0 || end - 1 >= last) return true;
        at = end;
    }
}

bool vmem_is_buffer_memory(const vmem_memory_map *map, uintptr_t address, size_t size, uintptr_t home,
                           size_t header_size, char *why, size_t why_size) {
    (void)map;
    if (size == 0 || address > UINTPTR_MAX - (size - 1)) return refuse(why, why_size, address, "an empty or wrapping range");
    uintptr_t last = address + (size - 1);
    if (home) {
        if (address < home + header_size && last >= home)
            return refuse(why, why_size, address, "the header of the locator that lists it");
        if (in_home(address, last, home)) return true;
    }
    for (uintptr_t at = address;;) {
        MEMORY_BASIC_INFORMATION region;
        if (!query(at, &region) || region.State != MEM_COMMIT) return refuse(why, why_size, at, "memory not committed");
        if (region.Type != MEM_PRIVATE) return refuse(why, why_size, at, "a mapped view or an image");
        if (region.Protect != PAGE_EXECUTE_READWRITE)
            return refuse(why, why_size, at, "memory that is not PAGE_EXECUTE_READWRITE");
        uintptr_t end = (uintptr_t)region.BaseAddress + region.RegionSize;
        if (end == 0 || end - 1 >= last) return true;
        at = end;
    }
}
