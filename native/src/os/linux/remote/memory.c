/* Memory of another Linux process: mmap/munmap run inside it under ptrace (os/linux/remote/ptrace.c),
 * bytes moved with process_vm_writev/readv, and the reason in words when the kernel refuses.
 * docs/external.md explains the mechanism, its limits and why it reaches nothing the caller could
 * not already reach. */
#define _GNU_SOURCE

#include "os/linux/remote/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "os/vmem_other.h"
#include "os/linux/remote/ptrace.h"
#include "os/linux/remote/target.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

bool remote_supported(void) {
    return ptrace_sessions_supported();
}

/* ---- why the kernel refused ---- */

/* The first line of /proc/<pid>/status starting with key, after the key; "" if none. */
static void status_field(const char *pid, const char *key, char *out, size_t size) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    out[0] = 0;
    FILE *file = fopen(path, "re");
    if (!file) return;
    size_t key_length = strlen(key);
    while (fgets(line, sizeof line, file)) {
        if (strncmp(line, key, key_length) != 0) continue;
        snprintf(out, size, "%s", line + key_length + strspn(line + key_length, " \t"));
        out[strcspn(out, "\n")] = 0;
        break;
    }
    fclose(file);
}

static bool has_ptrace_capability(void) {
    char text[64];
    status_field("self", "CapEff:", text, sizeof text);
    return (strtoull(text, NULL, 16) >> 19) & 1;   /* CAP_SYS_PTRACE is capability 19 */
}

/* Names the first reason ptrace of pid is refused that we can see, and the permission needed. */
static void explain_refusal(uint32_t pid, char *why, size_t size) {
    char id[16], tracer[32], uids[96];
    snprintf(id, sizeof id, "%u", (unsigned)pid);
    status_field(id, "TracerPid:", tracer, sizeof tracer);
    status_field(id, "Uid:", uids, sizeof uids);
    unsigned real = 0, effective = 0, saved = 0;
    bool known = sscanf(uids, "%u %u %u", &real, &effective, &saved) == 3;
    bool capable = has_ptrace_capability();
    int scope = ptrace_yama_scope();
    if (atoi(tracer) > 0)
        snprintf(why, size, "ptrace of process %u was refused: it is already traced by process %s (a debugger?); "
                 "a process can have one tracer", (unsigned)pid, tracer);
    else if (scope == 3)
        snprintf(why, size, "ptrace of process %u was refused: kernel.yama.ptrace_scope is 3, which forbids "
                 "ptrace for everyone until reboot", (unsigned)pid);
    else if (!capable && known && (real != getuid() || effective != getuid() || saved != getuid()))
        snprintf(why, size, "ptrace of process %u was refused: it runs as user %u and this process as user %u "
                 "without CAP_SYS_PTRACE; run as that user, or with CAP_SYS_PTRACE", (unsigned)pid,
                 effective, (unsigned)getuid());
    else if (!capable && scope == 2)
        snprintf(why, size, "ptrace of process %u was refused: kernel.yama.ptrace_scope is 2 (only processes "
                 "with CAP_SYS_PTRACE may trace); needs CAP_SYS_PTRACE", (unsigned)pid);
    else if (!capable && scope == 1)
        snprintf(why, size, "ptrace of process %u was refused: kernel.yama.ptrace_scope is 1 (a process may "
                 "only trace its descendants); needs CAP_SYS_PTRACE, the target's consent "
                 "(prctl(PR_SET_PTRACER)) or ptrace_scope 0", (unsigned)pid);
    else
        snprintf(why, size, "ptrace of process %u was refused (EPERM): a security module (SELinux, AppArmor), "
                 "a seccomp filter or a non-dumpable (setuid) target; needs what those allow, usually "
                 "CAP_SYS_PTRACE", (unsigned)pid);
}

/* ---- sessions ---- */

