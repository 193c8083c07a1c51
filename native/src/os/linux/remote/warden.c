/* The tracer of a ptrace session: see os/linux/remote/warden.h, and docs/external.md for why each
 * step is done the way it is. Raw system calls only: nothing here may touch the C library. */
#define _GNU_SOURCE

#include "os/linux/remote/warden.h"

#if defined(__x86_64__) || defined(__aarch64__)
#include <elf.h>
#include <errno.h>   /* the constants only: errno itself is thread data */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

/* The kernel's futex operations (linux/futex.h, which musl's toolchain does not ship). */
#define FUTEX_WAIT_PRIVATE_OP 128   /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define FUTEX_WAKE_PRIVATE_OP 129   /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

typedef struct user_regs_struct regs_t;
_Static_assert(sizeof(regs_t) <= sizeof(((warden_box *)0)->saved), "registers fit the box");

/* ---- raw system calls: -errno on failure, never errno ---- */

#if defined(__x86_64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f) {
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

long warden_clone(warden_box *box, void *stack_top) {
    register long rax __asm__("rax") = SYS_clone;
    register long rdi __asm__("rdi") = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED | CLONE_PARENT_SETTID |
                                        CLONE_CHILD_CLEARTID;
    register void *rsi __asm__("rsi") = stack_top;
    register void *rdx __asm__("rdx") = &box->warden_tid;   /* parent_tid */
    register void *r10 __asm__("r10") = &box->warden_tid;   /* child_tid */
    register long r8 __asm__("r8") = 0;                     /* tls: none (kept from this thread, never used) */
    register int (*r9)(void *) __asm__("r9") = warden_serve;
    register void *r12 __asm__("r12") = box;
    /* The new process continues here on its own stack: it calls warden_serve(box), then exit. */
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "mov %%r12, %%rdi\n\t"
                     "call *%%r9\n\t"
                     "mov %%eax, %%edi\n\t"
                     "mov %[exit], %%eax\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:"
                     : "+r"(rax)
                     : "r"(rdi), "r"(rsi), "r"(rdx), "r"(r10), "r"(r8), "r"(r9), "r"(r12), [exit] "i"(SYS_exit)
                     : "rcx", "r11", "memory");
    return rax;
}

#define REG_PC(r)     ((r).rip)
#define REG_NUMBER(r) ((r).rax)
#define REG_RESULT(r) ((r).rax)
enum { INSTRUCTION_LENGTH = 2 };   /* syscall */

static void set_arguments(regs_t *r, const uintptr_t a[6]) {
    r->rdi = a[0], r->rsi = a[1], r->rdx = a[2], r->r10 = a[3], r->r8 = a[4], r->r9 = a[5];
}
#else
static long sys6(long n, long a, long b, long c, long d, long e, long f) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}

long warden_clone(warden_box *box, void *stack_top) {
    register long x8 __asm__("x8") = SYS_clone;
    register long x0 __asm__("x0") = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED | CLONE_PARENT_SETTID |
                                     CLONE_CHILD_CLEARTID;
    register void *x1 __asm__("x1") = stack_top;
    register void *x2 __asm__("x2") = &box->warden_tid;   /* parent_tid */
    register long x3 __asm__("x3") = 0;                   /* tls */
    register void *x4 __asm__("x4") = &box->warden_tid;   /* child_tid */
    register int (*x5)(void *) __asm__("x5") = warden_serve;
    register void *x6 __asm__("x6") = box;
    __asm__ volatile("svc #0\n\t"
                     "cbnz x0, 1f\n\t"
                     "mov x29, xzr\n\t"
                     "mov x30, xzr\n\t"
                     "mov x0, x6\n\t"
                     "blr x5\n\t"
                     "mov x8, %[exit]\n\t"
                     "svc #0\n\t"
                     "brk #0\n"
                     "1:"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x6), [exit] "i"(SYS_exit)
                     : "memory");
    return x0;
}

#define REG_PC(r)     ((r).pc)
#define REG_NUMBER(r) ((r).regs[8])
#define REG_RESULT(r) ((r).regs[0])
enum { INSTRUCTION_LENGTH = 4 };   /* svc #0 */

static void set_arguments(regs_t *r, const uintptr_t a[6]) {
    for (int i = 0; i < 6; i++) r->regs[i] = a[i];
}
#endif

static long sys(long n, long a, long b, long c, long d) {
    return sys6(n, a, b, c, d, 0, 0);
}

