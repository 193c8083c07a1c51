/* vmem_kept_lock (os/vmem_other.h): a lock word taken and let go by a warden process of its own
 * (os/linux/remote/warden.h, WARDEN_LOCK), which shares our memory, so our end, however it comes,
 * never leaves the word taken. No ptrace here: the warden only waits for the word and stores it. */
#define _GNU_SOURCE

#include "os/vmem_other.h"

#include <errno.h>

#include "os/linux/remote/tracer.h"

struct vmem_kept_lock {
    tracer *keeper;
};

int vmem_kept_lock_take(void *word, vmem_kept_lock **out) {
    static _Thread_local struct vmem_kept_lock one;   /* a thread holds one such lock at a time */
    if (one.keeper) return EBUSY;
    int error = tracer_start(&one.keeper, false);   /* a process, never a thread: it must outlive us */
    if (error) {
        one.keeper = NULL;
        return VMEM_UNSUPPORTED;
    }
    tracer_box(one.keeper)->lock_word = word;
    error = tracer_run(one.keeper, WARDEN_LOCK);
    if (error) {   /* ECANCELED: the keeper was killed; whether it took the word cannot be told */
        tracer_stop(one.keeper);
        one.keeper = NULL;
        return error;
    }
    *out = &one;
    return 0;
}

void vmem_kept_lock_release(vmem_kept_lock *lock) {
    if (!lock || !lock->keeper) return;
    tracer_stop(lock->keeper);   /* WARDEN_QUIT: the keeper stores 0, then ends */
    lock->keeper = NULL;
}
