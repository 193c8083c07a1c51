/* The keeper verbs of os/vmem_other.h where no process outlives the caller to finish its work in another
 * process (Windows: memory VirtualAllocEx gave stays whoever ends, so there is nothing to hold; macOS:
 * other processes are unsupported). The caller takes a lock word itself. Includes nothing of any OS. */
#include "os/vmem_other.h"

int vmem_kept_lock_take(void *word, vmem_kept_lock **out) {
    (void)word, (void)out;
    return VMEM_UNSUPPORTED;
}

void vmem_kept_lock_release(vmem_kept_lock *lock) {
    (void)lock;
}

void vmem_hold_other(uint32_t pid) {
    (void)pid;
}

void vmem_unhold_other(uint32_t pid) {
    (void)pid;
}
