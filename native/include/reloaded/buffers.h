/*
 * libbuffers: memory between a minimum and a maximum address, from buffers that every user in a
 * process shares (the Reloaded.Memory.Buffers format, version 0).
 *
 * The only header a C or C++ user includes. Every function is thread-safe. Functions that can fail
 * return a buffers_status; on failure buffers_last_error() describes what went wrong on this thread.
 *
 * Documents named here as docs/<name>.md are installed with the header, under
 * <prefix>/share/doc/buffers/<name>.md (cmake --install).
 *
 * The file it creates. The first call that needs the shared locator (a get, a write, the locator
 * diagnostics) finds or makes this process's locator: on Linux and macOS the file
 *     <root>/.reloaded/memory.buffers/Reloaded.Memory.Buffers.MemoryBuffer, PID <pid>
 * (mode 0600; the directories mode 01777, created if missing), or, when that directory cannot be
 * trusted, the same name under the per-user fallback <root>/.reloaded-<uid>/memory.buffers (mode
 * 0700). <root> is the folder buffers_use_shared_root chose, else the environment variable
 * BUFFERS_SHARED_ROOT, else /tmp. A full chain adds files named "..., after 0x<address>" beside it;
 * where a file of that name is held by another process (another PID namespace) " #<n>" is appended.
 * When it makes a new locator file, it removes the stale files of dead processes of this user from
 * that directory (buffers_locator_file_remove_stale states the rules). What is
 * checked before a file is believed: docs/locator-security.md. On Windows the locator is a named
 * section, no file; nothing is left behind when the process ends.
 *
 * fork(). A child does not inherit the use of its parent's locator: the locator's page is kept out
 * of children (Linux MADV_DONTFORK, macOS minherit VM_INHERIT_NONE, where a page holds no more than
 * the locator), and the child's first call finds or makes a locator of its own, under its own pid.
 * Item handles (buffers_item *) and process handles (buffers_process *) from before the fork must
 * not be used in the child, held or not: they point into the parent's locator.
 *
 * The last error. Every call that returns a buffers_status other than BUFFERS_OK, and the calls
 * documented to return 0 or "" with a reason (buffers_item_append, buffers_item_append_code,
 * buffers_try_write, buffers_locator_address, buffers_locator_directory, buffers_locator_layout),
 * record the failure for this thread: buffers_last_error() (text) and buffers_last_status()
 * (status). Successful calls leave both alone (like errno), and so do the calls that cannot fail:
 * the settings constructors, the item getters and buffers_item_release, buffers_process_close,
 * buffers_overwrite_allocated_code, buffers_clear_instruction_cache, buffers_status_name,
 * buffers_version, buffers_max_address, buffers_allocation_granularity, buffers_shared_root.
 *
 * Strings returned are owned by the library; never free them. buffers_status_name, buffers_version
 * and buffers_locator_layout return constants; buffers_locator_directory a buffer that lives as long
 * as the library; buffers_shared_root text that a later buffers_use_shared_root or change of
 * BUFFERS_SHARED_ROOT replaces; buffers_last_error a per-thread buffer
 * that the next failing call on that thread overwrites (copy it to keep it). Strings passed in
 * (paths) are copied or used only during the call.
 *
 * Typical use (a trampoline that a 5-byte jmp rel32 at target can reach, every byte of it):
 *
 *     buffers_search_settings s = buffers_search_settings_rel32(target, 64);
 *     buffers_item *item;
 *     if (buffers_get_buffer(&s, &item) == BUFFERS_OK) {
 *         uintptr_t at = buffers_item_append_code(item, code, code_size);
 *         buffers_item_release(item);
 *     }
 *
 * (from_proximity(0x7FFFFFFF, target, ...) is not that window: a displacement counts from the end
 * of the jump, and every byte of the chunk must be reachable.) Trampolines whose bytes depend on
 * where they live: buffers_item_reserve, then buffers_commit_code (docs/hooking.md).
 */
#ifndef RELOADED_BUFFERS_H
#define RELOADED_BUFFERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version this header belongs to: compile-time twins of buffers_version() ("MAJOR.MINOR.PATCH";
 * the build checks them against the CMake project version). */
#define BUFFERS_VERSION_MAJOR 1
#define BUFFERS_VERSION_MINOR 0
#define BUFFERS_VERSION_PATCH 0

/* BUFFERS_HIDDEN_BUILD is defined only while compiling the private static copy (CMake option
 * BUFFERS_STATIC_HIDDEN): its API symbols stay inside whatever shared library links it. */
