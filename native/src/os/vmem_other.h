/*
 * The OS layer, other processes: acting in a process that may never have loaded this library.
 * Implemented in os/<os>/remote/; used by the remote wing (src/remote/) and by the allocator when it
 * is asked for memory in another process.
 * Conventions are os/vmem.h's.
 */
#ifndef BUFFERS_VMEM_OTHER_H
#define BUFFERS_VMEM_OTHER_H

#include "os/vmem.h"

/* Windows: OpenProcess and the *Ex calls. Linux (x86-64, aarch64): system calls run inside the
 * target under ptrace, bytes moved through an open handle's /proc/<pid>/mem (vmem_process_watch_*,
 * os/linux/remote/process_watch.c) or with process_vm_writev/readv (os/linux/remote/memory.c;
 * docs/external.md). macOS: none (os/macos/remote/unsupported.c, VMEM_UNSUPPORTED). vmem_reserve_at,
 * vmem_release and vmem_walk_free accept another pid where vmem_supports_other_processes() is true. */

typedef enum vmem_process_access {
    VMEM_PROCESS_ACCESSIBLE,   /* exists, and this process may change its memory */
    VMEM_PROCESS_MISSING,      /* no live process has this id */
    VMEM_PROCESS_DENIED,       /* the OS refuses: why names the reason and the permission needed */
    VMEM_PROCESS_UNSUPPORTED   /* this build cannot act in that process (why says why) */
} vmem_process_access;

/* Whether memory in process pid (not this one) can be reserved, released and written, found out
 * the way those operations would (on Linux: one thread of pid is stopped for a moment and resumed
 * unchanged). On anything but VMEM_PROCESS_ACCESSIBLE, why (always written) explains. */
vmem_process_access vmem_check_other_process(uint32_t pid, char *why, size_t why_size);

/* A watch on the process that has id pid now, so a handle kept for a while can tell that process
 * from a later one given the same id (PID reuse): vmem_process_watch_alive is true while that very
 * process runs and false once it has ended, whatever the id names by then. Linux: a pidfd (5.3+), else
 * the process's start time from /proc/<pid>/stat; Windows: a process handle, which also keeps the id
 * from being given to another process while the watch is open. ESRCH when no such process. */
typedef struct vmem_process_watch {
    intptr_t  handle;       /* pidfd / HANDLE, -1 / NULL when not held */
    intptr_t  memory;       /* Linux: /proc/<pid>/mem, bound to the address space it was opened on; -1 if none */
    uint64_t  start_time;   /* Linux without pidfd: field 22 of /proc/<pid>/stat */
    uintptr_t anchor;       /* set by the caller after open, 0 if none: an address in the process whose
                               word holds that address while its program runs (exec unmaps it) */
    uint32_t  pid;
} vmem_process_watch;

int  vmem_process_watch_open(uint32_t pid, vmem_process_watch *out);
bool vmem_process_watch_alive(const vmem_process_watch *watch);
void vmem_process_watch_close(vmem_process_watch *watch);

/* What vmem_process_watch_write/_read return when the watched process has ended or replaced its
 * program (exec) since the watch was opened: nothing was written or read, whatever the pid names now. */
#define VMEM_PROCESS_CHANGED (-2)

/* vmem_write_other / vmem_write_code_other (code) / vmem_read_other into the very process and
 * program the watch was opened on, never another: VMEM_PROCESS_CHANGED once it has ended or exec'd.
 * Linux: one pwrite/pread through the watch's /proc/<pid>/mem, which the kernel binds to the
 * address space it was opened on (after an exit or exec it moves nothing), so the check and the copy
 * are one system call with no gap between them; code needs nothing more (that write path makes it
 * visible to instruction fetch on aarch64 too). Where that file could not be opened: the watch's
 * liveness and its anchor word are checked, then the copy is made by pid (a gap of microseconds).
 * Windows: liveness, then the copy (the open watch keeps the id from reuse; there is no exec). A
 * size of 0 moves nothing: 0 while the process lives. */
int vmem_process_watch_write(const vmem_process_watch *watch, uintptr_t address, const void *data, size_t size,
                             bool code);
int vmem_process_watch_read(const vmem_process_watch *watch, uintptr_t address, void *out, size_t size);

/* Copies size bytes into (write) or out of (read) the memory of process pid at address (0: this
 * process). Returns 0, or an OS error; a partial copy is an error (EFAULT). Page protections
 * apply, except on Linux where process_vm_writev is filtered or missing and /proc/<pid>/mem (which
 * writes through them, as a debugger does) is used instead. */
int vmem_write_other(uint32_t pid, uintptr_t address, const void *data, size_t size);
int vmem_read_other(uint32_t pid, uintptr_t address, void *out, size_t size);

/* As vmem_write_other, for code: afterwards the target's instruction fetch sees the new bytes
 * (x86: nothing more to do; aarch64 Linux: written through /proc/<pid>/mem, whose kernel path
 * cleans and invalidates the caches for executable mappings; Windows: FlushInstructionCache). */