/* Words for the session errors that are ours rather than the kernel's; false for any other. */
static bool explain_session_error(uint32_t pid, int error, char *why, size_t why_size) {
    if (error == ECHILD)
        snprintf(why, why_size, "ptrace of process %u was disturbed: another thread of this process waits for it "
                 "(it is this process's child) and took its ptrace stop; the target was let go unchanged "
                 "(docs/external.md, Limits)", (unsigned)pid);
    else if (error == ETIMEDOUT)
        snprintf(why, why_size, "ptrace of process %u timed out: its thread did not stop within seconds (an "
                 "uninterruptible sleep?), or another thread of this process took its stops", (unsigned)pid);
    else if (error == ECANCELED)
        snprintf(why, why_size, "ptrace of process %u failed: the session's warden process was killed, and the "
                 "kernel let the target go as it then was (docs/external.md, \"A writer that dies\")", (unsigned)pid);
    else if (error == EAGAIN)
        snprintf(why, why_size, "ptrace of process %u failed: it kept changing while being stopped (threads ending, "
                 "or execve running); try again", (unsigned)pid);
    else
        return false;
    return true;
}

/* A thread has one tracer: this process's sessions take turns, and a session of another process
 * (or a short-lived tracer) is waited out for a while before its EPERM is believed. */
static pthread_mutex_t session_turn = PTHREAD_MUTEX_INITIALIZER;

/* About a second for one tracer to leave; up to five while the tracers keep changing. */
enum { BUSY_RETRIES = 100, TURN_RETRIES = 500, BUSY_WAIT_NS = 10 * 1000 * 1000 };

/* The TracerPid of pid, 0 if none. */
static int tracer_of(uint32_t pid) {
    char id[16], tracer[32];
    snprintf(id, sizeof id, "%u", (unsigned)pid);
    status_field(id, "TracerPid:", tracer, sizeof tracer);
    return atoi(tracer);
}

/* ptrace_session_begin under this process's turn; the turn is held until remote_session_close. An EPERM
 * while nobody traces pid may be a tracer that has just left (another process's session): it is
 * believed only when it happens UNTRACED_TRIES times and no tracer was seen meanwhile. Each session
 * has a warden of its own, so tracers that keep changing are writers taking turns, not a debugger
 * that stays: each new one gives us another second, five in all. */
int remote_session_open(uint32_t pid, ptrace_session *session, char *why, size_t why_size) {
    enum { UNTRACED_TRIES = 10, CHANGED_TRIES = 3 };
    pthread_mutex_lock(&session_turn);
    int error = ptrace_session_begin(pid, session, why, why_size);
    bool tracer_seen = false;   /* then the EPERMs are other sessions' turns: wait for ours */
    int last_tracer = 0;
    for (int i = 0, same = 0, untraced = 0, changed = 0;
         (error == EPERM || error == ESRCH) && same < BUSY_RETRIES && i < TURN_RETRIES; i++, same++) {
        /* ESRCH while the process lives: the thread we picked ended, or ran execve; pick again. */
        if (error == ESRCH && (target_pick_thread(pid) == 0 || ++changed >= CHANGED_TRIES)) break;
        int tracer = error == EPERM ? tracer_of(pid) : 0;
        bool traced = tracer > 0;
        if (traced && tracer != last_tracer) same = 0, last_tracer = tracer;
        tracer_seen = tracer_seen || traced;
        if (error == EPERM && !traced && !tracer_seen && ++untraced >= UNTRACED_TRIES) break;
        struct timespec pause = {0, BUSY_WAIT_NS};
        nanosleep(&pause, NULL);
        error = ptrace_session_begin(pid, session, why, why_size);
    }
    if (error == ESRCH && target_pick_thread(pid) != 0) error = EAGAIN;   /* never "gone" while it lives */
    if (error && !why[0]) explain_session_error(pid, error, why, why_size);
    if (error) pthread_mutex_unlock(&session_turn);
    return error;
}

int remote_session_close(ptrace_session *session) {
    int error = ptrace_session_end(session);
    if (error == ESRCH && target_pick_thread((uint32_t)session->pid) != 0) error = EAGAIN;
    pthread_mutex_unlock(&session_turn);
    return error;
}

