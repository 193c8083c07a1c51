/* Write-xor-execute buffers on Windows: one pagefile-backed section mapped twice, execute+read at the
 * near address and read+write wherever Windows puts it. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "os/vmem.h"

#include <stdio.h>
#include <string.h>

bool vmem_supports_dual(void) {
    return true;
}

int vmem_reserve_dual_at(uintptr_t address, size_t size, uintptr_t *out_write) {
    unsigned long long bytes = size;
    HANDLE section = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_EXECUTE_READWRITE | SEC_COMMIT,
                                        (DWORD)(bytes >> 32), (DWORD)bytes, NULL);
    if (!section) return (int)GetLastError();
    int error = 0;
    void *code = MapViewOfFileEx(section, FILE_MAP_READ | FILE_MAP_EXECUTE, 0, 0, size, (void *)address);
    void *write = code ? MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, size) : NULL;
    if (!code || !write) error = (int)GetLastError();
    else if ((uintptr_t)code != address) error = ERROR_INVALID_ADDRESS;   /* never the wrong place */
    CloseHandle(section);   /* the views keep it */
    if (error) {
        if (code) UnmapViewOfFile(code);
        if (write) UnmapViewOfFile(write);
        return error;
    }
    *out_write = (uintptr_t)write;
    return 0;
}

int vmem_release_dual(uintptr_t address, uintptr_t write, size_t size) {
    (void)size;
    int error = UnmapViewOfFile((void *)address) ? 0 : (int)GetLastError();
    return UnmapViewOfFile((void *)write) ? error : (int)GetLastError();
}

/* [start, start + size) is one committed mapped view starting at start, with exactly this protection. */
static bool is_view(uintptr_t start, size_t size, DWORD protection, const char *what, char *why, size_t why_size) {
    MEMORY_BASIC_INFORMATION region;
    if (!VirtualQuery((const void *)start, &region, sizeof region) || region.State != MEM_COMMIT ||
        region.Type != MEM_MAPPED || (uintptr_t)region.AllocationBase != start || region.Protect != protection ||
        region.RegionSize < size) {
        snprintf(why, why_size, "not a whole %s view of a section at %#llx (VirtualQuery)", what,
                 (unsigned long long)start);
        return false;
    }
    return true;
}

/* Windows names no section behind a view, so the pair is proved by content: both views show the same
 * last 16 bytes (a write-xor-execute buffer's trailer, written once before the buffer is listed and
 * never again). A same-user process can write into this one anyway (WriteProcessMemory), so this
 * guards against mistakes and planted claims, not against that user. */
bool vmem_is_dual_buffer_memory(const vmem_memory_map *map, uintptr_t code, uintptr_t write, size_t size, char *why,
                                size_t why_size) {
    (void)map;
    if (size < 16 || code > UINTPTR_MAX - size || (write && write > UINTPTR_MAX - size)) {
        snprintf(why, why_size, "not a range of a write-xor-execute buffer");
        return false;
    }
    if (!is_view(code, size, PAGE_EXECUTE_READ, "execute+read", why, why_size)) return false;
    if (!write) return true;
    if (!is_view(write, size, PAGE_READWRITE, "read+write", why, why_size)) return false;
    if (memcmp((const void *)(code + size - 16), (const void *)(write + size - 16), 16) != 0) {
        snprintf(why, why_size, "not paired with a read+write view of the same memory (their last bytes differ)");
        return false;
    }
    return true;
}
