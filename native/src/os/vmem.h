/*
 * The OS layer: the handful of primitives everything above is built on, in the style of os/vmem.h.
 * One implementation file per OS (os/linux/vmem.c, os/windows/vmem.c, ...) picked by CMake; this header is
 * the only contract between them and the portable code. No other file may use OS headers or
 * #ifdef on the OS.
 *
 * Conventions: addresses are uintptr_t; ranges are [start, end) unless a name says otherwise.
 * Functions return 0 on success or the OS's error number (errno, GetLastError()) on failure, so a
 * caller can print it with vmem_error_text. A process id of 0 means this process.
 */
#ifndef BUFFERS_VMEM_H
#define BUFFERS_VMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- facts about this machine (cheap: computed once, then cached) ---- */

size_t    vmem_page_size(void);
/* Alignment and rounding unit of reservations: the page size on POSIX, 64 KiB on Windows. */
uint32_t  vmem_allocation_granularity(void);
/* Lowest address a reservation may start at (mmap_min_addr, 64 KiB on Windows). */
uintptr_t vmem_min_address(void);
/* Highest address user code may map (inclusive): the last byte of the highest mappable page
 * (x86-64 Linux: 0x7FFFFFFFEFFF). docs/platforms.md lists each platform. */
uintptr_t vmem_max_address(void);
uint32_t  vmem_current_process_id(void);
/* True unless the OS says no process has this id. */
bool      vmem_process_alive(uint32_t pid);
/* True when vmem_reserve_at/vmem_release/vmem_walk_free accept a process other than this one. */
bool      vmem_supports_other_processes(void);

/* ---- memory ---- */

/* Reserves and commits size bytes read/write/execute at exactly address in process pid, or fails
 * without touching any existing mapping (EEXIST / ERROR_INVALID_ADDRESS when something is there).
 * address and size are multiples of the allocation granularity. */
int vmem_reserve_at(uint32_t pid, uintptr_t address, size_t size);

/* Reserves and commits size bytes read/write/execute anywhere in this process (for further
 * locators, whose bytes past the first 4096 become code chunks); read/write only where
 * vmem_write_xor_execute(), whose further locators hold no code chunks. */
int vmem_reserve_anywhere(size_t size, uintptr_t *out_address);

/* Releases a whole reservation made by vmem_reserve_at / vmem_reserve_anywhere. */
int vmem_release(uint32_t pid, uintptr_t address, size_t size);

typedef enum vmem_protection {
    VMEM_READ_WRITE,
    VMEM_READ_EXECUTE,
    VMEM_READ_WRITE_EXECUTE
} vmem_protection;

/* Changes the protection of the pages covering [address, address + size) in this process. */
int vmem_protect(uintptr_t address, size_t size, vmem_protection protection);

/* True where pages can never be writable and executable at once (Apple Silicon): writers of code
 * must flip protections around each write. */
bool vmem_write_xor_execute(void);
/* 0 where the OS layer's vmem_write_xor_execute() is always false, so the hot path knows at compile
 * time that no write flips pages: the build says so per OS layer (native/CMakeLists.txt,
 * BUFFERS_OS_DEFINITIONS). A build that does not say asks at run time. */
#ifndef VMEM_MAY_FLIP
#define VMEM_MAY_FLIP 1
#endif

/* ---- write-xor-execute buffers (two views of one object) ---- */

/* Reserves size bytes at exactly address in this process as two views of one new shared object made
 * for it (named after MAPS_DUAL_MARKER where the OS names it): read+execute at address, read+write
 * wherever the OS puts it (*out_write). Fails like vmem_reserve_at (EEXIST when something is at
 * address) without touching any existing mapping; VMEM_UNSUPPORTED where this build cannot. */
int vmem_reserve_dual_at(uintptr_t address, size_t size, uintptr_t *out_write);

/* True where vmem_reserve_dual_at can work (this build and OS). */
bool vmem_supports_dual(void);

/* Releases both views made by vmem_reserve_dual_at. */
int vmem_release_dual(uintptr_t address, uintptr_t write, size_t size);

/* 0 when this process may have memory writable and executable at once; else the OS error of the
 * refusal (EACCES/EPERM: SELinux execmem, PaX MPROTECT, a seccomp filter, a hardened runtime).
 * Asked once with a one-page mapping, then cached. */
int vmem_rwx_refusal(void);

/* Makes the instruction cache see [start, end). */
void vmem_flush_instruction_cache(uintptr_t start, uintptr_t end);

