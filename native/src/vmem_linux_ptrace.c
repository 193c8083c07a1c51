/* System calls run inside another process under ptrace: see vmem_linux_ptrace.h and
 * docs/external.md (why each step is done the way it is). */
#define _GNU_SOURCE

#include "vmem_linux_ptrace.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__aarch64__)
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "vmem_linux_target.h"

typedef struct user_regs_struct regs_t;
_Static_assert(sizeof(regs_t) <= sizeof(((ptrace_session *)0)->saved), "registers fit the session");

#if defined(__x86_64__)
#define REG_PC(r)     ((r).rip)
#define REG_NUMBER(r) ((r).rax)
#define REG_RESULT(r) ((r).rax)
static const unsigned char syscall_instruction[] = {0x0F, 0x05};   /* syscall */
enum { INSTRUCTION_ALIGN = 1 };

static void set_arguments(regs_t *r, const uintptr_t a[6]) {
    r->rdi = a[0], r->rsi = a[1], r->rdx = a[2], r->r10 = a[3], r->r8 = a[4], r->r9 = a[5];
}
#else
#define REG_PC(r)     ((r).pc)
#define REG_NUMBER(r) ((r).regs[8])
#define REG_RESULT(r) ((r).regs[0])
static const unsigned char syscall_instruction[] = {0x01, 0x00, 0x00, 0xD4};   /* svc #0 */
enum { INSTRUCTION_ALIGN = 4 };

static void set_arguments(regs_t *r, const uintptr_t a[6]) {
    for (int i = 0; i < 6; i++) r->regs[i] = a[i];
}
#endif

/* Kernel-internal return values of a system call interrupted by a stop (include/linux/errno.h). */
enum { ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516 };

bool ptrace_sessions_supported(void) {
    return true;
}

static int get_registers(const ptrace_session *s, regs_t *regs, size_t *got) {
    struct iovec io = {regs, sizeof *regs};
    if (ptrace(PTRACE_GETREGSET, s->tid, (void *)(uintptr_t)NT_PRSTATUS, &io) != 0) return errno;
    if (got) *got = io.iov_len;
    return 0;
}

static int set_registers(const ptrace_session *s, const regs_t *regs) {
    struct iovec io = {(void *)regs, sizeof *regs};
    return ptrace(PTRACE_SETREGSET, s->tid, (void *)(uintptr_t)NT_PRSTATUS, &io) == 0 ? 0 : errno;
}

/* The saved state of a thread stopped while a system call was interrupted, changed so that simply
 * resuming there runs the call again, as the kernel would have done had we not stopped it.
 * x86-64: the kernel rewinds after the stop, using the registers it finds then, so we rewind
 * ourselves (the call again, or restart_syscall to continue a sleep with the time left).
 * aarch64: the kernel already rewound the pc and x0 before the stop; a call that would continue
 * through restart_syscall is issued again from the start instead (docs/external.md). */
static void prepare_restart(regs_t *regs) {
#if defined(__x86_64__)
    if ((long)regs->orig_rax >= 0) {
        long code = -(long)regs->rax;
        if (code == ERESTARTSYS || code == ERESTARTNOINTR || code == ERESTARTNOHAND) {
            regs->rax = regs->orig_rax;
            regs->rip -= 2;
        } else if (code == ERESTART_RESTARTBLOCK) {
            regs->rax = SYS_restart_syscall;
            regs->rip -= 2;
        }
    }
    regs->orig_rax = (unsigned long long)-1;   /* no restart logic on top of ours */
#else
    (void)regs;
#endif
}

/* Marks the thread as "not in a system call", so that the kernel applies no restart logic to the
 * restored registers when it leaves our injected call (aarch64 keeps this outside NT_PRSTATUS). */
static void forget_system_call(const ptrace_session *s) {
#if defined(__aarch64__)
    int none = -1;
    struct iovec io = {&none, sizeof none};
    ptrace(PTRACE_SETREGSET, s->tid, (void *)(uintptr_t)NT_ARM_SYSTEM_CALL, &io);
#else
    (void)s;
#endif
}

static int wait_for_stop(const ptrace_session *s, int *status) {
    for (;;) {
        pid_t got = waitpid(s->tid, status, __WALL);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return errno == ECHILD ? ESRCH : errno;
        if (WIFEXITED(*status) || WIFSIGNALED(*status)) return ESRCH;
        return 0;
    }
}

/* Waits for the next stop of the wanted kind (a syscall stop, or else the PTRACE_EVENT_STOP of an
 * interrupt or group stop), resuming with request past any other stop. A signal that arrives is
 * held back and re-sent after detaching, so the target sees it once we are gone. */
