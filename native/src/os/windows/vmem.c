/* The OS layer for Windows (and Wine): VirtualAlloc/VirtualQuery for memory, a named file mapping for
 * the shared locator. Every primitive also takes another process's id where os/vmem.h allows it
 * (VirtualAllocEx, VirtualQueryEx), which only Windows can do.
 *
 * Notes on the choices made here:
 *  - Reservations use the allocation granularity (64 KiB) and never start below 64 KiB.
 *  - Free-space walks never trust a region size to move forward: Wine has been seen to report sizes
 *    that are not whole pages, so each step is rounded up to a page and is at least one page, and a
 *    step that would wrap past the top of the address space ends the walk.
 *  - The first free gap of a walk starts at the page holding min: VirtualQuery reports a free run
 *    from the queried page onwards, not from where the run really begins (os/vmem.h allows clipping).
 *  - The locator is a pagefile-backed section named "/<name>" (the leading slash is the format's,
 *    kept so other implementations of the format open the same object). Named sections vanish with
 *    the last process holding them, so a stale one from a dead process cannot normally exist.
 *  - The lock against the other copies of the library in this process is a named mutex "<object
 *    name> lock"; its handle is kept in vmem_shared.identity, which Windows has no other use for. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "os/vmem_other.h"

#include <stdio.h>
#include <string.h>

/* ---- facts about this machine ---- */

static SYSTEM_INFO system_info;
static INIT_ONCE system_info_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK read_system_info(PINIT_ONCE once, PVOID parameter, PVOID *context) {
    (void)once;
    (void)parameter;
    (void)context;
    GetSystemInfo(&system_info);
    return TRUE;
}

static const SYSTEM_INFO *info(void) {
    InitOnceExecuteOnce(&system_info_once, read_system_info, NULL, NULL);
    return &system_info;
}

size_t vmem_page_size(void) {
    return info()->dwPageSize;
}

uint32_t vmem_allocation_granularity(void) {
    return info()->dwAllocationGranularity;
}

uintptr_t vmem_min_address(void) {
    uintptr_t granularity = info()->dwAllocationGranularity;
    uintptr_t lowest = (uintptr_t)info()->lpMinimumApplicationAddress;
    if (lowest < 65536) lowest = 65536;
    return (lowest + granularity - 1) & ~(granularity - 1);
}

/* 0x7FFEFFFF for a 32-bit process, 0xFFFEFFFF for a large-address-aware one under a 64-bit OS. */
uintptr_t vmem_max_address(void) {
    return (uintptr_t)info()->lpMaximumApplicationAddress;
}

uint32_t vmem_current_process_id(void) {
    return (uint32_t)GetCurrentProcessId();
}

static bool is_self(uint32_t pid) {
    return pid == 0 || pid == GetCurrentProcessId();
}

bool vmem_process_alive(uint32_t pid) {
    if (is_self(pid)) return true;
    HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, pid);
    if (!process) return GetLastError() != ERROR_INVALID_PARAMETER;   /* denied still means it exists */
    bool alive = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
    CloseHandle(process);
    return alive;
}

bool vmem_supports_other_processes(void) {
    return true;
}

/* ---- memory ---- */

/* A handle to pid for memory operations; the pseudo handle for this process (never closed). */
static HANDLE open_target(uint32_t pid, DWORD access, int *error) {
    if (is_self(pid)) return GetCurrentProcess();
    HANDLE process = OpenProcess(access, FALSE, pid);
    if (!process) *error = (int)GetLastError();
    return process;
}

static void close_target(uint32_t pid, HANDLE process) {
    if (!is_self(pid)) CloseHandle(process);
}

