/* Windows: mapping, in this process, the locator section another process uses
 * (vmem_shared_open_other). The target's library named it as vmem_shared_open in os/windows/vmem.c
 * does: "/<name>", a section in the session's local namespace (no "Global\" or "Local\" prefix),
 * which is where OpenFileMapping looks for the same bare name; derived names "/<name> #n" are tried
 * too, as os/vmem.h's contract allows them (this library's Windows layer never makes them).
 *
 * Why the check below is enough evidence on Windows: a named section lives exactly as long as some
 * process holds a handle or a view of it, so there are no stale objects of dead processes; its name
 * carries the target's pid; and the section we opened is accepted only if the target has a mapped
 * view (MEM_MAPPED) starting exactly at the address recorded in the section's first word, whose
 * first word, read from the target, is that same address. A locator records the address of its
 * first mapping and never changes it, so a view of some other section would not hold it there. A
 * look-alike could only be planted by a process that can already open the target for writing (the
 * same user in the same session), that is, one that needs no locator to write into it. Only the
 * first word is compared: the rest of the header (lock, counts) and the items change while the
 * target runs, so a longer comparison would race with it. No lock is taken: the caller neither
 * creates nor resets the object. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "os/vmem_other.h"
#include "os/windows/remote/width.h"

#include <stdio.h>
#include <string.h>

/* True if process maps a view starting at recorded, of at least size bytes, whose first word is
 * recorded. */
static bool mapped_there(HANDLE process, uintptr_t recorded, size_t size) {
    MEMORY_BASIC_INFORMATION region;
    if (!recorded || recorded % vmem_page_size()) return false;
    if (VirtualQueryEx(process, (const void *)recorded, &region, sizeof region) == 0) return false;
    if (region.State != MEM_COMMIT || region.Type != MEM_MAPPED) return false;
    if ((uintptr_t)region.AllocationBase != recorded || (uintptr_t)region.BaseAddress != recorded) return false;
    if (region.RegionSize < size || (region.Protect & (PAGE_NOACCESS | PAGE_GUARD))) return false;
    uintptr_t theirs = 0;
    SIZE_T moved = 0;
    if (!ReadProcessMemory(process, (const void *)recorded, &theirs, sizeof theirs, &moved)) return false;
    return moved == sizeof theirs && theirs == recorded;
}

/* Opens and maps the section object if process maps it at its recorded address. 0, or
 * ERROR_FILE_NOT_FOUND (none, or not the target's), ERROR_ACCESS_DENIED (refused to us), or what
 * MapViewOfFile said. */
static int try_section(HANDLE process, const char *object, size_t size, void **view, uintptr_t *recorded) {
    HANDLE mapping = OpenFileMappingA(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, object);
    if (!mapping) {
        DWORD error = GetLastError();
        return error == ERROR_ACCESS_DENIED ? ERROR_ACCESS_DENIED : ERROR_FILE_NOT_FOUND;
    }
    *view = MapViewOfFile(mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, size);
    int error = *view ? 0 : (int)GetLastError();
    CloseHandle(mapping);   /* the view keeps the section alive */
    if (error) return error;
    memcpy(recorded, *view, sizeof *recorded);
    if (mapped_there(process, *recorded, size)) return 0;
    UnmapViewOfFile(*view);
    *view = NULL;
    return ERROR_FILE_NOT_FOUND;
}

/* Tries "/<name>" and "/<name> #2".."#max"; the first error other than "not found" is kept. The
 * name of the section found is left in object. */
static int find_section(HANDLE process, const char *bare, size_t size, void **view, uintptr_t *recorded,
                        char *object, size_t object_size) {
    int kept = ERROR_FILE_NOT_FOUND;
    for (int n = 1; n <= VMEM_SHARED_DERIVED_MAX; n++) {
        int written = n == 1 ? snprintf(object, object_size, "/%s", bare)
                             : snprintf(object, object_size, "/%s #%d", bare, n);
        if (written < 0 || (size_t)written >= object_size) return ERROR_FILENAME_EXCED_RANGE;
        int error = try_section(process, object, size, view, recorded);
        if (error == 0) return 0;
        if (kept == ERROR_FILE_NOT_FOUND) kept = error;
    }
    return kept;
}

int vmem_shared_open_other(uint32_t pid, const char *name, size_t size, vmem_shared *out, uintptr_t *out_recorded) {
    memset(out, 0, sizeof *out);
    const char *bare = name[0] == '/' ? name + 1 : name;
    HANDLE process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
    if (!process) {
        int error = (int)GetLastError();
        char text[128];
        snprintf(out->where, sizeof out->where, "process %u cannot be opened to check its locator: %s",
                 (unsigned)pid, vmem_error_text(error, text, sizeof text));
        return error;
    }
    /* A 32-bit header read as a 64-bit one can pass mapped_there (its first eight bytes are its
     * address and a zero next-locator) and would then be written in the wrong layout. */
    int refused = windows_check_width(process, pid, out->where, sizeof out->where);
    if (refused) {
        CloseHandle(process);
        return refused;
    }
    void *view = NULL;
    uintptr_t recorded = 0;
    char object[VMEM_SHARED_PATH_LIMIT + 16];
    int error = find_section(process, bare, size, &view, &recorded, object, sizeof object);
    CloseHandle(process);
    if (error) {
        char text[128];
        snprintf(out->where, sizeof out->where,
                 "no section '/%s' (or '/%s #2'..'#%d') in this session's namespace is mapped by process %u at "
                 "its recorded address (%s)", bare, bare, VMEM_SHARED_DERIVED_MAX, (unsigned)pid,
                 vmem_error_text(error, text, sizeof text));
        return error;
    }
    snprintf(out->where, sizeof out->where, "%s", object);
    out->address = (uintptr_t)view;
    out->size = size;
    *out_recorded = recorded;
    return 0;
}

int vmem_shared_check_other(const vmem_shared *shared, char *why, size_t why_size) {
    (void)shared;
    (void)why;
    (void)why_size;
    return 0;   /* a section keeps its size for as long as a view of it exists */
}

void vmem_shared_close_other(vmem_shared *shared) {
    if (shared->address) UnmapViewOfFile((const void *)shared->address);
    shared->address = 0;
}