#if defined(_WIN32) && defined(BUFFERS_SHARED_BUILD)
#define BUFFERS_API __declspec(dllexport)
#elif defined(_WIN32) && defined(BUFFERS_SHARED)
#define BUFFERS_API __declspec(dllimport)
#elif defined(__GNUC__) && defined(BUFFERS_HIDDEN_BUILD)
#define BUFFERS_API __attribute__((visibility("hidden")))
#elif defined(__GNUC__)
#define BUFFERS_API __attribute__((visibility("default")))
#else
#define BUFFERS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every call that can fail. Nothing is changed when a call fails. */
typedef enum buffers_status {
    BUFFERS_OK = 0,
    BUFFERS_ERROR_INVALID_ARGUMENT, /* bad settings or arguments; nothing was changed */
    BUFFERS_ERROR_NO_SPACE,         /* no memory could be found or reserved inside [min, max] */
    BUFFERS_ERROR_LOCATOR,          /* the shared locator could not be opened, created or trusted */
    BUFFERS_ERROR_UNSUPPORTED,      /* not possible on this platform (e.g. another process on 32-bit Linux) */
    BUFFERS_ERROR_OUT_OF_MEMORY,    /* the OS refused memory for reasons other than address space */
    BUFFERS_ERROR_PERMISSION        /* the OS refused access to another process (the message says which
                                       permission is missing: ptrace, same user, CAP_SYS_PTRACE) */
} buffers_status;

/* The enumerator's name, e.g. "BUFFERS_ERROR_NO_SPACE"; "BUFFERS_STATUS_UNKNOWN" for other values. */
BUFFERS_API const char *buffers_status_name(buffers_status status);

/* This thread's last failure, human readable, naming the settings and the OS error; "" when this
 * thread has had no failure. Like errno it is only written by failing calls. The text stays valid
 * until the next failing call on the same thread. */
BUFFERS_API const char *buffers_last_error(void);

/* Where a shared buffer may come from: a buffer qualifies when its free part starts at or above
 * min_address, the whole buffer ends at or below max_address, and at least size bytes are free. */
typedef struct buffers_search_settings {
    uintptr_t min_address;
    uintptr_t max_address;
    uint32_t  size;                  /* bytes that must be free in the buffer */
} buffers_search_settings;

/* The most full searches one allocation may make: each reads the whole memory map (on Windows with
 * brute force, asks about every granule), so a count near INT32_MAX would run for minutes. Above it
 * is BUFFERS_ERROR_INVALID_ARGUMENT. */
#define BUFFERS_MAX_RETRY_COUNT 100

/* Where private memory may be reserved: [base, base + size) lies inside [min_address, max_address]. */
typedef struct buffers_allocator_settings {
    uintptr_t min_address;
    uintptr_t max_address;
    uint32_t  size;                  /* rounded up to the allocation granularity */
    uint32_t  target_process_id;     /* 0 or own pid: this process; others: Windows, Linux x86-64/aarch64 */
    int32_t   retry_count;           /* full searches before giving up: 1 to BUFFERS_MAX_RETRY_COUNT; default 8 */
    bool      brute_force;           /* default true; Windows only (tries every granule, for Wine) */
} buffers_allocator_settings;

/* min 0, max buffers_max_address(), size 4096. */
BUFFERS_API buffers_search_settings buffers_search_settings_default(void);

/* min = target - proximity (0 if that would go below 0), max = target + proximity (all ones if that
 * would overflow). A buffer found with these settings lies entirely in [min, max]. */
BUFFERS_API buffers_search_settings buffers_search_settings_from_proximity(size_t proximity, uintptr_t target,
                                                                           uint32_t size);

/* min 0, max buffers_max_address(), size 4096, this process, 8 retries, brute force on. */
BUFFERS_API buffers_allocator_settings buffers_allocator_settings_default(void);

/* As buffers_search_settings_from_proximity, other fields as buffers_allocator_settings_default. */
BUFFERS_API buffers_allocator_settings buffers_allocator_settings_from_proximity(size_t proximity, uintptr_t target,
                                                                                 uint32_t size);

/* A buffer from the shared locator, locked for the caller until buffers_item_release. */
typedef struct buffers_item buffers_item;

/* Finds a shared buffer matching the settings, or makes one (rounded up to the allocation
 * granularity) and registers it for everyone. On success *out_item is locked for the caller, who
 * may append up to buffers_item_bytes_left(*out_item) bytes and must then release it. A null
 * pointer, min > max or size == 0 is BUFFERS_ERROR_INVALID_ARGUMENT. */
BUFFERS_API buffers_status buffers_get_buffer(const buffers_search_settings *settings, buffers_item **out_item);

/* As buffers_get_buffer, and the item's next append address is a multiple of alignment with at
 * least settings->size bytes after it. alignment must be a power of two from 1 to 4096. */
BUFFERS_API buffers_status buffers_get_buffer_aligned(const buffers_search_settings *settings, uint32_t alignment,
                                                      buffers_item **out_item);

/* Copies size bytes to the item's next free address and returns that address. Returns 0 and writes
 * nothing if size is more than the bytes left, or if item or data (with size > 0) is null. */
BUFFERS_API uintptr_t buffers_item_append(buffers_item *item, const void *data, size_t size);

/* As buffers_item_append, and the bytes are executable with the instruction cache flushed for
 * exactly the written range. */
BUFFERS_API uintptr_t buffers_item_append_code(buffers_item *item, const void *code, size_t size);

BUFFERS_API uintptr_t buffers_item_base_address(const buffers_item *item); /* 0 for null */
BUFFERS_API uint32_t  buffers_item_size(const buffers_item *item);         /* 0 for null */
BUFFERS_API uint32_t  buffers_item_position(const buffers_item *item);     /* bytes handed out; 0 for null */
BUFFERS_API uint32_t  buffers_item_bytes_left(const buffers_item *item);   /* size - position; 0 for null */