/* Replaces the pages of [address, address + size) in this process, which this layer reserved, by
 * fresh zero-filled read/write (not executable) pages at the same address; the range stays reserved
 * until vmem_release. Used to take memory back from views that may still be read or written. */
int vmem_replace_with_zero_pages(uintptr_t address, size_t size);

/* A snapshot of this process's memory map, for vmem_is_buffer_memory (Linux: /proc/self/maps read
 * once; Windows: nothing, VirtualQuery answers live). 0 and *out, or an error and *out NULL. */
typedef struct vmem_memory_map vmem_memory_map;
int  vmem_memory_map_open(vmem_memory_map **out);
void vmem_memory_map_close(vmem_memory_map *map);

/* True if every byte of [address, address + size) is memory a buffer of this process may be:
 * private, anonymous (not a file, the heap, a stack or a page of the kernel's), committed, readable,
 * writable and executable (Linux: "rwxp" with no name; Windows: MEM_PRIVATE, MEM_COMMIT,
 * PAGE_EXECUTE_READWRITE), over one or more adjacent regions. With home != 0 (the locator listing
 * the range), a range inside home's own writable and executable mapping (its code chunks) passes
 * too, and one touching home's first header_size bytes never does. Otherwise false, and why says
 * what is there. Buffers are checked once, before this process first writes into them: the
 * locator file is writable by every process of the user, its addresses are claims. */
bool vmem_is_buffer_memory(const vmem_memory_map *map, uintptr_t address, size_t size, uintptr_t home,
                           size_t header_size, char *why, size_t why_size);

/* True if [code, code + size) is a read+execute (never writable) view of an object made by
 * vmem_reserve_dual_at and, with write != 0, [write, write + size) a read+write (never executable)
 * view of the same object at the same offsets (Linux: device, inode and offset in /proc/self/maps).
 * write 0 checks the code view alone, so that a caller may read it before it knows write. Otherwise
 * false, and why says what is there. */
bool vmem_is_dual_buffer_memory(const vmem_memory_map *map, uintptr_t code, uintptr_t write, size_t size, char *why,
                                size_t why_size);

/* Keeps the whole pages of [address, address + size) out of children made by fork(): nothing is
 * mapped there in a child (Linux MADV_DONTFORK). 0, or an error; a no-op where there is no fork. */
int vmem_exclude_from_fork(uintptr_t address, size_t size);

/* ---- free address space ---- */

/* Called for each free gap [start, end) of the address space; return true to stop the walk. */
typedef bool (*vmem_free_gap_fn)(uintptr_t start, uintptr_t end, void *context);

typedef enum vmem_walk_mode {
    VMEM_WALK_REGIONS,         /* the OS's own list of regions (/proc/<pid>/maps, VirtualQuery) */
    VMEM_WALK_EVERY_GRANULE    /* ask about every granule (Windows brute force for Wine) */
} vmem_walk_mode;

/* Calls gap for every free gap overlapping [min, max] in ascending order. Gaps may be reported
 * whole or clipped to [min, max]. Always terminates. Returns 0, or an OS error when the walk could
 * not start; a mode the OS does not have returns VMEM_UNSUPPORTED without calling gap. */
int vmem_walk_free(uint32_t pid, uintptr_t min, uintptr_t max, vmem_walk_mode mode,
                   vmem_free_gap_fn gap, void *context);

#define VMEM_UNSUPPORTED (-1)

/* ---- the shared, named locator mapping ---- */

/* The longest path of a shared object this layer builds (a longer one is refused, never cut), and
 * how many derived names ("<name> #2" ... "#<max>") it tries when the plain name is taken. */
#define VMEM_SHARED_PATH_LIMIT 1024
#define VMEM_SHARED_DERIVED_MAX 16

/* An open shared mapping of a named object (a file under a directory on POSIX, a named file mapping
 * on Windows), held under an exclusive lock against the other copies of the library in this
 * process until vmem_shared_close. */
typedef struct vmem_shared {
    uintptr_t address;     /* where this handle mapped it */
    size_t    size;        /* bytes mapped */
    bool      created;     /* true if this call created the object (its contents are zero) */
    bool      executable;  /* bytes past the first page may hold code */
    intptr_t  os_handle;   /* file descriptor / HANDLE */
    uint64_t  identity;    /* inode / object id, for vmem_shared_is_live_at */
    uint64_t  device;
    char      where[4 * VMEM_SHARED_PATH_LIMIT];  /* the path or object name used; on failure, why each
                                                      place was refused */
} vmem_shared;