int vmem_reserve_at(uint32_t pid, uintptr_t address, size_t size) {
    int error = 0;
    HANDLE process = open_target(pid, PROCESS_VM_OPERATION | PROCESS_QUERY_INFORMATION, &error);
    if (!process) return error;
    void *got = VirtualAllocEx(process, (void *)address, size, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    if (!got) {
        error = (int)GetLastError();
    } else if ((uintptr_t)got != address) {
        /* Cannot happen for a granule-aligned address, but never hand out the wrong place. */
        VirtualFreeEx(process, got, 0, MEM_RELEASE);
        error = ERROR_INVALID_ADDRESS;
    }
    close_target(pid, process);
    return error;
}

int vmem_reserve_anywhere(size_t size, uintptr_t *out_address) {
    void *got = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    if (!got) return (int)GetLastError();
    *out_address = (uintptr_t)got;
    return 0;
}

int vmem_release(uint32_t pid, uintptr_t address, size_t size) {
    (void)size;   /* MEM_RELEASE frees the whole reservation and insists on a size of 0 */
    int error = 0;
    HANDLE process = open_target(pid, PROCESS_VM_OPERATION, &error);
    if (!process) return error;
    if (!VirtualFreeEx(process, (void *)address, 0, MEM_RELEASE)) error = (int)GetLastError();
    close_target(pid, process);
    return error;
}

int vmem_protect(uintptr_t address, size_t size, vmem_protection protection) {
    DWORD wanted = protection == VMEM_READ_WRITE     ? PAGE_READWRITE
                   : protection == VMEM_READ_EXECUTE ? PAGE_EXECUTE_READ
                                                     : PAGE_EXECUTE_READWRITE;
    DWORD previous;
    return VirtualProtect((void *)address, size, wanted, &previous) ? 0 : (int)GetLastError();
}

bool vmem_write_xor_execute(void) {
    return false;
}

int vmem_rwx_refusal(void) {
    return 0;   /* VirtualAlloc refusals (ACG) surface as errors of the reservation itself */
}

void vmem_flush_instruction_cache(uintptr_t start, uintptr_t end) {
    if (end > start) FlushInstructionCache(GetCurrentProcess(), (const void *)start, end - start);
}

/* ---- free address space ---- */

static uintptr_t round_up(uintptr_t value, uintptr_t unit, bool *wrapped) {
    uintptr_t rounded = (value + unit - 1) & ~(unit - 1);
    *wrapped = rounded < value;
    return rounded;
}

/* The end of a region as a whole page past its start; 0 when it would wrap past the top. */
static uintptr_t region_end(const MEMORY_BASIC_INFORMATION *region, uintptr_t queried) {
    uintptr_t page = vmem_page_size();
    uintptr_t base = (uintptr_t)region->BaseAddress;
    uintptr_t size = region->RegionSize;
    if (base > queried) base = queried;   /* should not happen; never let it move us backwards */
    if (size < page) size = page;
    uintptr_t end = base + size;
    if (end < base) return 0;
    bool wrapped;
    end = round_up(end, page, &wrapped);
    if (wrapped) return 0;
    return end > queried ? end : 0;
}

/* Wine (32-bit especially) keeps large areas of the address space reserved for itself and reports
 * them as private, no-access reservations, yet lets programs VirtualAlloc at addresses inside them.
 * The brute-force pass, which exists for Wine, offers such regions as candidates too; on Windows a
 * real reservation simply refuses the VirtualAlloc (one failed call, nothing changed). */
static bool may_be_wine_reserve(const MEMORY_BASIC_INFORMATION *region) {
    return region->State == MEM_RESERVE && region->Type == MEM_PRIVATE && region->AllocationProtect == PAGE_NOACCESS;
}

int vmem_walk_free(uint32_t pid, uintptr_t min, uintptr_t max, vmem_walk_mode mode, vmem_free_gap_fn gap,
                   void *context) {
    if (mode != VMEM_WALK_REGIONS && mode != VMEM_WALK_EVERY_GRANULE) return VMEM_UNSUPPORTED;
    int error = 0;
    HANDLE process = open_target(pid, PROCESS_QUERY_INFORMATION, &error);
    if (!process) return error;
    uintptr_t page = vmem_page_size();
    uintptr_t granularity = vmem_allocation_granularity();
    bool wrapped = false;
    /* Every granule: start on a granule (an allocation can only start there); regions: on a page. */
    uintptr_t current = mode == VMEM_WALK_EVERY_GRANULE ? round_up(min, granularity, &wrapped) : min & ~(page - 1);
    while (!wrapped && current <= max) {
        MEMORY_BASIC_INFORMATION region;
        if (VirtualQueryEx(process, (const void *)current, &region, sizeof region) == 0) break;   /* past the top */
        uintptr_t end = region_end(&region, current);
        if (region.State == MEM_FREE || (mode == VMEM_WALK_EVERY_GRANULE && may_be_wine_reserve(&region))) {
            uintptr_t start = (uintptr_t)region.BaseAddress;
            if (start > current) start = current;
            if (gap(start, end ? end : UINTPTR_MAX, context)) break;
        }
        if (end == 0) break;   /* the region reaches the top of the address space */
        uintptr_t next;
        if (mode == VMEM_WALK_REGIONS || region.State != MEM_FREE) {
            next = end;   /* in every-granule mode, used space holds no granule worth asking about */
            if (mode == VMEM_WALK_EVERY_GRANULE) next = round_up(next, granularity, &wrapped);
        } else {
            next = current + granularity;
            wrapped = next < current;
        }
        if (next <= current) break;   /* cannot happen after region_end; belt and braces */
        current = next;
    }
    close_target(pid, process);
    return 0;
}

/* ---- the shared, named locator mapping ---- */

static void release_lock(HANDLE mutex) {
    ReleaseMutex(mutex);
    CloseHandle(mutex);
}

int vmem_shared_open(const char *name, size_t size, vmem_shared *out) {
    memset(out, 0, sizeof *out);
    const char *bare = name[0] == '/' ? name + 1 : name;
    snprintf(out->where, sizeof out->where, "/%s", bare);
    char lock_name[sizeof out->where + 8];
    snprintf(lock_name, sizeof lock_name, "%s lock", out->where);

    HANDLE mutex = CreateMutexA(NULL, FALSE, lock_name);
    if (!mutex) return (int)GetLastError();
    DWORD waited = WaitForSingleObject(mutex, INFINITE);
    if (waited != WAIT_OBJECT_0 && waited != WAIT_ABANDONED) {   /* abandoned: its holder died; we own it */
        int error = waited == WAIT_FAILED ? (int)GetLastError() : ERROR_LOCK_VIOLATION;
        CloseHandle(mutex);
        return error;
    }

    /* Creation is atomic: either this call makes the object (zero-filled), or it opens the one that
     * exists and says so through ERROR_ALREADY_EXISTS. */
    uint64_t wide = size;
    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_EXECUTE_READWRITE, (DWORD)(wide >> 32),
                                        (DWORD)wide, out->where);
    DWORD created_error = GetLastError();
    if (!mapping) {
        release_lock(mutex);
        return (int)created_error;
    }
    void *view = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS | FILE_MAP_EXECUTE, 0, 0, size);
    if (!view) {
        int error = (int)GetLastError();
        CloseHandle(mapping);
        release_lock(mutex);
        return error;
    }
    out->address = (uintptr_t)view;
    out->size = size;
    out->created = created_error != ERROR_ALREADY_EXISTS;
    out->executable = true;
    out->os_handle = (intptr_t)mapping;
    out->identity = (uint64_t)(uintptr_t)mutex;
    out->device = 0;
    return 0;
}