/* Unlocks the item; the handle is dead afterwards. Null is ignored. */
BUFFERS_API void buffers_item_release(buffers_item *item);

/* Memory reserved for one owner, not registered in the shared locator. */
typedef struct buffers_private_allocation {
    uintptr_t base_address;
    size_t    size;                  /* the size actually reserved (rounded up) */
    uint32_t  process_id;
} buffers_private_allocation;

/* Reserves and commits read/write/execute memory inside [min, max]. */
BUFFERS_API buffers_status buffers_allocate_private_memory(const buffers_allocator_settings *settings,
                                                           buffers_private_allocation *out);

/* Frees memory from buffers_allocate_private_memory and zeroes *allocation, so a second call is
 * BUFFERS_ERROR_INVALID_ARGUMENT rather than a double free. */
BUFFERS_API buffers_status buffers_free_private_memory(buffers_private_allocation *allocation);

/* Copies size bytes of code over target (memory from this library) so that it is executable, and
 * flushes the instruction cache for exactly [target, target + size). Null pointers are ignored. */
BUFFERS_API void buffers_overwrite_allocated_code(const void *source, void *target, size_t size);

/* Flushes the instruction cache for [start, end). A no-op where the hardware keeps it coherent. */
BUFFERS_API void buffers_clear_instruction_cache(void *start, void *end);

BUFFERS_API uintptr_t   buffers_max_address(void);            /* highest address user code may map */
BUFFERS_API uint32_t    buffers_allocation_granularity(void);  /* page size; 64 KiB on Windows */
BUFFERS_API const char *buffers_version(void);                 /* "MAJOR.MINOR.PATCH" */

/* ---- Diagnostics (beyond the reference API): what is in the shared locator. ---- */

/* One buffer as registered in a locator. */
typedef struct buffers_buffer_info {
    uintptr_t base_address;
    uint32_t  size;
    uint32_t  position;
    bool      taken;
    uintptr_t locator_address;       /* the locator (4096-byte block) the item lives in */
} buffers_buffer_info;

/* The self-check of builds no test runs (macOS; docs/platforms.md, "Self-check"): the first call
 * that gets a buffer or private memory first proves the library here (a buffer near its own code and
 * one in the low 4 GiB, code appended, committed, read back and called, the locator found again) and
 * fails, naming the step, if any step does. This runs it now: BUFFERS_OK, or that failure (status and
 * buffers_last_error), the same every time. BUFFERS_OK at once in builds without the self-check. */
BUFFERS_API buffers_status buffers_self_check(void);

/* Address of this process's first locator, finding or creating it if needed; 0 on failure. Every
 * copy of the library in one process returns the same address. */
BUFFERS_API uintptr_t buffers_locator_address(void);

/* Copies up to capacity entries describing every registered buffer of this process, in locator
 * order, and stores the total count in *out_count (which may exceed capacity). */
BUFFERS_API buffers_status buffers_list_buffers(buffers_buffer_info *out, size_t capacity, size_t *out_count);

/* The directory holding this process's locator file (the shared one, or the per-user fallback when
 * the shared one is unsafe; see docs/locator-security.md), opening the locator if needed; "" where
 * the locator is not a file (Windows) or could not be opened (the reason recorded). */
BUFFERS_API const char *buffers_locator_directory(void);

/* ---- One call: get + append + release ---- */

/* Finds (or makes) a buffer inside [settings->min_address, settings->max_address] with room for
 * max(size, settings->size) bytes, copies size bytes into it, releases it and stores where the bytes
 * went in *out_address. size 0, or above UINT32_MAX, is BUFFERS_ERROR_INVALID_ARGUMENT. On failure
 * nothing is written and *out_address is left alone. */
BUFFERS_API buffers_status buffers_write(const buffers_search_settings *settings, const void *data, size_t size,
                                         uintptr_t *out_address);

/* As buffers_write, and the bytes are executable with the instruction cache flushed for them. */
BUFFERS_API buffers_status buffers_write_code(const buffers_search_settings *settings, const void *code,
                                              size_t size, uintptr_t *out_address);

/* Waiting (buffers_get_buffer, buffers_get_buffer_aligned, buffers_write, buffers_write_code): when
 * a buffer that fits the request exists but another user holds it, the call waits for it (spinning,
 * then yielding) before making a new buffer, and, if no new buffer fits the window, keeps waiting
 * (sleeping 1 ms at a time) for at most about 1 second before answering BUFFERS_ERROR_NO_SPACE.
 * Holders should release promptly: the bound is for stuck holders, not a timeout to rely on. */

/* ---- Item layout of the shared locator (docs/format.md) ---- */

/* Creates this process's locators in upstream Rust v4's item layout (taken after size and
 * position) so a Rust copy loaded later reads them. Call before any other call of this library;
 * the environment variable BUFFERS_LOCATOR_LAYOUT=rust does the same for every copy in the process.
 * BUFFERS_OK when the chain is (now) in Rust's layout; BUFFERS_ERROR_LOCATOR if the locator already
 * exists in the document's layout (it is never rewritten). A locator made by Rust is adopted in
 * Rust's layout without this call. */
