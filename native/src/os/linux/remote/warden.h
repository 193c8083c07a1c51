/* Linux x86-64/aarch64 only: the tracer of one ptrace session (os/linux/remote/ptrace.c), which
 * survives the end of the calling process. It runs in a process of its own that shares our memory
 * (clone with CLONE_VM, no CLONE_THREAD; os/linux/remote/tracer.c starts it): a kill -9, exit() or
 * exec of the caller ends only the caller's thread group, and the warden then puts the target's
 * registers back and detaches it. Since it shares the caller's memory but not its threads, it may
 * call nothing of the C library (whose locks and thread data belong to threads that may be dead):
 * it makes raw system calls only, and this file is compiled without sanitizers or stack protector.
 * Where a process of its own cannot trace the target (Yama ptrace_scope 1 and a target that is the
 * caller's descendant), the same loop runs on a thread of the caller instead (docs/external.md).
 * A warden without a session keeps a lock word for its creator instead (WARDEN_LOCK,
 * os/linux/remote/kept_lock.c): always a process, since it traces nothing. */
#ifndef BUFFERS_VMEM_LINUX_WARDEN_H
#define BUFFERS_VMEM_LINUX_WARDEN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum warden_op {
    WARDEN_IDLE,         /* nothing asked */
    WARDEN_BEGIN,        /* seize tid of pid, stop it, save its registers (saved, saved_size) */
    WARDEN_SYSCALL,      /* run number(args) at gadget; the result in result; registers back as saved */
    WARDEN_END,          /* registers back, detach, re-send held-back signals; the undos are dropped */
    WARDEN_END_KEEPING,  /* as END, but the undos stay (see mem below) */
    WARDEN_SETTLE_ALL,   /* drop every undo */
    WARDEN_LOCK,         /* take the lock word at lock_word (no session: see lock_word below) */
    WARDEN_QUIT          /* let go of a lock word taken, then return from warden_serve */
};

enum { WARDEN_SIGNALS = 8, WARDEN_REGISTERS = 64, WARDEN_UNDOS = 8 };

/* A call that takes back one the session made in the target: number(first, second), e.g. close(fd)
 * after an openat, munmap(address, size) after an mmap. */
typedef struct warden_undo {
    long      number;
    uintptr_t first, second;
} warden_undo;

/* Everything the caller and the warden share; the caller writes the fields of an op, then request. */
typedef struct warden_box {
    _Atomic(int) request;       /* an enum warden_op: posted by the caller, set back to IDLE when done */
    _Atomic(int) warden_tid;    /* the warden process's id; the kernel zeroes it when that process ends */
    int          creator;       /* the caller's process id; 0 when the warden is a thread of the caller */
    int          error;         /* of the last op: 0 or an errno */
    /* the session */
    int          pid, tid;                      /* the target, and the thread seized */
    uint64_t     saved[WARDEN_REGISTERS];       /* its registers (the arch's user_regs_struct) */
    size_t       saved_size;                    /* as the kernel gave them: smaller for a 32-bit target */
    uintptr_t    gadget;                        /* a system-call instruction in the target */
    long         number;                        /* WARDEN_SYSCALL: the call */
    uintptr_t    args[6];
    intptr_t     result;
    /* WARDEN_SYSCALL: when the call succeeds, undo_number(result, undo_second) joins the undo list
     * (0: nothing to take back); a call equal to a listed undo (number and first argument) settles it.
     * If the creator ends with a session open, the warden runs the list, newest first, before it
     * lets the target go: the target keeps nothing of a session its caller did not see through. */
    long         undo_number;
    uintptr_t    undo_second;
    warden_undo  undos[WARDEN_UNDOS];
    int          undo_count;
    /* After an END_KEEPING with undos left, the creator's end has the warden seize the thread again to
     * run them, but only while mem (the target's /proc/PID/mem, opened then) still reads: that
     * descriptor is bound to the memory the session ran in, so it stops reading once the target has
     * exited (its pid perhaps given to another) or exec'd. -1: none. */
    int          mem;
    /* WARDEN_LOCK: a lock word (0 free, 1 taken, compare-and-swap only) in memory we share, such as
     * a locator header in our view of another process's file. The warden takes it (waiting while
     * others hold it) and is then the only one that stores 0 there: at WARDEN_QUIT, or as soon as
     * the creator is gone, so no end of the creator leaves it taken. A creator that ends while the
     * warden waits for it has it given back at once. */
    _Atomic(uint32_t) *lock_word;
    bool               lock_held;
    int          signals[WARDEN_SIGNALS];       /* signals that arrived meanwhile, re-sent on detach */
    int          signal_count;
    bool         seized, exec_seen, running;
} warden_box;

/* The warden's loop over box's requests. Returns after WARDEN_QUIT, or (creator set) once the
 * creator is gone or silent for a few seconds with a session open, after ending that session. */
int warden_serve(void *box);

/* Starts warden_serve(box) in a new process sharing this one's memory, files and file system
 * information, on the stack ending at stack_top (16-byte aligned), with no signal at its end; its id
 * is stored in box->warden_tid and zeroed by the kernel when it ends. Returns its id or -errno. */
long warden_clone(warden_box *box, void *stack_top);

#endif