/* A live locator at address is a view of a section in this process, so VirtualQuery shows a mapped
 * region starting exactly there, and (same physical pages) its first word equals our view's first
 * word: the locator's "this header's address", written once when the locator is made and never
 * changed, so the comparison cannot race with users of the locator. */
bool vmem_shared_is_live_at(const vmem_shared *shared, uintptr_t address) {
    if (!address || address == shared->address || address % vmem_page_size()) return false;
    MEMORY_BASIC_INFORMATION region;
    if (VirtualQuery((const void *)address, &region, sizeof region) == 0) return false;
    if (region.State != MEM_COMMIT || region.Type != MEM_MAPPED) return false;
    if ((uintptr_t)region.AllocationBase != address || (uintptr_t)region.BaseAddress != address) return false;
    if (region.Protect & (PAGE_NOACCESS | PAGE_GUARD)) return false;
    if (region.RegionSize < sizeof(uintptr_t)) return false;
    uintptr_t theirs, ours;
    memcpy(&theirs, (const void *)address, sizeof theirs);
    memcpy(&ours, (const void *)shared->address, sizeof ours);
    return theirs == ours;
}

void vmem_shared_close(vmem_shared *shared, bool keep_mapping) {
    if (!keep_mapping) {
        if (shared->address) UnmapViewOfFile((const void *)shared->address);
        if (shared->os_handle) CloseHandle((HANDLE)shared->os_handle);
        shared->address = 0;
    }
    /* Kept: the section handle stays open for the life of the process along with the view. */
    shared->os_handle = keep_mapping ? shared->os_handle : 0;
    if (shared->identity) release_lock((HANDLE)(uintptr_t)shared->identity);
    shared->identity = 0;
}

int vmem_shared_reset(vmem_shared *shared) {
    memset((void *)shared->address, 0, shared->size);
    return 0;
}

int vmem_shared_remove_stale(const char *prefix) {
    (void)prefix;   /* a named section dies with the last process holding it */
    return 0;
}

const char *vmem_shared_directory(void) {
    return "";
}

int vmem_shared_set_root(const char *directory) {
    (void)directory;   /* named sections are not files: nothing to move */
    return 0;
}

const char *vmem_shared_root(void) {
    return "";   /* named sections are not files: no folder */
}

/* ---- misc ---- */

int vmem_exclude_from_fork(uintptr_t address, size_t size) {
    (void)address;
    (void)size;
    return 0;   /* no fork */
}

void vmem_on_fork_child(void (*fn)(void)) {
    (void)fn;   /* Windows has no fork: a new process never inherits our address space */
}

void vmem_yield(void) {
    SwitchToThread();
}

bool vmem_error_is_out_of_memory(int error) {
    return error == ERROR_NOT_ENOUGH_MEMORY || error == ERROR_OUTOFMEMORY || error == ERROR_COMMITMENT_LIMIT;
}

