/* Runs the self-check once per process and keeps its answer (api/self_check.h). */
#include "api/self_check.h"

#ifdef BUFFERS_SELF_CHECK
#include <stdatomic.h>
#include <stdio.h>

#include "core/engine.h"
#include "core/errors.h"
#include "os/vmem.h"

enum { UNCHECKED, CHECKING, PASSED, FAILED };

static _Atomic(int) state;
static atomic_flag fork_handler_registered = ATOMIC_FLAG_INIT;
static _Thread_local bool checking_here;
static buffers_status failed_status;   /* written before state becomes FAILED, read after */
static char failed_text[sizeof(((self_check_failure *)0)->text) + 256];

/* A child forked while another thread checked: that thread is gone, so check again there. */
static void recheck_after_fork(void) {
    int checking = CHECKING;
    atomic_compare_exchange_strong_explicit(&state, &checking, UNCHECKED, memory_order_relaxed, memory_order_relaxed);
    checking_here = false;
}

/* A failed check must not be bypassed by the hot path: the buffers the check used are hints for
 * their windows, so forget every hint and let each request reach the slow path, which refuses. */
static void forget_hints(void) {
    for (uint32_t i = 0; i < ENGINE_HINT_SLOTS; i++)
        atomic_store_explicit(&engine_hints[i], NULL, memory_order_release);
}

static void run_check(void) {
    checking_here = true;
    self_check_failure failure = {0};
    bool passed = self_check_run_steps(&failure);
    checking_here = false;
    if (!passed) {
        failed_status = failure.status;
        snprintf(failed_text, sizeof failed_text, "self-check failed at step '%s': %s (this build checks itself at "
                 "first use because no test runs it; docs/platforms.md, \"Self-check\")", failure.step, failure.text);
        forget_hints();
    }
    atomic_store_explicit(&state, passed ? PASSED : FAILED, memory_order_release);
}

buffers_status self_check_first_use(void) {
    for (;;) {
        int now = atomic_load_explicit(&state, memory_order_acquire);
        if (now == PASSED || checking_here) return BUFFERS_OK;
        if (now == FAILED) return errors_set(failed_status, "%s", failed_text);
        if (now == CHECKING) {
            vmem_yield();
            continue;
        }
        if (!atomic_flag_test_and_set_explicit(&fork_handler_registered, memory_order_relaxed))
            vmem_on_fork_child(recheck_after_fork);
        int expected = UNCHECKED;
        if (atomic_compare_exchange_strong_explicit(&state, &expected, CHECKING, memory_order_acquire,
                                                    memory_order_relaxed))
            run_check();
    }
}
#endif

buffers_status buffers_self_check(void) {
    return self_check_first_use();
}
