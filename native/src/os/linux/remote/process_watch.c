/* vmem_process_watch_* on Linux (contract in os/vmem.h): a pidfd where the kernel has pidfd_open
 * (5.3+), polled readable once the process has exited; otherwise the process's start time, which
 * a later process given the same pid cannot share (it started later). */
#define _GNU_SOURCE
#include "os/vmem_other.h"
#include "os/linux/remote/target.h"

#include <errno.h>
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

int vmem_process_watch_open(uint32_t pid, vmem_process_watch *out) {
    out->pid = pid;
    out->handle = -1;
    out->start_time = 0;
    if (pid == 0 || pid > (uint32_t)INT32_MAX) return ESRCH;
    long fd = syscall(SYS_pidfd_open, (pid_t)pid, 0u);
    if (fd >= 0) {
        out->handle = (intptr_t)fd;
        return 0;
    }
    if (errno == ESRCH) return ESRCH;
    out->start_time = start_time_of(pid);   /* ENOSYS (older kernel) or filtered: fall back */
    return out->start_time ? 0 : ESRCH;
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
    watch->handle = -1;
    watch->start_time = 0;
}