vmem_error_kind vmem_error_kind_of(int error) {
    switch (error) {
    case ERROR_FILE_NOT_FOUND: case ERROR_PATH_NOT_FOUND: return VMEM_ERROR_NOT_FOUND;
    case ERROR_ACCESS_DENIED: case ERROR_PRIVILEGE_NOT_HELD: return VMEM_ERROR_DENIED;
    case ERROR_ALREADY_EXISTS: case ERROR_FILE_EXISTS: return VMEM_ERROR_EXISTS;
    default: return VMEM_ERROR_OTHER;
    }
}

void vmem_sleep_microseconds(uint32_t microseconds) {
    Sleep((microseconds + 999u) / 1000u);   /* whole milliseconds: the finest Sleep offers */
}

const char *vmem_error_text(int error, char *buffer, size_t size) {
    if (size == 0) return buffer;
    if (error == VMEM_UNSUPPORTED) {
        snprintf(buffer, size, "not supported on Windows");
        return buffer;
    }
    char text[256];
    DWORD length = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)error, 0,
                                  text, sizeof text, NULL);
    while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r' || text[length - 1] == ' ' ||
                          text[length - 1] == '.'))
        length--;
    text[length] = '\0';
    snprintf(buffer, size, "%s (Windows error %d)", length ? text : "unknown error", error);
    return buffer;
}

/* ---- other processes (os/vmem.h) ---- */

enum { OTHER_PROCESS_ACCESS = PROCESS_VM_OPERATION | PROCESS_VM_READ | PROCESS_VM_WRITE | PROCESS_QUERY_INFORMATION };

vmem_process_access vmem_check_other_process(uint32_t pid, char *why, size_t why_size) {
    HANDLE process = OpenProcess(OTHER_PROCESS_ACCESS, FALSE, pid);
    if (process) {
        CloseHandle(process);
        snprintf(why, why_size, "accessible");
        return VMEM_PROCESS_ACCESSIBLE;
    }
    DWORD error = GetLastError();
    if (error == ERROR_INVALID_PARAMETER) {
        snprintf(why, why_size, "no such process");
        return VMEM_PROCESS_MISSING;
    }
    char text[128];
    snprintf(why, why_size, "OpenProcess(PROCESS_VM_OPERATION | PROCESS_VM_READ | PROCESS_VM_WRITE) was refused: %s; "
             "needs the same user at the same or a higher integrity level, or SeDebugPrivilege",
             vmem_error_text((int)error, text, sizeof text));
    return error == ERROR_ACCESS_DENIED ? VMEM_PROCESS_DENIED : VMEM_PROCESS_UNSUPPORTED;
}

static int copy_other(uint32_t pid, uintptr_t address, void *local, size_t size, bool write) {
    int error = 0;
    HANDLE process = open_target(pid, OTHER_PROCESS_ACCESS, &error);
    if (!process) return error;
    SIZE_T moved = 0;
    BOOL ok = write ? WriteProcessMemory(process, (void *)address, local, size, &moved)
                    : ReadProcessMemory(process, (const void *)address, local, size, &moved);
    if (!ok) error = (int)GetLastError();
    else if (moved != size) error = ERROR_PARTIAL_COPY;
    close_target(pid, process);
    return error;
}

int vmem_write_other(uint32_t pid, uintptr_t address, const void *data, size_t size) {
    return copy_other(pid, address, (void *)data, size, true);
}

int vmem_read_other(uint32_t pid, uintptr_t address, void *out, size_t size) {
    return copy_other(pid, address, out, size, false);
}

int vmem_write_code_other(uint32_t pid, uintptr_t address, const void *code, size_t size) {
    int error = copy_other(pid, address, (void *)code, size, true);
    if (error) return error;
    HANDLE process = open_target(pid, OTHER_PROCESS_ACCESS, &error);
    if (!process) return error;
    if (!FlushInstructionCache(process, (const void *)address, size)) error = (int)GetLastError();
    close_target(pid, process);
    return error;
}

int vmem_replace_with_zero_pages(uintptr_t address, size_t size) {
    /* Decommit then commit inside the same reservation: the pages come back zeroed, the range stays
     * reserved throughout. */
    DWORD previous;
    if (!VirtualFree((void *)address, size, MEM_DECOMMIT)) return (int)GetLastError();
    if (!VirtualAlloc((void *)address, size, MEM_COMMIT, PAGE_READWRITE)) return (int)GetLastError();
    return VirtualProtect((void *)address, size, PAGE_READWRITE, &previous) ? 0 : (int)GetLastError();
}

/* vmem_shared_open_other / vmem_shared_close_other: os/windows/remote/shared_other.c;
 * vmem_shared_create_in_other: os/windows/remote/shared_create.c. */
