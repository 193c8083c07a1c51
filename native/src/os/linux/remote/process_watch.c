/* vmem_process_watch_* on Linux (contract in os/vmem_other.h): a pidfd where the kernel has pidfd_open
 * (5.3+), polled readable once the process has exited; otherwise the process's start time, which
 * a later process given the same pid cannot share (it started later). Writes and reads go through
 * /proc/<pid>/mem opened with the watch: the kernel keeps that descriptor on the address space it was
 * opened on, and once that is gone (exit, or exec, which replaces it) it moves no byte and returns 0. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64   /* an address is the file offset: 32-bit builds need all 32 bits */
#include "os/vmem_other.h"
#include "os/linux/remote/target.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434   /* the same number on every architecture (the common syscall table) */
#endif

/* Field 22 (starttime, in clock ticks since boot) of /proc/<pid>/stat, or 0 when there is no such
 * process. */
static uint64_t start_time_of(uint32_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%u/stat", (unsigned)pid);
    const char *field = target_stat_field(path, 22);
    return field ? strtoull(field, NULL, 10) : 0;
}

/* /proc/<pid>/mem of whatever process has pid now; -1 when it cannot be opened (no /proc, refused). */
static intptr_t open_memory(uint32_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%u/mem", (unsigned)pid);
    return open(path, O_RDWR | O_CLOEXEC);
}

int vmem_process_watch_open(uint32_t pid, vmem_process_watch *out) {
    out->pid = pid;
    out->handle = out->memory = -1;
    out->start_time = 0;
    out->anchor = 0;
    if (pid == 0 || pid > (uint32_t)INT32_MAX) return ESRCH;
    long fd = syscall(SYS_pidfd_open, (pid_t)pid, 0u);
    if (fd >= 0)
        out->handle = (intptr_t)fd;
    else if (errno == ESRCH)
        return ESRCH;
    else
        out->start_time = start_time_of(pid);   /* ENOSYS (older kernel) or filtered: fall back */
    if (out->handle < 0 && !out->start_time) return ESRCH;
    out->memory = open_memory(pid);
    /* Still the watched process after the open: then the pid named it all along, and so the file is its. */
    if (vmem_process_watch_alive(out)) return 0;
    vmem_process_watch_close(out);
    return ESRCH;
}

bool vmem_process_watch_alive(const vmem_process_watch *watch) {
    if (watch->handle >= 0) {
        struct pollfd exited = {.fd = (int)watch->handle, .events = POLLIN};
        return poll(&exited, 1, 0) == 0;
    }
    return watch->start_time != 0 && start_time_of(watch->pid) == watch->start_time;
}

void vmem_process_watch_close(vmem_process_watch *watch) {
    if (watch->handle >= 0) close((int)watch->handle);
    if (watch->memory >= 0) close((int)watch->memory);
    watch->handle = watch->memory = -1;
    watch->start_time = 0;
}

/* Without /proc/<pid>/mem: 0 while the process lives and its anchor word still holds its address. */
static int unbound_check(const vmem_process_watch *watch) {
    uintptr_t word = 0;
    if (!vmem_process_watch_alive(watch)) return VMEM_PROCESS_CHANGED;
    if (watch->anchor && (vmem_read_other(watch->pid, watch->anchor, &word, sizeof word) != 0 || word != watch->anchor))
        return VMEM_PROCESS_CHANGED;
    return 0;
}

/* What a pwrite/pread of size bytes through /proc/<pid>/mem that returned moved means: 0 its address
 * space is gone (nothing moved); EIO is an address not mapped there, reported like a partial copy. */
static int moved_result(ssize_t moved, size_t size) {
    if (moved == (ssize_t)size) return 0;
    if (moved == 0) return VMEM_PROCESS_CHANGED;
    return moved > 0 || errno == EIO ? EFAULT : errno;
}

int vmem_process_watch_write(const vmem_process_watch *watch, uintptr_t address, const void *data, size_t size,
                             bool code) {
    if (size == 0) return vmem_process_watch_alive(watch) ? 0 : VMEM_PROCESS_CHANGED;
    if (watch->memory < 0) {
        int error = unbound_check(watch);
        if (error) return error;
        return code ? vmem_write_code_other(watch->pid, address, data, size)
                    : vmem_write_other(watch->pid, address, data, size);
    }
    return moved_result(pwrite((int)watch->memory, data, size, (off_t)address), size);
}

int vmem_process_watch_read(const vmem_process_watch *watch, uintptr_t address, void *out, size_t size) {
    if (size == 0) return vmem_process_watch_alive(watch) ? 0 : VMEM_PROCESS_CHANGED;
    if (watch->memory < 0) {
        int error = unbound_check(watch);
        return error ? error : vmem_read_other(watch->pid, address, out, size);
    }
    return moved_result(pread((int)watch->memory, out, size, (off_t)address), size);
}
