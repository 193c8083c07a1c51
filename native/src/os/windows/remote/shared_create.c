/* Windows: creating the locator section of a process that never loaded this library
 * (vmem_shared_create_in_other), under the name that process's own library would use ("/<name>",
 * this session's namespace, as vmem_shared_open in os/windows/vmem.c).
 *
 * Steps, ordered so that nothing in the target changes until the last one, which either works or
 * changes nothing:
 *  1. The named lock "/<name> lock" is taken, the one the target's library takes in vmem_shared_open,
 *     so a library loading in the target meanwhile waits until step 5.
 *  2. CreateFileMapping makes the section (pagefile-backed, executable like vmem_shared_open's); one
 *     that already exists is refused (ERROR_ALREADY_EXISTS): someone else uses the name.
 *  3. A read/write view of it is mapped here (out).
 *  4. A handle to it is duplicated into the target. A named object loses its name when its last
 *     HANDLE closes, even while views keep the object itself alive; the target's copy of the handle
 *     keeps the name as long as the target lives, so its own library (and vmem_shared_open_other)
 *     find it, and it dies with the target like any locator section.
 *  5. A view is mapped in the target (MapViewOfFile3 with the target's handle: Windows 10 1803 or
 *     later, and wine, which has it in kernelbase but not MapViewOfFileNuma2), and its address is
 *     recorded in the section's first word, so the section is a live locator at once: a library
 *     loading in the target adopts it (vmem_shared_is_live_at) instead of starting over. The caller
 *     writes the rest of the header through out.
 * Access needed to the target: PROCESS_DUP_HANDLE, PROCESS_VM_OPERATION, PROCESS_QUERY_INFORMATION.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "os/vmem_other.h"
#include "os/windows/remote/width.h"

#include <stdio.h>
#include <string.h>

typedef PVOID(WINAPI *map_view_3_fn)(HANDLE, HANDLE, PVOID, ULONG64, SIZE_T, ULONG, ULONG, void *, ULONG);

static map_view_3_fn map_view_3(void) {
    HMODULE kernelbase = GetModuleHandleA("kernelbase.dll");
    return kernelbase ? (map_view_3_fn)(void (*)(void))GetProcAddress(kernelbase, "MapViewOfFile3") : NULL;
}

enum { CREATE_ACCESS = PROCESS_DUP_HANDLE | PROCESS_VM_OPERATION | PROCESS_QUERY_INFORMATION };

/* Steps 2-5 with the lock held. 0, or an OS error with out->where saying which step failed. */
static int create_locked(HANDLE process, map_view_3_fn map_in, const char *object, size_t size, vmem_shared *out,
                         uintptr_t *out_remote_address) {
    uint64_t wide = size;
    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_EXECUTE_READWRITE, (DWORD)(wide >> 32),
                                        (DWORD)wide, object);
    int error = mapping ? (GetLastError() == ERROR_ALREADY_EXISTS ? ERROR_ALREADY_EXISTS : 0) : (int)GetLastError();
    if (error) {
        snprintf(out->where, sizeof out->where, "section '%s' %s", object,
                 error == ERROR_ALREADY_EXISTS ? "already exists: someone else uses the name" : "cannot be created");
        if (mapping) CloseHandle(mapping);
        return error;
    }
    void *here = MapViewOfFile(mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, size);
    HANDLE theirs = NULL;
    void *there = NULL;
    const char *step = "mapped here";
    if (here) {
        step = "given to the target (DuplicateHandle)";
        if (DuplicateHandle(GetCurrentProcess(), mapping, process, &theirs, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
            step = "mapped in the target (MapViewOfFile3)";
            there = map_in(mapping, process, NULL, 0, size, 0, PAGE_EXECUTE_READWRITE, NULL, 0);
        }
    }
    error = there ? 0 : (int)GetLastError();
    CloseHandle(mapping);   /* our view holds the object; the target's handle holds the name */
    if (error) {
        if (theirs) DuplicateHandle(process, theirs, NULL, NULL, 0, FALSE, DUPLICATE_CLOSE_SOURCE);
        if (here) UnmapViewOfFile(here);
        snprintf(out->where, sizeof out->where, "section '%s' cannot be %s", object, step);
        return error;
    }
    uintptr_t remote = (uintptr_t)there;
    memcpy(here, &remote, sizeof remote);   /* the locator's "this header's address" */
    snprintf(out->where, sizeof out->where, "%s", object);
    out->address = (uintptr_t)here;
    out->size = size;
    out->created = true;
    out->executable = false;   /* this view; the target's is executable */
    *out_remote_address = remote;
    return 0;
}

int vmem_shared_create_in_other(uint32_t pid, const char *name, size_t size, vmem_shared *out,
                                uintptr_t *out_remote_address) {
    memset(out, 0, sizeof *out);
    const char *bare = name[0] == '/' ? name + 1 : name;
    char object[VMEM_SHARED_PATH_LIMIT + 16], lock_name[VMEM_SHARED_PATH_LIMIT + 32];
    if (strlen(bare) >= VMEM_SHARED_PATH_LIMIT) {   /* refused, never cut */
        snprintf(out->where, sizeof out->where, "the section name is longer than %d bytes", VMEM_SHARED_PATH_LIMIT);
        return ERROR_FILENAME_EXCED_RANGE;
    }
    snprintf(object, sizeof object, "/%s", bare);
    snprintf(lock_name, sizeof lock_name, "%s lock", object);
    map_view_3_fn map_in = map_view_3();
    if (!map_in) {
        snprintf(out->where, sizeof out->where, "mapping a view into another process needs MapViewOfFile3 "
                 "(Windows 10 version 1803 or later), which this system's kernelbase.dll lacks");
        return VMEM_UNSUPPORTED;
    }
    HANDLE process = OpenProcess(CREATE_ACCESS, FALSE, pid);
    if (!process) {
        int error = (int)GetLastError();
        snprintf(out->where, sizeof out->where, "process %u cannot be opened with PROCESS_DUP_HANDLE | "
                 "PROCESS_VM_OPERATION | PROCESS_QUERY_INFORMATION", (unsigned)pid);
        return error;
    }
    int refused = windows_check_width(process, pid, out->where, sizeof out->where);
    if (refused) {
        CloseHandle(process);
        return refused;
    }
    HANDLE mutex = CreateMutexA(NULL, FALSE, lock_name);
    DWORD waited = mutex ? WaitForSingleObject(mutex, 5000) : WAIT_FAILED;
    int error = 0;
    if (waited == WAIT_OBJECT_0 || waited == WAIT_ABANDONED) {   /* abandoned: its holder died; it is ours */
        error = create_locked(process, map_in, object, size, out, out_remote_address);
        ReleaseMutex(mutex);
    } else {
        error = waited == WAIT_TIMEOUT ? ERROR_TIMEOUT : (int)GetLastError();
        snprintf(out->where, sizeof out->where, "the lock '%s' could not be taken", lock_name);
    }
    if (mutex) CloseHandle(mutex);
    CloseHandle(process);
    return error;
}
