/* System calls run inside another process under ptrace: see os/linux/remote/ptrace.h and
 * docs/external.md (why each step is done the way it is). */
#define _GNU_SOURCE

#include "os/linux/remote/ptrace.h"

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
#include <time.h>

#include "os/linux/remote/target.h"
#include "os/linux/remote/tracer.h"

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

/* The status waitpid would have reported for the ptrace stop the thread is in, rebuilt from the
 * stop's siginfo: a ptrace event stop has si_code = signal | event << 8, a system-call stop (with
 * TRACESYSGOOD) si_code = SIGTRAP | 0x80; anything else is a signal-delivery stop of si_signo.
 * ECHILD when the stop cannot be told (docs/external.md, Limits). */
static int status_from_siginfo(const ptrace_session *s, int *status) {
    siginfo_t info;
    if (ptrace(PTRACE_GETSIGINFO, s->tid, 0, &info) != 0) return ECHILD;
    int code = info.si_code;
    bool ptrace_made = code > 0 && (code & 0x7f) == info.si_signo && (code >> 7) != 0;
    *status = ((ptrace_made ? code : info.si_signo) << 8) | 0x7f;
    return 0;
}

static int64_t now_microseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* Our notification of the thread's stop, without blocking: 1 (in *status), 0 (none yet) or -errno. */
static int poll_notification(const ptrace_session *s, int *status) {
    for (;;) {
        pid_t got = waitpid(s->tid, status, __WALL | WNOHANG);
        if (got == s->tid) return WIFEXITED(*status) || WIFSIGNALED(*status) ? -ESRCH : 1;
        if (got == 0) return 0;
        if (errno != EINTR) return errno == ECHILD ? -ESRCH : -errno;
    }
}

/* Waits, for at most STOP_WAIT_US, until the thread is in a ptrace stop; *status describes it.
 * Polled rather than blocking: when the target is a child of this process, any other thread of
 * this process that waits for it (a JVM's process reaper, say) may take the notification, and a
 * blocking waitpid would then never return. A thread that /proc shows in tracing stop ('t') with
 * no notification left for us is such a stop: it is told from its siginfo. ESRCH: it died. */
static int wait_for_stop(ptrace_session *s, int *status) {
    enum { STOP_WAIT_US = 5 * 1000 * 1000, LONGEST_PAUSE_US = 5000 };
    int64_t deadline = now_microseconds() + STOP_WAIT_US;
    for (useconds_t pause = 50;; pause = pause * 2 > LONGEST_PAUSE_US ? LONGEST_PAUSE_US : pause * 2) {
        int got = poll_notification(s, status);
        /* Notifications are queued before /proc shows 't': none after seeing 't' means taken. */
        if (got == 0 && target_thread_state((uint32_t)s->pid, s->tid) == 't') {
            got = poll_notification(s, status);
            if (got == 0) {
                got = -status_from_siginfo(s, status);
                if (got == 0) got = 1;
            }
        }
        if (got != 0) {
            s->running = false;   /* stopped, or dead */
            return got < 0 ? -got : 0;
        }
        if (now_microseconds() > deadline) return ETIMEDOUT;
        usleep(pause);
    }
}

/* Resumes the stopped thread with request (PTRACE_CONT, PTRACE_SYSCALL). */
static int resume(ptrace_session *s, int request) {
    if (ptrace(request, s->tid, 0, 0) != 0) return errno;
    s->running = true;
    return 0;
}

/* A signal that stopped the thread is held back and re-sent after detaching. */
static void hold_signal(ptrace_session *s, int signal) {
    if (s->signal_count < PTRACE_SESSION_SIGNALS) s->signals[s->signal_count++] = signal;
}

/* Waits for the next system-call stop, resuming with PTRACE_SYSCALL past any other stop (an
 * interrupt or group stop, or a signal, which is held back). */
static int next_syscall_stop(ptrace_session *s) {
    for (;;) {
        int status;
        int error = wait_for_stop(s, &status);
        if (error) return error;
        int signal = WSTOPSIG(status), event = status >> 16;
        if (event == PTRACE_EVENT_EXEC) {   /* another thread ran execve: our saved registers mean nothing */
            s->exec_seen = true;
            return ESRCH;
        }
        if (signal == (SIGTRAP | 0x80)) return 0;
        if (event == 0) hold_signal(s, signal);
        error = resume(s, PTRACE_SYSCALL);
        if (error) return error;
    }
}

/* Stops the seized thread. The kernel ends a pending PTRACE_INTERRUPT at the thread's next trap of
 * any kind, so the first stop counts, whatever it is: the interrupt's own, a group stop, a signal
 * (held back), or the exec of a thread caught inside execve, which is let go on into its new
 * program and interrupted again. */