/* vmem_hold_other: the session of the reservation made under it is ended with its undo kept (the
 * warden stays, ready to take the buffer back) until the unhold, or until released. Only that session
 * outlives its calls: the target runs meanwhile, so its own library (which may hold its locator's
 * lock) is never kept stopped while this process waits for that lock. */
typedef struct held_reservation {
    bool           active, lingering;
    uint32_t       pid;
    uintptr_t      address;   /* lingering: the reservation's */
    ptrace_session session;   /* lingering: ended, its warden waiting */
} held_reservation;

static _Thread_local held_reservation held;

void vmem_hold_other(uint32_t pid) {
    if (held.active) return;   /* one at a time: a second hold joins the first */
    held = (held_reservation){.active = true, .lingering = false, .pid = pid};
}

void vmem_unhold_other(uint32_t pid) {
    if (!held.active || held.pid != pid) return;
    if (held.lingering) ptrace_session_let_go(&held.session);
    held.active = held.lingering = false;
}

/* ---- one system call in the target ---- */

typedef struct remote_call {
    long      number;
    uintptr_t args[6];
    intptr_t  result;
    long      undo;      /* the call that takes it back, given its result and args[1] (0: none) */
} remote_call;

static bool failed(intptr_t result) {
    return result < 0 && result >= -4095;
}

/* Runs calls[0..count) in pid, stopping at the first that fails; calls[i].result says how each
 * went. Returns 0 or the errno of the session itself (vmem_check_other_process explains those). */
static int run_in(uint32_t pid, remote_call *calls, size_t count) {
    ptrace_session session;
    char why[256];
    int error = remote_session_open(pid, &session, why, sizeof why);
    if (error) return error;
    bool undos = false;
    for (size_t i = 0; i < count && !error; i++) {
        error = ptrace_session_syscall(&session, calls[i].number, calls[i].args, calls[i].undo, calls[i].args[1],
                                       &calls[i].result);
        if (!error && failed(calls[i].result)) break;
        undos = undos || (!error && calls[i].undo);
    }
    if (!(undos && held.active && held.pid == pid && !held.lingering)) {
        int ended = remote_session_close(&session);
        return error ? error : ended;
    }
    int ended = ptrace_session_end_keeping(&session);   /* the warden stays until the unhold */
    if (ended == ESRCH && target_pick_thread(pid) != 0) ended = EAGAIN;
    pthread_mutex_unlock(&session_turn);
    held.session = session;
    held.address = (uintptr_t)calls[0].result;
    held.lingering = true;
    return error ? error : ended;
}

int remote_reserve_at(uint32_t pid, uintptr_t address, size_t size) {
    remote_call map = {SYS_mmap, {address, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uintptr_t)-1, 0}, 0,
                       SYS_munmap};   /* a caller ending mid-session never sees the memory: unmapped */
    int error = run_in(pid, &map, 1);
    if (error) return error;
    if (failed(map.result)) return (int)-map.result;
    if ((uintptr_t)map.result == address) return 0;
    /* A kernel before 4.17 took the address as a hint: undo. */
    error = remote_release(pid, (uintptr_t)map.result, size);
    return error ? error : EEXIST;
}

int remote_release(uint32_t pid, uintptr_t address, size_t size) {
    /* Let go first (the hold keeps one reservation: this one): a caller ending between the two
     * leaves the buffer, never a second munmap of a range the target may have reused. */
    if (held.active && held.lingering && held.pid == pid && held.address == address) {
        ptrace_session_let_go(&held.session);
        held.lingering = false;
    }
    remote_call unmap = {SYS_munmap, {address, size, 0, 0, 0, 0}, 0, 0};
    int error = run_in(pid, &unmap, 1);
    if (error) return error;
    return failed(unmap.result) ? (int)-unmap.result : 0;
}

/* ---- os/vmem.h: other processes ---- */