BUFFERS_API buffers_status buffers_use_rust_layout(void);

/* "document" or "rust": the item layout of this process's locator chain, finding or creating it;
 * "" if it could not be found. */
BUFFERS_API const char *buffers_locator_layout(void);

/* ---- Never-blocking write and revocable private memory (for managed runtimes) ---- */

/* The fast path of buffers_write (code != 0: buffers_write_code), for callers that must not block
 * (a JVM critical call): the settings are spelled out and the address is returned. It never blocks,
 * makes nothing and waits for nothing: it uses only the buffer that last served this window in this
 * copy of the library, when that one is free right now and has room for max(size, data_size) bytes
 * inside [min_address, max_address]. Returns where the bytes went, or 0 (reason recorded) when there is
 * no such buffer or an argument is invalid; the caller then calls buffers_write, which makes a
 * buffer or reports the error. */
BUFFERS_API uintptr_t buffers_try_write(uintptr_t min_address, uintptr_t max_address, uint32_t size, const void *data,
                                        size_t data_size, int code);

/* Takes the memory of a private allocation of this process back without giving up its addresses:
 * the pages are replaced by fresh zero-filled read/write, non-executable pages, so anything still
 * pointing into the range reads zeros and writes harmlessly, and no other mapping can be placed there.
 * Free the range for real later with buffers_free_private_memory. Another process:
 * BUFFERS_ERROR_UNSUPPORTED. */
BUFFERS_API buffers_status buffers_retire_private_memory(const buffers_private_allocation *allocation);

/* ---- Buffers of another process (docs/external.md) ---- */

/* Another process, opened by PID. */
typedef struct buffers_process buffers_process;

/* Opens process pid: its first locator is mapped into this process so its locks work across the
 * two. A process that never used this library gets one (Linux: created in it under ptrace; Windows:
 * a named section with a view mapped in it; the library adopts it if the process loads it later).
 * A pid that does not exist (or is this process) is BUFFERS_ERROR_INVALID_ARGUMENT; one that the OS
 * forbids us (ptrace rules, another user, no PROCESS_VM_OPERATION access), BUFFERS_ERROR_PERMISSION;
 * a locator that cannot be made there, BUFFERS_ERROR_LOCATOR with the reason; a build that cannot
 * act in other processes (macOS; Linux other than x86-64 and aarch64) or a system where ptrace is
 * not to be had (a seccomp filter, an emulator such as qemu-user), BUFFERS_ERROR_UNSUPPORTED with
 * the reason. */
BUFFERS_API buffers_status buffers_process_open(uint32_t pid, buffers_process **out);

/* Closes the handle: a later call through it is BUFFERS_ERROR_INVALID_ARGUMENT (a few bytes stay
 * allocated for that). Release every item of the process first: item handles die with it. */
BUFFERS_API void buffers_process_close(buffers_process *process);

/* As buffers_get_buffer, in that process: the item calls (append, append_code, position, bytes
 * left, base address, size, release) then act there, appends writing into its memory. The
 * target's whole chain is used, except further locators it keeps in private memory (made by an
 * upstream copy of the format); a full chain is extended there as the target would extend it. */
BUFFERS_API buffers_status buffers_process_get_buffer(buffers_process *process, const buffers_search_settings *settings,
                                                      buffers_item **out_item);

/* ---- Additions ---- */

/* Chooses the folder this process's locator files live under (<directory>/.reloaded/memory.buffers,
 * else <directory>/.reloaded-<uid>/memory.buffers), as the environment variable BUFFERS_SHARED_ROOT
 * does, which it overrides; Java: the system property reloaded.buffers.sharedRoot. Call it before
 * the first buffer: once this process's locator is open it is BUFFERS_ERROR_INVALID_ARGUMENT, as is
 * a null or relative path. Every process that shares buffers with this one must use the same
 * folder. No effect on Windows, whose locators are named sections, not files. */
BUFFERS_API buffers_status buffers_use_shared_root(const char *directory);

/* The status of this thread's last failure, the one buffers_last_error() describes (BUFFERS_OK
 * before any). Bindings map it to their error types without parsing the text. */
BUFFERS_API buffers_status buffers_last_status(void);

/* ---- For hooking libraries: reach, reserve, fill, commit (docs/hooking.md) ---- */

/* Search settings whose window [min, max] lies within distance of every one of count targets
 * (|byte - target| <= distance for every byte of a buffer found with them, so for every chunk
 * taken from it): the intersection of each target's [target - distance, target + distance],
 * saturated at 0 and at the top of the address space. size goes into out->size. Null or no
 * targets, a null out, or size 0: BUFFERS_ERROR_INVALID_ARGUMENT. Targets too far apart for one
 * window (or a window smaller than size): BUFFERS_ERROR_NO_SPACE, the message naming the two
 * farthest targets and the distance. *out is written only on success. */
BUFFERS_API buffers_status buffers_search_settings_within(size_t distance, const uintptr_t *targets, size_t count,
                                                          uint32_t size, buffers_search_settings *out);

