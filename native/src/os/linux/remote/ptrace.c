/* System calls run inside another process under ptrace: see os/linux/remote/ptrace.h and
 * docs/external.md (why each step is done the way it is). */
#define _GNU_SOURCE

#include "os/linux/remote/ptrace.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__aarch64__)
#include <sys/user.h>

#include "os/linux/remote/target.h"
#include "os/linux/remote/tracer.h"

#if defined(__x86_64__)
#define REG_PC(r) ((r).rip)
static const unsigned char syscall_instruction[] = {0x0F, 0x05};   /* syscall */
enum { INSTRUCTION_ALIGN = 1 };
#else
#define REG_PC(r) ((r).pc)
static const unsigned char syscall_instruction[] = {0x01, 0x00, 0x00, 0xD4};   /* svc #0 */
enum { INSTRUCTION_ALIGN = 4 };
#endif

bool ptrace_sessions_supported(void) {
    return true;
}

int ptrace_yama_scope(void) {
    int scope = -1;
    FILE *file = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
    if (file) {
        if (fscanf(file, "%d", &scope) != 1) scope = -1;
        fclose(file);
    }
    return scope;
}

/* The session's warden (as_thread: a thread of ours) seizes and stops the thread; then, the
 * target stopped, the system-call instruction is found here (the warden may not use the C library). */
static int begin_with(ptrace_session *s, bool as_thread, bool *started, char *why, size_t why_size) {
    *started = tracer_start(&s->tracer, as_thread) == 0;
    if (!*started) return EAGAIN;
    warden_box *box = tracer_box(s->tracer);
    box->pid = s->pid, box->tid = s->tid;
    int error = tracer_run(s->tracer, WARDEN_BEGIN);
    if (error == ENOEXEC)
        snprintf(why, why_size, "process %d is a 32-bit program; this %d-bit library can only act in %d-bit ones",
                 s->pid, (int)(8 * sizeof(void *)), (int)(8 * sizeof(void *)));
    if (!error) {
        struct user_regs_struct regs;
        memcpy(&regs, box->saved, sizeof regs);
        error = target_find_instruction((uint32_t)s->pid, syscall_instruction, sizeof syscall_instruction,
                                        INSTRUCTION_ALIGN, (uintptr_t)REG_PC(regs), &box->gadget, why, why_size);
        if (error) tracer_run(s->tracer, WARDEN_END);   /* registers unchanged so far */
    }
    if (error) tracer_stop(s->tracer);   /* lets go of a thread that never stopped, too */
    if (error) s->tracer = NULL;
    return error;
}

static _Atomic(bool) use_thread_only;

void ptrace_sessions_use_thread(bool use_thread) {
    atomic_store(&use_thread_only, use_thread);
}

/* In a warden process of its own when it can: it survives the end of this process. Yama's
 * ptrace_scope 1 lets only the target's ancestors (and whom it named) trace it, and the warden is
 * no ancestor of this process's children: those are traced from a thread of ours instead. */
int ptrace_session_begin(uint32_t pid, ptrace_session *s, char *why, size_t why_size) {
    memset(s, 0, sizeof *s);
    why[0] = 0;
    s->pid = (int)pid;
    s->tid = target_pick_thread(pid);
    if (s->tid <= 0) return ESRCH;
    bool started = false;
    int error = atomic_load(&use_thread_only) ? 0 : begin_with(s, false, &started, why, why_size);
    if (!started || (error == EPERM && ptrace_yama_scope() == 1)) {
        why[0] = 0;
        error = begin_with(s, true, &started, why, why_size);
        if (!started) error = ENOMEM;
    }
    return error;
}

int ptrace_session_syscall(ptrace_session *s, long number, const uintptr_t args[6], long undo_number,
                           uintptr_t undo_second, intptr_t *result) {
    warden_box *box = tracer_box(s->tracer);
    box->number = number;
    box->undo_number = undo_number;
    box->undo_second = undo_second;
    memcpy(box->args, args, sizeof box->args);
    int error = tracer_run(s->tracer, WARDEN_SYSCALL);
    if (!error) *result = box->result;
    return error;
}

int ptrace_session_end_keeping(ptrace_session *s) {
    return tracer_run(s->tracer, WARDEN_END_KEEPING);
}

/* Through the warden, which owns the list: the caller may be ending at any instant. */
void ptrace_session_let_go(ptrace_session *s) {
    tracer_run(s->tracer, WARDEN_SETTLE_ALL);
    tracer_stop(s->tracer);
    s->tracer = NULL;
}

int ptrace_session_end(ptrace_session *s) {
    int error = tracer_run(s->tracer, WARDEN_END);
    tracer_stop(s->tracer);   /* lets go of the thread even if it could not be detached */
    s->tracer = NULL;
    return error;
}

#else /* no sessions on this architecture */

bool ptrace_sessions_supported(void) {
    return false;
}

int ptrace_session_begin(uint32_t pid, ptrace_session *s, char *why, size_t why_size) {
    (void)pid, (void)s;
    snprintf(why, why_size, "this build can act in other processes only on x86-64 and aarch64 Linux");
    return ENOSYS;
}

int ptrace_session_syscall(ptrace_session *s, long number, const uintptr_t args[6], long undo_number,
                           uintptr_t undo_second, intptr_t *result) {
    (void)s, (void)number, (void)args, (void)undo_number, (void)undo_second, (void)result;
    return ENOSYS;
}

int ptrace_session_end(ptrace_session *s) {
    (void)s;
    return ENOSYS;
}

int ptrace_session_end_keeping(ptrace_session *s) {
    (void)s;
    return ENOSYS;
}

void ptrace_session_let_go(ptrace_session *s) {
    (void)s;
}

int ptrace_yama_scope(void) {
    return -1;
}

void ptrace_sessions_use_thread(bool use_thread) {
    (void)use_thread;
}

#endif