/* Opens name (e.g. "Reloaded.Memory.Buffers.MemoryBuffer, PID 42") and maps size bytes of it shared
 * read/write (executable where allowed), holding a lock against the other copies of the library in
 * this process until vmem_shared_close. Nothing in an existing object is believed before its type,
 * owner and mode are checked, and no lock is waited for without a bound (about half a second).
 * On success, either
 *  - created: a new object that no process maps, zero-filled: the caller initialises it; or
 *  - an existing object that another copy of the library in this process maps at the address
 *    recorded in its first pointer-sized word (vmem_shared_is_live_at holds for that address).
 * POSIX: an object nobody maps any more (stale: a dead process's, or this process's before an exec)
 * is replaced by a new one, never reset in place; one that another process still maps (the same PID
 * in another PID namespace) is left alone and a derived name "<name> #n" is used instead, the same
 * one for every copy of the library in this process. A root path too long for
 * VMEM_SHARED_PATH_LIMIT fails with ENAMETOOLONG. A failure leaves nothing open; where says why. */
int vmem_shared_open(const char *name, size_t size, vmem_shared *out);

/* True if address is the start of a live mapping, in this process, of the same object as shared,
 * made by someone else: shared's own view (shared->address) is never evidence. */
bool vmem_shared_is_live_at(const vmem_shared *shared, uintptr_t address);

/* Unmaps this handle's view (unless keep_mapping) and drops the lock. The object stays; a kept
 * mapping keeps it marked live (POSIX: its alive lock) for the life of the process. */
void vmem_shared_close(vmem_shared *shared, bool keep_mapping);

/* Zeroes an existing object's contents where that is safe (Windows: named mappings die with their
 * process, so one found under our name is ours). POSIX: EBUSY, always -- vmem_shared_open never
 * returns an object that needs it. Needs the lock. */
int vmem_shared_reset(vmem_shared *shared);

/* Removes stale objects that start with prefix and belong to this user: no process has the PID in
 * their name and (POSIX) no process in any PID namespace still maps them. Returns how many it
 * removed. A no-op where objects die with their process (Windows). */
int vmem_shared_remove_stale(const char *prefix);

/* Chooses the folder this process's locator directories live under instead of $BUFFERS_SHARED_ROOT
 * or /tmp (an absolute path; EINVAL, ENAMETOOLONG otherwise). Only before the first shared object
 * is opened (the caller's duty). A no-op where shared objects are not files (Windows). */
int vmem_shared_set_root(const char *directory);

/* The folder this process's locator directories live under: the one vmem_shared_set_root chose,
 * else $BUFFERS_SHARED_ROOT when set and not empty, else /tmp. "" where shared objects are not files
 * (Windows). The text lives until the next vmem_shared_set_root or change of the environment. */
const char *vmem_shared_root(void);

/* The directory shared objects live in ("" where they are not files). */
const char *vmem_shared_directory(void);

/* ---- misc ---- */

/* Arranges for fn to run in the child after a fork() (once per registration; a no-op where there
 * is no fork). The locator finder uses it: a child must not keep using its parent's locator, which
 * is a shared mapping of the parent's file. */
void vmem_on_fork_child(void (*fn)(void));

/* Give up the processor while spinning on a lock. */
void vmem_yield(void);

/* True when error says the system ran out of memory or of mappings (ENOMEM; Windows:
 * ERROR_NOT_ENOUGH_MEMORY, ERROR_OUTOFMEMORY, ERROR_COMMITMENT_LIMIT). */
bool vmem_error_is_out_of_memory(int error);

/* What an error of this layer means, for callers that must tell a few cases apart portably (errno
 * on POSIX, GetLastError() codes on Windows). */
typedef enum vmem_error_kind {
    VMEM_ERROR_OTHER,
    VMEM_ERROR_NOT_FOUND,    /* ENOENT; ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND */
    VMEM_ERROR_DENIED,       /* EACCES, EPERM; ERROR_ACCESS_DENIED, ERROR_PRIVILEGE_NOT_HELD */
    VMEM_ERROR_EXISTS,       /* EEXIST; ERROR_ALREADY_EXISTS, ERROR_FILE_EXISTS */
    VMEM_ERROR_NO_PROCESS    /* ESRCH (Windows reports an ended process in other ways) */
} vmem_error_kind;

vmem_error_kind vmem_error_kind_of(int error);

/* Sleep for about this many microseconds (waiting for a buffer another user holds). */
void vmem_sleep_microseconds(uint32_t microseconds);

/* Human-readable text of an error number from this layer, written into buffer. */
const char *vmem_error_text(int error, char *buffer, size_t size);

#endif /* BUFFERS_VMEM_H */