/* The exact window a 5-byte jmp rel32 placed at jump_address reaches: its displacement is a signed
 * 32-bit number counted from the end of the instruction, so the window is
 * [jump_address + 5 - 2^31, jump_address + 5 + 2^31 - 1], saturated at 0 and at the top of the
 * address space. Every byte of a buffer found with these settings is reachable, so the caller may
 * jump to any byte of a chunk taken from it, not only to its first. Where addresses are 32 bits
 * the displacement wraps modulo 2^32 and every address is reachable: the window is the whole
 * space (compute the displacement in 32-bit unsigned arithmetic). size goes into .size; a size
 * larger than the window makes buffers_get_buffer answer BUFFERS_ERROR_NO_SPACE. */
BUFFERS_API buffers_search_settings buffers_search_settings_rel32(uintptr_t jump_address, uint32_t size);

/* Reserve now, fill later. The held item's next size bytes become the caller's: they start at
 * buffers_item_base_address(item) + buffers_item_position(item) (read under the item's lock, which
 * the holder has), and the position moves past them. *out_address is where they execute,
 * *out_writable where the caller writes them: equal for ordinary (read/write/execute) buffers,
 * different in write-xor-execute mode (buffers_use_write_xor_execute), where *out_address is never
 * writable; so always write through *out_writable. The bytes stay the caller's after release; the library never writes them.
 * size 0 or more than buffers_item_bytes_left(item), a null or released item, or a null out
 * pointer: BUFFERS_ERROR_INVALID_ARGUMENT, and nothing moves. An item of another process
 * (buffers_process_get_buffer): BUFFERS_ERROR_UNSUPPORTED (append whole code there instead). */
BUFFERS_API buffers_status buffers_item_reserve(buffers_item *item, size_t size, uintptr_t *out_address,
                                                void **out_writable);

/* Gives back the last reservation while the item is still held: address must be what the last
 * buffers_item_reserve of this hold returned, with nothing appended or reserved after it; the
 * position moves back to where it was before. Anything else (an earlier reservation, bytes
 * appended after it, a reservation made before the item was released and taken again, or too many
 * items holding reservations at once for the library to remember them) is
 * BUFFERS_ERROR_INVALID_ARGUMENT and changes nothing. Once released, reserved bytes are permanent.
 * Copies of the format that check a buffer's window only before locking it (the upstream
 * libraries, older copies of this one) assume positions only grow; giving bytes back while one of
 * them is between its check and its lock can place its bytes up to the given-back size below its
 * window's min. Give back only what a failed preparation left, not as a routine. */
BUFFERS_API buffers_status buffers_item_unreserve(buffers_item *item, uintptr_t address);

/* Makes [address, address + size) executable where the buffer is not already, and flushes the
 * instruction cache for exactly those bytes. Call it after filling reserved bytes; any thread may,
 * at any later time, the item held or not. In write-xor-execute mode the bytes are executable
 * already (they were written through the other view), so only the cache is flushed. size 0, a range
 * that wraps, or a range not inside one buffer this process has verified as its own:
 * BUFFERS_ERROR_INVALID_ARGUMENT. */
BUFFERS_API buffers_status buffers_commit_code(uintptr_t address, size_t size);

/* ---- A window the caller keeps: buffers_write with no call into the library on success ----
 *
 *     static buffers_window w;   // once: buffers_window_open(&settings, BUFFERS_WINDOW_LAYOUT, &w)
 *     uintptr_t at;
 *     if (buffers_window_write(&w, bytes, 16, &at) != BUFFERS_OK) ... buffers_last_error() ...
 *
 * buffers_window_write is buffers_write(&w->settings, ...) with its fast path compiled into the
 * caller (GCC and Clang): the buffer that last served the window, if it is free and has room, is
 * locked, written and released in place. Anything else (the first use, a held or full buffer, an
 * invalid argument, a compiler without the __atomic built-ins, a library that cannot serve the
 * inline path) calls buffers_write, which answers exactly as it would have. Data only: code goes
 * through buffers_write_code. buffers_window_get is buffers_get_buffer(&w->settings, ...) the same
 * way: with the inline append and release below, get + append + release make no call on success.
 * The window may be copied; it never needs closing, and is good for as long as this copy of the
 * library stays loaded (it points into the library's memory).
 *
 * The inline path reads the library's private per-window hint through the layout below, version
 * BUFFERS_WINDOW_LAYOUT (1: the entry's first five words, what buffers_window_write reads; 2: the
 * whole buffers_item_words, which buffers_window_get also marks held). The library fills a window
 * only for a layout it speaks and only where a write is a plain store (not where pages are flipped
 * writable around each write; for layout 1, not through a second view either, write-xor-execute
 * mode); otherwise it leaves hint NULL and every write takes the call. Treat the fields as read-only. */
#define BUFFERS_WINDOW_LAYOUT 2u

/* Layout 1 of one hint: the buffer's private bounds and its shared item's words (taken: 0 free, 1
 * held, compare-and-swap only; position: written by the holder). */
