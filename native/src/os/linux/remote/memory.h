/* Linux only: memory of another process, for os/linux/vmem.c (vmem_reserve_at, vmem_release with a
 * pid other than this process's). The contracts are those of os/vmem.h for another pid. */
#ifndef BUFFERS_VMEM_LINUX_REMOTE_H
#define BUFFERS_VMEM_LINUX_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True where this build can act in other processes (x86-64 and aarch64). */
bool remote_supported(void);

/* mmap(address, size, read/write/execute, MAP_FIXED_NOREPLACE) run inside pid: exactly address or
 * an error (EEXIST when something is there; a kernel that took the address as a hint has the
 * mapping removed again). */
int remote_reserve_at(uint32_t pid, uintptr_t address, size_t size);

/* munmap(address, size) run inside pid. */
int remote_release(uint32_t pid, uintptr_t address, size_t size);

/* A ptrace session on pid (os/linux/remote/ptrace.h) under this process's turn: threads of this process
 * take turns, and another tracer is waited out for about a second. For callers that run several
 * dependent system calls in one session (os/linux/remote/shared_create.c). 0 or an errno (EPERM: refused;
 * ESRCH: the process has ended; EAGAIN: it kept changing; ETIMEDOUT, ECHILD: os/linux/remote/ptrace.h),
 * with the reason in why. */
struct ptrace_session;
int remote_session_open(uint32_t pid, struct ptrace_session *session, char *why, size_t why_size);
int remote_session_close(struct ptrace_session *session);

#endif
