/* vmem_process_watch_* on Windows (contract in os/vmem.h): a handle to the process. Its object is
 * signalled once the process has ended, and while any handle to it is open its id is not given to
 * another process, so the id cannot be reused under a watch at all. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "os/vmem_other.h"

int vmem_process_watch_open(uint32_t pid, vmem_process_watch *out) {
    out->pid = pid;
    out->start_time = 0;
    out->memory = -1;
    out->anchor = 0;
    HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
    out->handle = (intptr_t)process;
    if (!process) return GetLastError() == ERROR_ACCESS_DENIED ? (int)ERROR_ACCESS_DENIED : (int)ERROR_INVALID_PARAMETER;
    if (WaitForSingleObject(process, 0) == WAIT_OBJECT_0) {   /* ended, kept by someone's handle */
        CloseHandle(process);
        out->handle = 0;
        return (int)ERROR_INVALID_PARAMETER;
    }
    return 0;
}

bool vmem_process_watch_alive(const vmem_process_watch *watch) {
    return watch->handle && WaitForSingleObject((HANDLE)watch->handle, 0) == WAIT_TIMEOUT;
}

void vmem_process_watch_close(vmem_process_watch *watch) {
    if (watch->handle) CloseHandle((HANDLE)watch->handle);
    watch->handle = 0;
}

/* The open handle keeps the id from reuse and Windows has no exec: liveness, then the copy by id. */
int vmem_process_watch_write(const vmem_process_watch *watch, uintptr_t address, const void *data, size_t size,
                             bool code) {
    if (!vmem_process_watch_alive(watch)) return VMEM_PROCESS_CHANGED;
    if (size == 0) return 0;
    return code ? vmem_write_code_other(watch->pid, address, data, size)
                : vmem_write_other(watch->pid, address, data, size);
}

int vmem_process_watch_read(const vmem_process_watch *watch, uintptr_t address, void *out, size_t size) {
    if (!vmem_process_watch_alive(watch)) return VMEM_PROCESS_CHANGED;
    return size ? vmem_read_other(watch->pid, address, out, size) : 0;
}