typedef struct buffers_window_entry {
    uintptr_t base;
    uintptr_t last;                  /* base + size - 1 */
    uint32_t  size;                  /* 0: never fits */
    uint32_t *taken;
    uint32_t *position;
} buffers_window_entry;

/* A buffers_item of this process, as the inline item calls read it (layout 2 of a window's hint is
 * a pointer to one). held is BUFFERS_ITEM_HELD_INLINE from a get to its release when append and
 * release may run inline: a plain store of the bytes at base + position + write_delta, the
 * position and the unlock. Any other value (0: not held, or another process's item; 2: held with
 * something only the library may do, such as flipping pages or forgetting a reservation, or a
 * layout this header does not know) sends the call into the library. */
#define BUFFERS_ITEM_HELD_INLINE 1u
typedef struct buffers_item_words {
    buffers_window_entry words;      /* layout 1 */
    intptr_t             write_delta; /* bytes at base + n are written at base + n + write_delta */
    const void          *private_;
    uint32_t             held;
} buffers_item_words;

typedef struct buffers_window {
    buffers_search_settings            settings;
    buffers_window_entry *const       *hint;   /* the library's hint for these settings; NULL: always call */
} buffers_window;

/* Fills *out for settings (copied) in the given layout (pass BUFFERS_WINDOW_LAYOUT). Settings as for
 * buffers_get_buffer (min <= max, size >= 1), else BUFFERS_ERROR_INVALID_ARGUMENT; a layout the
 * library does not speak is no error: out->hint stays NULL. Makes no buffer. */
BUFFERS_API buffers_status buffers_window_open(const buffers_search_settings *settings, uint32_t layout,
                                               buffers_window *out);

#if defined(__GNUC__) && !defined(BUFFERS_NO_INLINE) && !defined(BUFFERS_NO_INLINE_WINDOW)
#define BUFFERS_INLINE_WINDOW_ 1
/* The library's own fast path (core/engine.h), in the same order: the hint's entry, if it has need
 * bytes in the window, locked, with its position unmoved since the first look (another holder may
 * have appended or given bytes back between the look and the lock); NULL, unlocked, otherwise. */