vmem_process_access vmem_check_other_process(uint32_t pid, char *why, size_t why_size) {
    snprintf(why, why_size, "no such process");
    if (pid == 0 || pid > (uint32_t)INT32_MAX || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
        return VMEM_PROCESS_MISSING;
    if (target_pick_thread(pid) == 0) {
        snprintf(why, why_size, "no such process: %u has exited", (unsigned)pid);
        return VMEM_PROCESS_MISSING;
    }
    ptrace_session session;
    int error = remote_session_open(pid, &session, why, why_size);
    if (!error) error = remote_session_close(&session);
    if (!error) return VMEM_PROCESS_ACCESSIBLE;
    if (error == ESRCH) {
        snprintf(why, why_size, "no such process: %u ended while being checked", (unsigned)pid);
        return VMEM_PROCESS_MISSING;
    }
    if (error == EPERM || error == EACCES) {
        explain_refusal(pid, why, why_size);
        return VMEM_PROCESS_DENIED;
    }
    if (explain_session_error(pid, error, why, why_size)) return VMEM_PROCESS_UNSUPPORTED;
    if (error == ENOSYS && !why[0])
        snprintf(why, why_size, "ptrace is not available (ENOSYS: a seccomp filter, or an emulator such as "
                 "qemu-user that does not provide it)");
    else if (!why[0]) {
        char text[96];
        snprintf(why, why_size, "ptrace of process %u failed: %s", (unsigned)pid,
                 vmem_error_text(error, text, sizeof text));
    }
    return VMEM_PROCESS_UNSUPPORTED;
}

/* Through /proc/<pid>/mem: the kernel's ptrace access path (flushes caches for code on arm64). */
static int copy_through_proc_mem(uint32_t pid, uintptr_t address, void *local, size_t size, bool write) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%u/mem", (unsigned)pid);
    int fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return errno;
    ssize_t moved = write ? pwrite(fd, local, size, (off_t)address) : pread(fd, local, size, (off_t)address);
    int error = moved == (ssize_t)size ? 0 : moved < 0 ? errno : EFAULT;
    close(fd);
    return error;
}

/* process_vm_writev/readv, falling back to /proc/<pid>/mem where they are missing (ENOSYS) or
 * filtered (EPERM from container seccomp profiles); both need the same ptrace permission. */
static int copy_other(uint32_t pid, uintptr_t address, void *local, size_t size, bool write) {
    struct iovec here = {local, size}, there = {(void *)address, size};
    ssize_t moved = write ? process_vm_writev((pid_t)pid, &here, 1, &there, 1, 0)
                          : process_vm_readv((pid_t)pid, &here, 1, &there, 1, 0);
    if (moved == (ssize_t)size) return 0;
    if (moved >= 0) return EFAULT;
    if (errno != ENOSYS && errno != EPERM) return errno;
    return copy_through_proc_mem(pid, address, local, size, write);
}

int vmem_write_other(uint32_t pid, uintptr_t address, const void *data, size_t size) {
    if (pid == 0 || pid == (uint32_t)getpid()) {
        memcpy((void *)address, data, size);
        return 0;
    }
    return copy_other(pid, address, (void *)data, size, true);
}

int vmem_read_other(uint32_t pid, uintptr_t address, void *out, size_t size) {
    if (pid == 0 || pid == (uint32_t)getpid()) {
        memcpy(out, (const void *)address, size);
        return 0;
    }
    return copy_other(pid, address, out, size, false);
}

int vmem_write_code_other(uint32_t pid, uintptr_t address, const void *code, size_t size) {
    if (pid == 0 || pid == (uint32_t)getpid()) {
        memcpy((void *)address, code, size);
        vmem_flush_instruction_cache(address, address + size);
        return 0;
    }
#if defined(__aarch64__)
    return copy_through_proc_mem(pid, address, (void *)code, size, true);
#else
    return copy_other(pid, address, (void *)code, size, true);
#endif
}
