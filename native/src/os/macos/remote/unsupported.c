/* Other processes on macOS: not supported by this build. Acting in another process there needs its
 * task port (task_for_pid), which macOS grants only to root or to a signed program with the
 * com.apple.security.cs.debugger entitlement, and never for hardened or platform processes; nothing
 * here could test such a path, so every verb says so plainly (VMEM_UNSUPPORTED, with why) instead of
 * shipping code that never ran. This process (pid 0 or our own) is served where the contract allows. */
#include "os/vmem_other.h"

#include <stdio.h>
#include <string.h>

#define WHY_UNSUPPORTED "acting in another process is not supported on macOS by this build " \
                        "(it would need that process's task port: root or the debugger entitlement)"

static bool is_self(uint32_t pid) {
    return pid == 0 || pid == vmem_current_process_id();
}

vmem_process_access vmem_check_other_process(uint32_t pid, char *why, size_t why_size) {
    if (!vmem_process_alive(pid)) {
        snprintf(why, why_size, "no process has id %u", (unsigned)pid);
        return VMEM_PROCESS_MISSING;
    }
    snprintf(why, why_size, "%s", WHY_UNSUPPORTED);
    return VMEM_PROCESS_UNSUPPORTED;
}

int vmem_process_watch_open(uint32_t pid, vmem_process_watch *out) {
    out->handle = out->memory = -1;
    out->anchor = 0;
    out->start_time = 0;
    out->pid = pid;
    return VMEM_UNSUPPORTED;
}

bool vmem_process_watch_alive(const vmem_process_watch *watch) {
    (void)watch;
    return false;
}

void vmem_process_watch_close(vmem_process_watch *watch) {
    watch->handle = -1;
}

int vmem_process_watch_write(const vmem_process_watch *watch, uintptr_t address, const void *data, size_t size,
                             bool code) {
    (void)watch, (void)address, (void)data, (void)size, (void)code;
    return VMEM_UNSUPPORTED;
}

int vmem_process_watch_read(const vmem_process_watch *watch, uintptr_t address, void *out, size_t size) {
    (void)watch, (void)address, (void)out, (void)size;
    return VMEM_UNSUPPORTED;
}

int vmem_write_other(uint32_t pid, uintptr_t address, const void *data, size_t size) {
    if (!is_self(pid)) return VMEM_UNSUPPORTED;
    memcpy((void *)address, data, size);
    return 0;
}

int vmem_read_other(uint32_t pid, uintptr_t address, void *out, size_t size) {
    if (!is_self(pid)) return VMEM_UNSUPPORTED;
    memcpy(out, (const void *)address, size);
    return 0;
}

int vmem_write_code_other(uint32_t pid, uintptr_t address, const void *code, size_t size) {
    if (!is_self(pid)) return VMEM_UNSUPPORTED;
    bool flip = vmem_write_xor_execute();
    if (flip) vmem_protect(address, size, VMEM_READ_WRITE);
    memcpy((void *)address, code, size);
    if (flip) vmem_protect(address, size, VMEM_READ_EXECUTE);
    vmem_flush_instruction_cache(address, address + size);
    return 0;
}

/* Clears *out and says why in its where. */
static int refuse(vmem_shared *out, uint32_t pid) {
    memset(out, 0, sizeof *out);
    out->os_handle = -1;
    snprintf(out->where, sizeof out->where, "the locator of process %u: %s", (unsigned)pid, WHY_UNSUPPORTED);
    return VMEM_UNSUPPORTED;
}

int vmem_shared_open_other(uint32_t pid, const char *name, size_t size, vmem_shared *out, uintptr_t *out_recorded) {
    (void)name, (void)size;
    *out_recorded = 0;
    return refuse(out, pid);
}

void vmem_shared_close_other(vmem_shared *shared) {
    shared->os_handle = -1;   /* vmem_shared_open_other never maps anything here */
}

int vmem_shared_create_in_other(uint32_t pid, const char *name, size_t size, vmem_shared *out,
                                uintptr_t *out_remote_address) {
    (void)name, (void)size;
    *out_remote_address = 0;
    return refuse(out, pid);
}

int vmem_shared_check_other(const vmem_shared *shared, char *why, size_t why_size) {
    (void)shared;
    snprintf(why, why_size, "%s", WHY_UNSUPPORTED);
    return VMEM_UNSUPPORTED;   /* no view of another process is ever made here */
}