static int next_stop(ptrace_session *s, int request, bool want_syscall) {
    for (;;) {
        int status;
        int error = wait_for_stop(s, &status);
        if (error) return error;
        int signal = WSTOPSIG(status), event = status >> 16;
        if (event == PTRACE_EVENT_EXEC) {   /* another program now: our saved registers mean nothing */
            s->exec_seen = true;
            return ESRCH;
        }
        if (want_syscall ? signal == (SIGTRAP | 0x80) : event == PTRACE_EVENT_STOP) return 0;
        if (event == 0 && signal != (SIGTRAP | 0x80) && s->signal_count < PTRACE_SESSION_SIGNALS)
            s->signals[s->signal_count++] = signal;
        if (ptrace(request, s->tid, 0, 0) != 0) return errno;
    }
}

/* Lets the thread go, then re-sends the signals held back meanwhile. */
static int detach(const ptrace_session *s) {
    int error = ptrace(PTRACE_DETACH, s->tid, 0, 0) == 0 ? 0 : errno;
    for (int i = 0; i < s->signal_count; i++) syscall(SYS_tgkill, s->pid, s->tid, s->signals[i]);
    return error;
}

int ptrace_session_begin(uint32_t pid, ptrace_session *s, char *why, size_t why_size) {
    memset(s, 0, sizeof *s);
    why[0] = 0;
    s->pid = (int)pid;
    s->tid = target_pick_thread(pid);
    if (s->tid <= 0) return ESRCH;
    uintptr_t options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC;
    if (ptrace(PTRACE_SEIZE, s->tid, 0, (void *)options) != 0) return errno;
    int error = ptrace(PTRACE_INTERRUPT, s->tid, 0, 0) == 0 ? 0 : errno;
    if (!error) error = next_stop(s, PTRACE_CONT, false);
    regs_t regs;
    size_t length = 0;
    if (!error) error = get_registers(s, &regs, &length);
    if (!error && length != sizeof regs) {
        snprintf(why, why_size, "process %u is a 32-bit program; this %d-bit library can only act in %d-bit ones",
                 (unsigned)pid, (int)(8 * sizeof(void *)), (int)(8 * sizeof(void *)));
        error = ENOEXEC;
    }
    if (!error) {
        prepare_restart(&regs);
        memcpy(s->saved, &regs, sizeof regs);
        error = target_find_instruction(pid, syscall_instruction, sizeof syscall_instruction, INSTRUCTION_ALIGN,
                                        (uintptr_t)REG_PC(regs), &s->gadget, why, why_size);
    }
    if (error) {
        if (error != ESRCH) detach(s);
        return error;
    }
    return 0;
}

/* At the entry stop of a call that is not ours (never expected), cancels it: number -1 is skipped. */
static int check_entry(ptrace_session *s) {
    regs_t regs;
    int error = get_registers(s, &regs, NULL);
    if (error) return error;
    if (REG_PC(regs) == s->gadget + sizeof syscall_instruction) return 0;
#if defined(__x86_64__)
    regs.orig_rax = (unsigned long long)-1;
    set_registers(s, &regs);
#else
    forget_system_call(s);
#endif
    if (ptrace(PTRACE_SYSCALL, s->tid, 0, 0) == 0) next_stop(s, PTRACE_SYSCALL, true);
    return EFAULT;
}

int ptrace_session_syscall(ptrace_session *s, long number, const uintptr_t args[6], intptr_t *result) {
    regs_t regs;
    memcpy(&regs, s->saved, sizeof regs);
    REG_PC(regs) = s->gadget;
    REG_NUMBER(regs) = (unsigned long long)number;
    set_arguments(&regs, args);
    int error = set_registers(s, &regs);
    if (!error && ptrace(PTRACE_SYSCALL, s->tid, 0, 0) != 0) error = errno;
    if (!error) error = next_stop(s, PTRACE_SYSCALL, true);   /* entering the call */
    if (!error) error = check_entry(s);
    if (!error && ptrace(PTRACE_SYSCALL, s->tid, 0, 0) != 0) error = errno;
    if (!error) error = next_stop(s, PTRACE_SYSCALL, true);   /* leaving it */
    if (!error) error = get_registers(s, &regs, NULL);
    if (!error) *result = (intptr_t)REG_RESULT(regs);
    return error;
}

int ptrace_session_end(ptrace_session *s) {
    regs_t regs;
    memcpy(&regs, s->saved, sizeof regs);
    int error = s->exec_seen ? ESRCH : set_registers(s, &regs);
    if (!s->exec_seen) forget_system_call(s);
    int detached = detach(s);
    return error ? error : detached;
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

int ptrace_session_syscall(ptrace_session *s, long number, const uintptr_t args[6], intptr_t *result) {
    (void)s, (void)number, (void)args, (void)result;
    return ENOSYS;
}

int ptrace_session_end(ptrace_session *s) {
    (void)s;
    return ENOSYS;
}

#endif
