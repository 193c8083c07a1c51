/* vmem_process_watch_* on Linux (contract in vmem.h): a pidfd where the kernel has pidfd_open
 * (5.3+), polled readable once the process has exited; otherwise the process's start time, which
 * a later process given the same pid cannot share (it started later). */
#define _GNU_SOURCE
#include "vmem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434   /* the same number on every architecture (the common syscall table) */
#endif

/* Field 22 (starttime, in clock ticks since boot) of /proc/<pid>/stat, or 0 when there is no such
 * process. The command name (field 2) may hold spaces and ')', so fields are counted after the last ')'. */
static uint64_t start_time_of(uint32_t pid) {
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%u/stat", (unsigned)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t got = read(fd, text, sizeof text - 1);
    close(fd);
    if (got <= 0) return 0;
    text[got] = '\0';
    char *field = strrchr(text, ')');
    for (int n = 2; field && n < 22; n++) field = strchr(field + 1, ' ');
    return field ? strtoull(field + 1, NULL, 10) : 0;
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