static int first_stop(ptrace_session *s) {
    enum { EXEC_RETRIES = 4 };
    for (int i = 0; i < EXEC_RETRIES; i++) {
        if (ptrace(PTRACE_INTERRUPT, s->tid, 0, 0) != 0) return errno;
        s->running = true;
        int status, error = wait_for_stop(s, &status);
        if (error) return error;
        int signal = WSTOPSIG(status), event = status >> 16;
        if (event == 0 && signal != (SIGTRAP | 0x80)) hold_signal(s, signal);
        if (event != PTRACE_EVENT_EXEC) return 0;
        error = resume(s, PTRACE_CONT);
        if (error) return error;
    }
    return EAGAIN;
}

/* A thread still running (its stop did not come in time) is interrupted: only a stopped tracee can
 * have its registers set or be detached. */
static void stop_if_running(ptrace_session *s) {
    int status;
    if (!s->running || ptrace(PTRACE_INTERRUPT, s->tid, 0, 0) != 0 || wait_for_stop(s, &status) != 0) return;
    if ((status >> 16) == 0 && WSTOPSIG(status) != (SIGTRAP | 0x80)) hold_signal(s, WSTOPSIG(status));
}

/* Lets the thread go, then re-sends the signals held back meanwhile. */
static int detach(ptrace_session *s) {
    stop_if_running(s);
    int error = ptrace(PTRACE_DETACH, s->tid, 0, 0) == 0 ? 0 : errno;
    for (int i = 0; i < s->signal_count; i++) syscall(SYS_tgkill, s->pid, s->tid, s->signals[i]);
    return error;
}

typedef struct begin_job {
    ptrace_session *s;
    char           *why;
    size_t          why_size;
} begin_job;

/* On the tracer thread: seize, stop, save, find the instruction. */
static int begin_here(void *context) {
    begin_job *job = context;
    ptrace_session *s = job->s;
    char *why = job->why;
    size_t why_size = job->why_size;
    uint32_t pid = (uint32_t)s->pid;
    uintptr_t options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC;
    if (ptrace(PTRACE_SEIZE, s->tid, 0, (void *)options) != 0) return errno;
    int error = first_stop(s);
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
    if (error) detach(s);   /* registers unchanged so far; harmless (ESRCH) when the thread has died */
    return error;
}

int ptrace_session_begin(uint32_t pid, ptrace_session *s, char *why, size_t why_size) {
    memset(s, 0, sizeof *s);
    why[0] = 0;
    s->pid = (int)pid;
    s->tid = target_pick_thread(pid);
    if (s->tid <= 0) return ESRCH;
    int error = tracer_start(&s->tracer);
    begin_job job = {s, why, why_size};
    if (!error) error = tracer_run(s->tracer, begin_here, &job);
    if (error) tracer_stop(s->tracer);   /* lets go of a thread that never stopped, too */
    if (error) s->tracer = NULL;
    return error;
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
    if (resume(s, PTRACE_SYSCALL) == 0) next_syscall_stop(s);
    return EFAULT;
}

typedef struct syscall_job {
    ptrace_session  *s;
    long             number;
    const uintptr_t *args;
    intptr_t        *result;
} syscall_job;

/* On the tracer thread: one system call at the instruction found. */
static int syscall_here(void *context) {
    const syscall_job *job = context;
    ptrace_session *s = job->s;
    const uintptr_t *args = job->args;
    long number = job->number;
    regs_t regs;
    memcpy(&regs, s->saved, sizeof regs);
    REG_PC(regs) = s->gadget;
    REG_NUMBER(regs) = (unsigned long long)number;
    set_arguments(&regs, args);
    int error = set_registers(s, &regs);
    if (!error) error = resume(s, PTRACE_SYSCALL);
    if (!error) error = next_syscall_stop(s);   /* entering the call */
    if (!error) error = check_entry(s);
    if (!error) error = resume(s, PTRACE_SYSCALL);
    if (!error) error = next_syscall_stop(s);   /* leaving it */
    if (!error) error = get_registers(s, &regs, NULL);
    if (!error) *job->result = (intptr_t)REG_RESULT(regs);
    return error;
}

int ptrace_session_syscall(ptrace_session *s, long number, const uintptr_t args[6], intptr_t *result) {
    syscall_job job = {s, number, args, result};
    return tracer_run(s->tracer, syscall_here, &job);
}

/* On the tracer thread: restore and detach. */
static int end_here(void *context) {
    ptrace_session *s = context;
    regs_t regs;
    memcpy(&regs, s->saved, sizeof regs);
    stop_if_running(s);
    int error = s->exec_seen ? ESRCH : set_registers(s, &regs);
    if (!s->exec_seen) forget_system_call(s);
    int detached = detach(s);
    return error ? error : detached;
}

int ptrace_session_end(ptrace_session *s) {
    int error = tracer_run(s->tracer, end_here, s);
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

int ptrace_session_syscall(ptrace_session *s, long number, const uintptr_t args[6], intptr_t *result) {
    (void)s, (void)number, (void)args, (void)result;
    return ENOSYS;
}

int ptrace_session_end(ptrace_session *s) {
    (void)s;
    return ENOSYS;
}

#endif
