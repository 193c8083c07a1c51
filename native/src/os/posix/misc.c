/* The verbs of os/vmem.h that are the same on every POSIX system (Linux, macOS): process ids,
 * fork hooks, yielding, sleeping and errno classification and text. */
#define _POSIX_C_SOURCE 200809L   /* and not _GNU_SOURCE: the XSI strerror_r, which returns an int */

#include "os/vmem.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint32_t vmem_current_process_id(void) {
    return (uint32_t)getpid();
}

bool vmem_process_alive(uint32_t pid) {
    if (pid == 0 || pid > (uint32_t)INT32_MAX) return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

void vmem_on_fork_child(void (*fn)(void)) {
    pthread_atfork(NULL, NULL, fn);
}

void vmem_yield(void) {
    sched_yield();
}

bool vmem_error_is_out_of_memory(int error) {
    return error == ENOMEM;
}

vmem_error_kind vmem_error_kind_of(int error) {
    return error == ENOENT                    ? VMEM_ERROR_NOT_FOUND
           : error == EACCES || error == EPERM ? VMEM_ERROR_DENIED
           : error == EEXIST                   ? VMEM_ERROR_EXISTS
           : error == ESRCH                    ? VMEM_ERROR_NO_PROCESS
                                               : VMEM_ERROR_OTHER;
}

void vmem_sleep_microseconds(uint32_t microseconds) {
    struct timespec delay = {(time_t)(microseconds / 1000000u), (long)(microseconds % 1000000u) * 1000L};
    nanosleep(&delay, NULL);
}

const char *vmem_error_text(int error, char *buffer, size_t size) {
    if (error == VMEM_UNSUPPORTED) {
        snprintf(buffer, size, "not supported on this platform by this build");
        return buffer;
    }
    char text[96];
    if (strerror_r(error, text, sizeof text) != 0) snprintf(text, sizeof text, "unknown error");
    snprintf(buffer, size, "%s (errno %d)", text, error);
    return buffer;
}
