/* Linux only: runs system calls inside another process under ptrace (used by os/linux/remote/memory.c).
 * A session seizes one thread of the target, stops it, saves its registers, runs any number of
 * system calls at a system-call instruction found in the target's own executable memory, then
 * restores every register it changed and detaches. Only that thread stops; the others run on.
 * Every ptrace request of a session is made by its warden (os/linux/remote/warden.h), a process of
 * its own that survives the end of the caller and then undoes the session. */
#ifndef BUFFERS_VMEM_LINUX_PTRACE_H
#define BUFFERS_VMEM_LINUX_PTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True where sessions are implemented (x86-64 and aarch64 builds). */
bool ptrace_sessions_supported(void);

/* For tests: true makes every later session use a thread of this process as its warden, as Yama's
 * ptrace_scope 1 forces for this process's children (the target's stops then reach this process's
 * waiting threads; the end of this process lets a target go mid-call). */
void ptrace_sessions_use_thread(bool use_thread);

/* Yama's kernel.yama.ptrace_scope, or -1 where there is no Yama. */
int ptrace_yama_scope(void);

struct tracer;

/* The registers, the instruction and the held-back signals live in the warden's box. */
typedef struct ptrace_session {
    struct tracer *tracer;   /* drives the warden (os/linux/remote/tracer.h) */
    int            pid;      /* the target process */
    int            tid;      /* the seized thread */
} ptrace_session;

/* Every wait for a stop is bounded (a few seconds): no call hangs. Errors of all calls below:
 * ETIMEDOUT (the thread did not stop in time), ECHILD (another thread of this process, waiting for
 * the target as its child, took a stop we could not identify), and those named per call. */

/* Seizes and stops a live thread of pid. Returns 0, or an errno: ESRCH (gone), EPERM (refused:
 * the caller explains why), ENOSYS (no ptrace here), ENOEXEC (a 32-bit target, or no system-call
 * instruction found; why says which), EAGAIN (it kept running execve). On failure nothing is left
 * attached (unless the thread never stopped at all: see docs/external.md, Limits). */
int ptrace_session_begin(uint32_t pid, ptrace_session *session, char *why, size_t why_size);

/* Runs system call number with six arguments in the stopped thread; *result is the raw return
 * value (-4095..-1 is -errno). Returns 0, or an errno when the call could not be run. undo_number
 * (0: none) names the call that takes this one back, undo_number(*result, undo_second): should the
 * caller end before the session does, its warden runs the undos of the calls that succeeded, newest
 * first, unless a later call of the session equal to one (number and first argument) settled it. */
int ptrace_session_syscall(ptrace_session *session, long number, const uintptr_t args[6], long undo_number,
                           uintptr_t undo_second, intptr_t *result);

/* As ptrace_session_end, but the warden stays with the session's undos: should this process end
 * before ptrace_session_let_go, the warden seizes the thread again (if the target still runs the
 * program the session ran in) and takes them back. */
int  ptrace_session_end_keeping(ptrace_session *session);

/* Of a session ended keeping its undos: drops them (what they would take back stays done whatever
 * becomes of this process) and ends the warden. */
void ptrace_session_let_go(ptrace_session *session);

/* Restores the saved registers, detaches and re-sends the signals that arrived meanwhile.
 * Returns 0 or an errno (ESRCH when the thread died or a thread ran execve meanwhile: then the
 * registers, which belonged to the old program, are left alone). */
int ptrace_session_end(ptrace_session *session);

#endif