static long trace(long request, int tid, void *address, void *data) {
    return sys(SYS_ptrace, request, tid, (long)address, (long)data);
}

/* Word by word through volatile, so that no compiler turns it into a call of memcpy. */
static void copy_words(void *to, const void *from, size_t size) {
    volatile uint64_t *t = to;
    const volatile uint64_t *f = from;
    for (size_t i = 0; i < size / sizeof(uint64_t); i++) t[i] = f[i];
}

static int64_t now_microseconds(void) {
    struct timespec now = {0, 0};
    sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&now, 0, 0);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static void pause_microseconds(long us) {
    struct timespec pause = {0, us * 1000};
    sys(SYS_nanosleep, (long)&pause, 0, 0, 0);
}

/* Writes the decimal digits of value at out; returns the end. */
static char *put_number(char *out, unsigned value) {
    char digits[12];
    int n = 0;
    do digits[n++] = (char)('0' + value % 10);
    while ((value /= 10) != 0);
    while (n > 0) *out++ = digits[--n];
    return out;
}

static char *put_text(char *out, const char *text) {
    while (*text) *out++ = *text++;
    return out;
}

/* The state letter of /proc/<pid>/task/<tid>/stat (after the command name's last ')'); 0 if gone. */
static char thread_state(int pid, int tid) {
    char path[64], *at = put_text(path, "/proc/");
    at = put_number(at, (unsigned)pid);
    at = put_text(at, "/task/");
    at = put_number(at, (unsigned)tid);
    at = put_text(at, "/stat");
    *at = 0;
    long fd = sys(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return 0;
    char text[512];
    long got = sys(SYS_read, fd, (long)text, sizeof text, 0);
    sys(SYS_close, fd, 0, 0, 0);
    const char *close = 0;
    for (long i = 0; i < got; i++)
        if (text[i] == ')') close = text + i;
    return close && close + 2 < text + got ? close[2] : 0;
}

/* ---- the session (as docs/external.md, "Mechanism") ---- */

/* Kernel-internal return values of a system call interrupted by a stop (include/linux/errno.h). */
enum { ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516 };

static int get_registers(const warden_box *b, regs_t *regs, size_t *got) {
    struct iovec io = {regs, sizeof *regs};
    long error = trace(PTRACE_GETREGSET, b->tid, (void *)(uintptr_t)NT_PRSTATUS, &io);
    if (error) return (int)-error;
    if (got) *got = io.iov_len;
    return 0;
}

static int set_registers(const warden_box *b, const regs_t *regs) {
    struct iovec io = {(void *)regs, sizeof *regs};
    return (int)-trace(PTRACE_SETREGSET, b->tid, (void *)(uintptr_t)NT_PRSTATUS, &io);
}

/* The saved state of a thread stopped while a system call was interrupted, changed so that simply
 * resuming there runs the call again, as the kernel would have. x86-64: the kernel rewinds after
 * the stop, from the registers it finds then, so we rewind ourselves. aarch64: already rewound. */
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

/* aarch64 keeps "the current system call" outside NT_PRSTATUS: none, so no restart logic applies. */
static void forget_system_call(const warden_box *b) {
#if defined(__aarch64__)
    int none = -1;
    struct iovec io = {&none, sizeof none};
    trace(PTRACE_SETREGSET, b->tid, (void *)(uintptr_t)NT_ARM_SYSTEM_CALL, &io);
#else
    (void)b;
#endif
}

/* The saved registers, back in the thread: after this, a thread let go for any reason (our end,
 * the end of this warden) simply goes on where it was stopped. */
static int put_back(const warden_box *b) {
    regs_t regs;
    copy_words(&regs, b->saved, sizeof regs);
    int error = set_registers(b, &regs);
    forget_system_call(b);
    return error;
}

/* The waitpid status of the ptrace stop the thread is in, rebuilt from its siginfo (a stop another
 * thread of the caller, waiting for its child, took). ECHILD when it cannot be told. */
static int status_from_siginfo(const warden_box *b, int *status) {
    siginfo_t info;
    if (trace(PTRACE_GETSIGINFO, b->tid, 0, &info) != 0) return ECHILD;
    int code = info.si_code;
    bool ptrace_made = code > 0 && (code & 0x7f) == info.si_signo && (code >> 7) != 0;
    *status = ((ptrace_made ? code : info.si_signo) << 8) | 0x7f;
    return 0;
}

/* Our notification of the thread's stop, without blocking: 1 (in *status), 0 (none yet) or -errno. */
static int poll_notification(const warden_box *b, int *status) {
    for (;;) {
        long got = sys(SYS_wait4, b->tid, (long)status, __WALL | WNOHANG, 0);
        if (got == b->tid) return WIFEXITED(*status) || WIFSIGNALED(*status) ? -ESRCH : 1;
        if (got == 0) return 0;
        if (got != -EINTR) return got == -ECHILD ? -ESRCH : (int)got;
    }
}

/* Waits, for at most 5 s, until the thread is in a ptrace stop (polled: see docs/external.md). */
static int wait_for_stop(warden_box *b, int *status) {
    enum { STOP_WAIT_US = 5 * 1000 * 1000, LONGEST_PAUSE_US = 5000 };
    int64_t deadline = now_microseconds() + STOP_WAIT_US;
    for (long pause = 50;; pause = pause * 2 > LONGEST_PAUSE_US ? LONGEST_PAUSE_US : pause * 2) {
        int got = poll_notification(b, status);
        /* Notifications are queued before /proc shows 't': none after seeing 't' means taken. */
        if (got == 0 && thread_state(b->pid, b->tid) == 't') {
            got = poll_notification(b, status);
            if (got == 0) {
                got = -status_from_siginfo(b, status);
                if (got == 0) got = 1;
            }
        }
        if (got != 0) {
            b->running = false;
            return got < 0 ? -got : 0;
        }
        if (now_microseconds() > deadline) return ETIMEDOUT;
        pause_microseconds(pause);
    }
}

static int resume(warden_box *b, long request) {
    long error = trace(request, b->tid, 0, 0);
    if (error) return (int)-error;
    b->running = true;
    return 0;
}

static void hold_signal(warden_box *b, int signal) {
    if (b->signal_count < WARDEN_SIGNALS) b->signals[b->signal_count++] = signal;
}

/* The next system-call stop, going on past any other (a signal is held back). */
static int next_syscall_stop(warden_box *b) {
    for (;;) {
        int status;
        int error = wait_for_stop(b, &status);
        if (error) return error;
        int signal = WSTOPSIG(status), event = status >> 16;
        if (event == PTRACE_EVENT_EXEC) {   /* another thread ran execve: the saved registers mean nothing */
            b->exec_seen = true;
            return ESRCH;
        }
        if (signal == (SIGTRAP | 0x80)) return 0;
        if (event == 0) hold_signal(b, signal);
        error = resume(b, PTRACE_SYSCALL);
        if (error) return error;
    }
}

/* The first stop of any kind counts; a thread caught in execve is let go into its new program and
 * interrupted again. */
static int first_stop(warden_box *b) {
    enum { EXEC_RETRIES = 4 };
    for (int i = 0; i < EXEC_RETRIES; i++) {
        long refused = trace(PTRACE_INTERRUPT, b->tid, 0, 0);
        if (refused) return (int)-refused;
        b->running = true;
        int status, error = wait_for_stop(b, &status);
        if (error) return error;
        int signal = WSTOPSIG(status), event = status >> 16;
        if (event == 0 && signal != (SIGTRAP | 0x80)) hold_signal(b, signal);
        if (event != PTRACE_EVENT_EXEC) return 0;
        error = resume(b, PTRACE_CONT);
        if (error) return error;
    }
    return EAGAIN;
}

/* Only a stopped tracee can have its registers set or be detached. */
static void stop_if_running(warden_box *b) {
    int status;
    if (!b->running || trace(PTRACE_INTERRUPT, b->tid, 0, 0) != 0 || wait_for_stop(b, &status) != 0) return;
    if ((status >> 16) == 0 && WSTOPSIG(status) != (SIGTRAP | 0x80)) hold_signal(b, WSTOPSIG(status));
}

static int detach(warden_box *b) {
    stop_if_running(b);
    int error = (int)-trace(PTRACE_DETACH, b->tid, 0, 0);
    for (int i = 0; i < b->signal_count; i++) sys(SYS_tgkill, b->pid, b->tid, b->signals[i], 0);
    b->seized = false;
    return error;
}

static int begin(warden_box *b) {
    b->signal_count = 0;
    b->exec_seen = b->running = false;
    uintptr_t options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC;
    long refused = trace(PTRACE_SEIZE, b->tid, 0, (void *)options);
    if (refused) return (int)-refused;
    b->seized = true;
    int error = first_stop(b);
    regs_t regs;
    b->saved_size = 0;
    if (!error) error = get_registers(b, &regs, &b->saved_size);
    if (!error && b->saved_size != sizeof regs) error = ENOEXEC;   /* a 32-bit target */
    if (!error) {
        prepare_restart(&regs);
        copy_words(b->saved, &regs, sizeof regs);
    }
    if (error) detach(b);   /* registers unchanged so far */
    return error;
}

/* At the entry stop of a call that is not ours (never expected): cancel it (number -1). */
static int check_entry(warden_box *b) {
    regs_t regs;
    int error = get_registers(b, &regs, 0);
    if (error) return error;
    if (REG_PC(regs) == b->gadget + INSTRUCTION_LENGTH) return 0;
#if defined(__x86_64__)
    regs.orig_rax = (unsigned long long)-1;
    set_registers(b, &regs);
#else
    forget_system_call(b);
#endif
    if (resume(b, PTRACE_SYSCALL) == 0) next_syscall_stop(b);
    return EFAULT;
}

/* One call at the gadget. The thread holds the injected registers only from here to its exit stop:
 * they are put back before anything else is done. */
static int run_call(warden_box *b) {
    if (!b->seized || b->exec_seen) return ESRCH;
    regs_t regs;
    copy_words(&regs, b->saved, sizeof regs);
    REG_PC(regs) = b->gadget;
    REG_NUMBER(regs) = (unsigned long long)b->number;
    set_arguments(&regs, b->args);
    int error = set_registers(b, &regs);
    if (!error) error = resume(b, PTRACE_SYSCALL);
    if (!error) error = next_syscall_stop(b);   /* entering the call */
    if (!error) error = check_entry(b);
    if (!error) error = resume(b, PTRACE_SYSCALL);
    if (!error) error = next_syscall_stop(b);   /* leaving it */
    if (!error) error = get_registers(b, &regs, 0);
    if (!error) b->result = (intptr_t)REG_RESULT(regs);
    stop_if_running(b);
    if (!b->exec_seen) put_back(b);
    return error;
}

static bool call_failed(intptr_t result) {
    return result < 0 && result >= -4095;
}

/* Drops the newest undo that is the call number(first, ...). */
static void settle(warden_box *b, long number, uintptr_t first) {
    for (int i = b->undo_count - 1; i >= 0; i--) {
        if (b->undos[i].number != number || b->undos[i].first != first) continue;
        for (int j = i + 1; j < b->undo_count; j++) b->undos[j - 1] = b->undos[j];
        b->undo_count--;
        return;
    }
}

/* After a call that succeeded: it settles the undo it equals, and lists its own. */
static void note_undo(warden_box *b) {
    settle(b, b->number, b->args[0]);
    if (b->undo_number && b->undo_count < WARDEN_UNDOS)
        b->undos[b->undo_count++] = (warden_undo){b->undo_number, (uintptr_t)b->result, b->undo_second};
}

static int call_and_note(warden_box *b) {
    int error = run_call(b);
    if (!error && !call_failed(b->result)) note_undo(b);
    return error;
}

/* The caller is gone mid-session: what the session did in the target is taken back, newest first. */
static void undo_all(warden_box *b) {
    while (b->undo_count > 0) {
        warden_undo undo = b->undos[--b->undo_count];
        b->number = undo.number;
        b->args[0] = undo.first, b->args[1] = undo.second;
        for (int i = 2; i < 6; i++) b->args[i] = 0;
        if (run_call(b) != 0) return;   /* the thread can no longer be driven */
    }
}

/* /proc/<pid>/mem, opened once per warden (see warden_box.mem); none (no undo later) if it cannot be. */
static void open_memory(warden_box *b) {
    if (b->mem >= 0) return;
    char path[64], *at = put_text(path, "/proc/");
    at = put_number(at, (unsigned)b->pid);
    at = put_text(at, "/mem");
    *at = 0;
    long fd = sys(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0);
    b->mem = fd >= 0 ? (int)fd : -1;
}

/* The warden's last act: its descriptor lives in the table it shares with the caller. */
static int leave(warden_box *b) {
    if (b->mem >= 0) sys(SYS_close, b->mem, 0, 0, 0);
    b->mem = -1;
    return 0;
}

static int end(warden_box *b) {
    if (!b->seized) return ESRCH;
    stop_if_running(b);
    int error = b->exec_seen ? ESRCH : put_back(b);
    int detached = detach(b);
    return error ? error : detached;
}

/* The creator ended after a session that kept its undos: the thread (or, if it has ended, the main
 * one) is seized again to run them, for about a second while another tracer holds it. Nothing is
 * done once the target's memory is no longer the session's (mem stops reading: exited or exec'd). */
static void undo_after_end(warden_box *b) {
    enum { TRIES = 100, PAUSE_US = 10 * 1000 };
    for (int i = 0; i < TRIES && b->undo_count > 0; i++) {
        unsigned char byte;
        if (b->mem < 0 || sys6(SYS_pread64, b->mem, (long)&byte, 1, (long)b->gadget, 0, 0) != 1) return;
        int error = begin(b);
        if (error == 0) {
            undo_all(b);
            end(b);
            return;
        }
        if (error == ESRCH) b->tid = b->pid;   /* the thread ended: the main one then */
        pause_microseconds(PAUSE_US);
    }
}

/* ---- the loop ---- */

/* The creator has ended (we were handed to another parent), or ran execve (its memory is no
 * longer ours: kcmp says so where the kernel has it). */
static bool creator_gone(const warden_box *b) {
    enum { KCMP_VM = 1 };
    if (sys(SYS_getppid, 0, 0, 0, 0) != b->creator) return true;
    long same = sys6(SYS_kcmp, sys(SYS_getpid, 0, 0, 0, 0), b->creator, KCMP_VM, 0, 0, 0);
    return same == 1 || same == 2;
}

/* WARDEN_LOCK: the lock word taken for the creator, yielding while another holds it; ECANCELED
 * (not taken) if the creator ends meanwhile. */
static int take_lock(warden_box *b) {
    for (;;) {
        uint32_t expected = 0;
        if (atomic_compare_exchange_weak_explicit(b->lock_word, &expected, 1, memory_order_acquire,
                                                  memory_order_relaxed)) {
            b->lock_held = true;
            return 0;
        }
        if (b->creator && creator_gone(b)) return ECANCELED;
        sys(SYS_sched_yield, 0, 0, 0, 0);
    }
}

static void let_go_of_lock(warden_box *b) {
    if (b->lock_held) atomic_store_explicit(b->lock_word, 0, memory_order_release);
    b->lock_held = false;
}

int warden_serve(void *context) {
    enum { TICK_NS = 5 * 1000 * 1000, SILENCE_US = 5 * 1000 * 1000 };
    warden_box *b = context;
    b->mem = -1;   /* before any request: the box starts zeroed, and 0 is a descriptor */
    if (b->creator) sys(SYS_setpgid, 0, 0, 0, 0);   /* out of the caller's process group: a kill of it spares us */
    int64_t last = now_microseconds();
    for (;;) {
        int op = atomic_load_explicit(&b->request, memory_order_acquire);
        if (op == WARDEN_IDLE) {
            if (b->creator && (creator_gone(b) || (b->seized && now_microseconds() - last > SILENCE_US))) {
                let_go_of_lock(b);
                if (b->seized) undo_all(b), end(b);
                else undo_after_end(b);
                return leave(b);
            }
            struct timespec tick = {0, TICK_NS};
            sys(SYS_futex, (long)&b->request, FUTEX_WAIT_PRIVATE_OP, WARDEN_IDLE, (long)&tick);
            continue;
        }
        if (op == WARDEN_QUIT) {
            let_go_of_lock(b);
            if (b->seized) end(b);
            return leave(b);
        }
        b->error = 0;
        if (op == WARDEN_BEGIN) {
            b->undo_count = 0;
            b->error = begin(b);
        } else if (op == WARDEN_END_KEEPING) {
            open_memory(b);   /* while the session's memory is surely the target's */
            b->error = end(b);
        } else if (op == WARDEN_SYSCALL) {
            b->error = call_and_note(b);
        } else if (op == WARDEN_SETTLE_ALL) {
            b->undo_count = 0;
        } else if (op == WARDEN_LOCK) {
            b->error = take_lock(b);
            if (b->error) return leave(b);   /* the creator is gone: nobody to answer */
        } else {
            b->undo_count = 0;
            b->error = end(b);
        }
        last = now_microseconds();
        atomic_store_explicit(&b->request, WARDEN_IDLE, memory_order_release);
        sys(SYS_futex, (long)&b->request, FUTEX_WAKE_PRIVATE_OP, 1, 0);
    }
}

#else /* no sessions on this architecture */

int warden_serve(void *box) {
    (void)box;
    return 0;
}

long warden_clone(warden_box *box, void *stack_top) {
    (void)box, (void)stack_top;
    return -38;   /* ENOSYS */
}

#endif
