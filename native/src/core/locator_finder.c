#include "core/locator_finder.h"

#include "core/errors.h"
#include "os/vmem.h"

static _Atomic(uintptr_t) cached_locator;
static atomic_flag finding = ATOMIC_FLAG_INIT;
static bool fork_handler_registered;   /* written under the finding flag */

/* In a forked child: the cached locator is the parent's (a shared mapping of the parent's file), so
 * forget it; the child's first call finds or creates its own, named after its own PID. */
static void forget_after_fork(void) {
    atomic_store_explicit(&cached_locator, 0, memory_order_relaxed);
    atomic_flag_clear_explicit(&finding, memory_order_relaxed);
}

buffers_status finder_open(const char *name, locator **out) {
    size_t size = locator_block_size();
    vmem_shared shared;
    int error = vmem_shared_open(name, size, &shared);
    if (error) {
        char text[128];
        return errors_set(BUFFERS_ERROR_LOCATOR, "cannot open the shared locator '%s': %s (%s)", name, shared.where,
                          vmem_error_text(error, text, sizeof text));
    }
    locator *view = (locator *)shared.address;
    uintptr_t recorded = view->header.this_address;
    if (recorded && vmem_shared_is_live_at(&shared, recorded)) {
        unsigned version;
        bool readable = locator_version_readable(view, &version);
        vmem_shared_close(&shared, false);
        if (!readable)
            return errors_set(BUFFERS_ERROR_LOCATOR, "the shared locator at %#llx ('%s') has format version %u; "
                              "this library reads version %u", (unsigned long long)recorded, shared.where, version,
                              LOCATOR_VERSION);
        locator_keep_from_fork((const locator *)recorded);   /* an upstream copy's does not do it */
        *out = (locator *)recorded;
        return BUFFERS_OK;
    }
    /* Not adopted: a new object, or (Windows only: POSIX replaces such files itself) garbage under our
     * name. Start afresh. */
    if (!shared.created && (error = vmem_shared_reset(&shared)) != 0) {
        char text[128];
        vmem_shared_close(&shared, false);
        return errors_set(BUFFERS_ERROR_LOCATOR, "cannot reset the stale locator '%s': %s", shared.where,
                          vmem_error_text(error, text, sizeof text));
    }
    locator_initialize(view, shared.address, size, shared.executable);
    locator_keep_from_fork(view);
    vmem_shared_close(&shared, true);
    vmem_shared_remove_stale(LOCATOR_NAME_PREFIX);
    *out = view;
    return BUFFERS_OK;
}

buffers_status finder_locator(bool dual, locator **out) {
    uintptr_t known = atomic_load_explicit(&cached_locator, memory_order_acquire);
    if (known) {
        *out = (locator *)known;
        return BUFFERS_OK;
    }
    while (atomic_flag_test_and_set_explicit(&finding, memory_order_acquire)) vmem_yield();
    buffers_status status = BUFFERS_OK;
    known = atomic_load_explicit(&cached_locator, memory_order_relaxed);
    if (!fork_handler_registered) {
        vmem_on_fork_child(forget_after_fork);
        fork_handler_registered = true;
    }
    if (!known) {
        char name[LOCATOR_NAME_MAX];
        uint32_t pid = vmem_current_process_id();   /* a pid always fits */
        (void)(dual ? locator_dual_first_name(name, sizeof name, pid) : locator_first_name(name, sizeof name, pid));
        locator *found;
        status = finder_open(name, &found);
        if (status == BUFFERS_OK) {
            known = (uintptr_t)found;
            atomic_store_explicit(&cached_locator, known, memory_order_release);
        }
    }
    atomic_flag_clear_explicit(&finding, memory_order_release);
    if (status == BUFFERS_OK) *out = (locator *)known;
    return status;
}

buffers_status finder_set_root(const char *directory) {
    while (atomic_flag_test_and_set_explicit(&finding, memory_order_acquire)) vmem_yield();
    buffers_status status = BUFFERS_OK;
    if (atomic_load_explicit(&cached_locator, memory_order_relaxed)) {
        status = errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "the shared root cannot change: this process's locator is "
                            "already open in '%s'", vmem_shared_directory());
    } else {
        int error = vmem_shared_set_root(directory);
        char text[128];
        if (error) status = errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "shared root '%s': %s (an absolute path is needed)",
                                       directory ? directory : "(null)", vmem_error_text(error, text, sizeof text));
    }
    atomic_flag_clear_explicit(&finding, memory_order_release);
    return status;
}