static inline buffers_window_entry *buffers_window_lock_(const buffers_window *window, uint64_t need,
                                                         uint32_t *out_at) {
    buffers_window_entry *const *hint = window ? window->hint : (buffers_window_entry *const *)0;
    buffers_window_entry *entry = hint ? __atomic_load_n(hint, __ATOMIC_ACQUIRE) : (buffers_window_entry *)0;
    if (!entry || entry->last > window->settings.max_address) return (buffers_window_entry *)0;
    uint32_t at = __atomic_load_n(entry->position, __ATOMIC_RELAXED), expected = 0;
    if ((uint64_t)at + need > entry->size || entry->base + at < window->settings.min_address ||
        !__atomic_compare_exchange_n(entry->taken, &expected, 1u, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return (buffers_window_entry *)0;
    if (__atomic_load_n(entry->position, __ATOMIC_RELAXED) != at) {
        __atomic_store_n(entry->taken, 0u, __ATOMIC_RELEASE);
        return (buffers_window_entry *)0;
    }
    *out_at = at;
    return entry;
}
#endif

static inline buffers_status buffers_window_write(const buffers_window *window, const void *data, size_t size,
                                                  uintptr_t *out_address) {
#ifdef BUFFERS_INLINE_WINDOW_
    if (window && data && out_address && size - 1 < (size_t)UINT32_MAX) {
        uint32_t at;
        buffers_window_entry *entry =
            buffers_window_lock_(window, window->settings.size > size ? window->settings.size : size, &at);
        if (entry) {
            /* The caller's address first: stored after the unlock, it made the loop 1.5x slower
             * (docs/benchmarks.md, "The window"). */
            *out_address = entry->base + at;
            __builtin_memcpy((void *)(entry->base + at + (uintptr_t)((buffers_item_words *)entry)->write_delta), data,
                             size);
            __atomic_store_n(entry->position, at + (uint32_t)size, __ATOMIC_RELAXED);
            __atomic_store_n(entry->taken, 0u, __ATOMIC_RELEASE);
            return BUFFERS_OK;
        }
    }
#endif
    return buffers_write(window ? &window->settings : (const buffers_search_settings *)0, data, size, out_address);
}

/* buffers_get_buffer(&window->settings, out_item), inline on success where the window was opened
 * in layout 2 (as BUFFERS_WINDOW_LAYOUT is): the item is locked and marked held in place. */
static inline buffers_status buffers_window_get(const buffers_window *window, buffers_item **out_item) {
#ifdef BUFFERS_INLINE_WINDOW_
    uint32_t at;
    buffers_window_entry *entry = out_item && window ? buffers_window_lock_(window, window->settings.size, &at)
                                                     : (buffers_window_entry *)0;
    if (entry) {
        __atomic_store_n(&((buffers_item_words *)entry)->held, BUFFERS_ITEM_HELD_INLINE, __ATOMIC_RELAXED);
        *out_item = (buffers_item *)entry;
        return BUFFERS_OK;
    }
#endif
    return buffers_get_buffer(window ? &window->settings : (const buffers_search_settings *)0, out_item);
}

/* ---- Locator files of this machine, for tools (the CLI's list, inspect and cleanup) ----
 *
 * Read-only views of every process's locator files under a root (the shared directory
 * <root>/.reloaded/memory.buffers and the per-user fallbacks <root>/.reloaded-<uid>/memory.buffers),
 * and the removal of stale ones by the same rules this library uses for its own. Nothing here maps a
 * file, takes an item or writes into another process: the bytes are copied and checked (a file may be
 * planted, truncated or another user's; each gets a status and a message, never a crash). Linux only;
 * elsewhere BUFFERS_ERROR_UNSUPPORTED (Windows keeps locators in named sections, macOS is not wired). */

#define BUFFERS_LOCATOR_PATH_MAX 1024
#define BUFFERS_LOCATOR_CHAIN_MAX 4096   /* the most locators buffers_locator_file_read follows (a longer
                                            chain, about 830,000 buffers, is taken as corrupt) */

/* Whether the process a locator file names still uses it. */
typedef enum buffers_locator_state {
    BUFFERS_LOCATOR_LIVE = 0,        /* its process runs and maps the file (or its maps cannot be read) */
    BUFFERS_LOCATOR_STALE = 1,       /* no process has its pid and none anywhere holds it alive */
    BUFFERS_LOCATOR_PID_REUSED = 2,  /* a process with its pid runs but does not map the file */
    BUFFERS_LOCATOR_FOREIGN = 3      /* no process of its pid here, yet one holds it alive (another PID
                                        namespace, or a forked child of its dead maker) */
} buffers_locator_state;

/* One locator file (the first locator of a process, or a derived "<name> #n"). */
typedef struct buffers_locator_file {
    char     path[BUFFERS_LOCATOR_PATH_MAX];  /* "<directory>/<name>" */
    uint32_t directory_length;                /* path[0, directory_length) is the directory */
    uint32_t pid;                             /* from the name */
    uint32_t owner_uid;                       /* UINT32_MAX when unknown */
    int32_t  state;                           /* a buffers_locator_state */
    bool     regular;                         /* false: a symlink, FIFO or device under a locator's name */
    char     process_name[32];                /* the pid's command name now (Linux /proc/PID/comm), "?" if unknown */
} buffers_locator_file;

/* Copies up to capacity descriptions of the locator files under root (null: the root this process
 * uses, buffers_use_shared_root, else $BUFFERS_SHARED_ROOT, else /tmp), sorted by pid then path, and
 * stores the total in *out_count (which may exceed capacity; out may be null when capacity is 0).
 * Directories are read without following symlinks; ones we may not read are skipped. A root that is
 * not an existing directory, a relative root or a null out_count: BUFFERS_ERROR_INVALID_ARGUMENT. */
BUFFERS_API buffers_status buffers_locator_files(const char *root, buffers_locator_file *out, size_t capacity,
                                                 size_t *out_count);

/* One locator of a chain, as read. */
typedef struct buffers_locator_block {
    uint64_t address;        /* where its process maps it */
    uint64_t next_address;   /* the next locator there; 0 at the end of the chain */
    uint32_t item_count;
    uint32_t pointer_size;   /* 8 or 4: the width the block was read in */
    bool     locked;         /* its header lock was held when read */
    bool     from_file;      /* read from the file; else from the process's memory */
} buffers_locator_block;

/* Reads the locator chain of the file at path without taking anything: the first locator from the
 * file, the next ones (while the process is live) from its memory (Linux: /proc/PID/mem, which needs
 * ptrace permission), at most block_capacity of them (1: the file alone) and at most
 * BUFFERS_LOCATOR_CHAIN_MAX. Each block read is stored
 * in blocks, its items (base, size, position, taken; locator_address its block's address) in items
 * up to item_capacity; *out_blocks and *out_items are the counts read (items may exceed item_capacity:
 * size it 255 per block). The last block's next_address says whether the chain goes on. note gets ""
 * when the walk stopped at the end of the chain or at block_capacity, else why it stopped (the
 * process is gone, a locator there is not readable, the chain loops). A path that is null, relative,
 * too long or not named like a locator file, a null count or capacities without their arrays:
 * BUFFERS_ERROR_INVALID_ARGUMENT; a file that cannot be read or holds no locator (not a regular file,
 * shorter than 4096 bytes, a header that is not version 0 in either width):
 * BUFFERS_ERROR_LOCATOR, the message saying which. */
BUFFERS_API buffers_status buffers_locator_file_read(const char *path, buffers_locator_block *blocks,
                                                     size_t block_capacity, size_t *out_blocks,
                                                     buffers_buffer_info *items, size_t item_capacity,
                                                     size_t *out_items, char *note, size_t note_size);

/* Removes the locator file at path if it is stale by the rules of this library's own sweep
 * (docs/locator-security.md): named like a locator file, a regular file of this user not writable by
 * others with one link, no process has its pid, and no process anywhere holds it alive; it is checked
 * under its setup lock, so a process adopting it meanwhile keeps it. *out_removed: true when it went
 * (with dry_run: when it would go, and it stays); false when it is kept, with why in *out_why
 * (may be null). A bad argument (null, relative, not a locator file name): BUFFERS_ERROR_INVALID_ARGUMENT;
 * a stale file that could not be unlinked: BUFFERS_ERROR_LOCATOR with the OS's reason. */
BUFFERS_API buffers_status buffers_locator_file_remove_stale(const char *path, bool dry_run, bool *out_removed,
                                                             char *out_why, size_t why_size);

/* Write-xor-execute buffers for this copy of the library: no page of a buffer is ever writable and
 * executable at the same address. Each buffer runs at its address (read+execute) and is written
 * through a second, read+write view of the same memory (Linux: a memfd mapped twice; Windows: a
 * section mapped twice; Intel macOS: an allocation given a second view by mach_vm_remap), so appending
 * never stops code that other threads run from the same page. Appends, buffers_write and
 * buffers_overwrite_allocated_code write through that view by themselves; buffers_item_reserve hands
 * it out as *out_writable. These buffers live in a chain of their own that every copy of this
 * library in the mode shares and the upstream libraries never open (docs/format.md).
 * Call it before the first use of the library (or set BUFFERS_WRITE_XOR_EXECUTE=1 in the environment,
 * which every copy reads: the recommended switch). After the first use in the ordinary mode:
 * BUFFERS_ERROR_LOCATOR, nothing changes. Where this build cannot make such buffers:
 * BUFFERS_ERROR_UNSUPPORTED. On Apple silicon buffers are always of this kind (MAP_JIT
 * pages written under the thread's write switch). The mode is also taken by itself, at the first use,
 * when the system refuses writable and executable memory (SELinux execmem, PaX MPROTECT, seccomp);
 * that first call's buffers_last_error() then says so. */
BUFFERS_API buffers_status buffers_use_write_xor_execute(void);

/* "" in the ordinary mode (or before the first use); otherwise one line saying that this copy's
 * buffers are write-xor-execute and why (asked for, or taken because the system refused). */
BUFFERS_API const char *buffers_write_xor_execute_reason(void);

/* The folder this copy of the library keeps its locator files under, or would once it makes its
 * locator: the one buffers_use_shared_root chose (Java: the system property
 * reloaded.buffers.sharedRoot), else the environment variable BUFFERS_SHARED_ROOT when set and not
 * empty, else "/tmp"; the files are in <root>/.reloaded/memory.buffers or the per-user fallback
 * <root>/.reloaded-<uid>/memory.buffers. Tools that look for locator files take it from here
 * (buffers_locator_files with a null root uses it). "" on Windows, whose locators are named
 * sections, not files. Never fails, never opens the locator. */
BUFFERS_API const char *buffers_shared_root(void);

/* ---- Append and release inline: no call into the library on success ----
 *
 * With GCC and Clang, buffers_item_append(item, data, size) and buffers_item_release(item) are
 * compiled into the caller (the macros below): an item marked BUFFERS_ITEM_HELD_INLINE, with room,
 * is written, moved and unlocked in place, exactly as the library would; anything else (a null,
 * released or another process's item, null data, size 0 or too big, pages that must be flipped,
 * a reservation to forget) makes the call, which answers as it always has. The functions keep
 * their names and symbols: (buffers_item_append)(...) or a pointer to it calls the library, and
 * defining BUFFERS_NO_INLINE before including this header turns every inline path off. */
#if defined(__GNUC__) && !defined(BUFFERS_NO_INLINE)
static inline uintptr_t buffers_item_append_inline_(buffers_item *item, const void *data, size_t size) {
    buffers_item_words *words = (buffers_item_words *)item;
    if (words && data && __atomic_load_n(&words->held, __ATOMIC_RELAXED) == BUFFERS_ITEM_HELD_INLINE) {
        buffers_window_entry *entry = &words->words;
        uint32_t at = __atomic_load_n(entry->position, __ATOMIC_RELAXED);
        /* The shared position is a claim (any process of the user can write it): bounded here too. */
        if (size - 1 < (size_t)entry->size && at <= entry->size - (uint32_t)size) {
            __builtin_memcpy((void *)(entry->base + at + (uintptr_t)words->write_delta), data, size);
            __atomic_store_n(entry->position, at + (uint32_t)size, __ATOMIC_RELAXED);
            return entry->base + at;
        }
    }
    return (buffers_item_append)(item, data, size);
}

static inline void buffers_item_release_inline_(buffers_item *item) {
    buffers_item_words *words = (buffers_item_words *)item;
    if (words && __atomic_load_n(&words->held, __ATOMIC_RELAXED) == BUFFERS_ITEM_HELD_INLINE) {
        __atomic_store_n(&words->held, 0u, __ATOMIC_RELAXED);
        __atomic_store_n(words->words.taken, 0u, __ATOMIC_RELEASE);
        return;
    }
    (buffers_item_release)(item);
}

#define buffers_item_append(item, data, size) buffers_item_append_inline_((item), (data), (size))
#define buffers_item_release(item) buffers_item_release_inline_(item)
#endif

#ifdef __cplusplus
}
#endif

#endif /* RELOADED_BUFFERS_H */