int vmem_write_code_other(uint32_t pid, uintptr_t address, const void *code, size_t size);

/* Maps, in this process, the locator object process pid (not this one) uses: name or a derived name
 * "<name> #n" (vmem_shared_open's rules) whose recorded address (first pointer-sized word) starts a
 * live mapping of that same object in pid. size bytes, shared read/write, not executable, no lock
 * taken. out->address is this process's view; *out_recorded is where pid maps it. ENOENT when pid
 * maps no such object, EACCES when one exists but may not be trusted (not ours); out->where says
 * which places were looked at (the
 * directories are held to the rules of this process's own: a symlinked one, or one others may write
 * to without the sticky bit, is refused, EACCES); ENODATA when pid maps a file there that is shorter
 * than size (truncated). EACCES also when pid maps a locator file of another user: where then names
 * that user. Windows: the named section, accepted when the recorded address is the
 * base of a mapped view in pid whose first word is that address (os/windows/remote/shared_other.c). */
int  vmem_shared_open_other(uint32_t pid, const char *name, size_t size, vmem_shared *out, uintptr_t *out_recorded);
void vmem_shared_close_other(vmem_shared *shared);

/* 0 while the object behind a view of vmem_shared_open_other still backs every byte of it; else an
 * error, with why written. Linux: the file may be truncated by any process of its user, and a touch
 * of the view past the new end is SIGBUS: an fstat of the kept descriptor finds a short file
 * (ENODATA) before the view is touched. It cannot stop a truncation that comes after it (the window
 * is the caller's touch of the view; docs/locator-security.md). A view without a descriptor (one
 * made by vmem_shared_create_in_other) is not checked. Windows: a section cannot shrink; always 0. */
int  vmem_shared_check_other(const vmem_shared *shared, char *why, size_t why_size);

/* From hold to unhold, the first reservation this thread makes in pid (vmem_reserve_at) stays this
 * process's to take back: should it end before the unhold (or a vmem_release of that memory), the
 * memory is unmapped there (a buffer reserved but not yet registered in pid's locator). Linux: the
 * reservation's ptrace session ends as usual, its warden stays (os/linux/remote/warden.h) and seizes
 * the target again only if this process ends; a second hold before the unhold joins the first.
 * Elsewhere nothing (Windows: VirtualAllocEx memory of a dead caller stays; macOS: no other processes). */
void vmem_hold_other(uint32_t pid);
void vmem_unhold_other(uint32_t pid);

/* A lock word (0 free, 1 taken, compare-and-swap only) in memory this process shares with another
 * (a locator's header lock in our view of another process's file), taken so that no end of this
 * process (kill -9, exit, exec, a signal) can leave it taken: from take to release, the other
 * process and its other users may wait on it only as long as this process lives and holds it.
 * Linux: a warden process (os/linux/remote/warden.h) takes the word for us, waiting while others
 * hold it, and is the only one to store 0 there: at the release, or as soon as this process ends.
 * word is the address of an _Atomic(uint32_t) (void here: C++ code includes this header).
 * Returns 0 with the word taken (*out for the release), or VMEM_UNSUPPORTED where no such keeper
 * can be had (Windows, macOS, other architectures, a warden that cannot be made): the caller then
 * takes the word itself. One at a time per thread (EBUSY). */
typedef struct vmem_kept_lock vmem_kept_lock;
int  vmem_kept_lock_take(void *word, vmem_kept_lock **out);
void vmem_kept_lock_release(vmem_kept_lock *lock);

/* Creates the locator object name for process pid (not this one), which has none: where and as pid's
 * own library would (vmem_shared_open's root, directory rules and trust checks; a stale object there
 * is replaced by a new one; one that is live -- held alive, or mapped by pid -- is never touched:
 * EEXIST), maps it here (out->address, shared read/write, not executable) and in pid at a free
 * address (*out_remote_address), marked alive for as long as pid maps it, with nothing else of pid
 * changed (Linux: one ptrace session; nothing stays open there). The object is zero-filled and its
 * setup lock is held: the caller writes the locator (recording *out_remote_address first), then
 * calls vmem_shared_close(out, true), which drops the lock and keeps the view for
 * vmem_shared_close_other. On failure nothing is left, here or in pid, and out->where says why:
 * EPERM/EACCES (not allowed: pid runs as another user, untrusted directories, pid may not open the
 * file), ESRCH (pid ended), VMEM_UNSUPPORTED (builds that cannot act in other processes), or
 * another OS error. Windows: a named section in this session's namespace, a handle to it
 * duplicated into pid and a view mapped there (os/windows/remote/shared_create.c). */
int vmem_shared_create_in_other(uint32_t pid, const char *name, size_t size, vmem_shared *out,
                                uintptr_t *out_remote_address);

#endif /* BUFFERS_VMEM_OTHER_H */
