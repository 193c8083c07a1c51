/* buffers_process_open / _close / _get_buffer: buffers of another process that loaded this library
 * (process_buffers.h has the handle scheme; docs/external.md the rules). Only the target's FIRST
 * locator is mapped here, so only its items are locked and registered; further locators live in the
 * target's anonymous memory and are only read (for the refusal's message). */
#include "process_buffers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "api_checks.h"
#include "locator_finder.h"
#include "vmem.h"

enum { LAYOUT_UNSETTLED = -1, FURTHER_LOCATORS_READ = 64 };

typedef struct process_state {
    vmem_shared  mapping;          /* our view of the target's locator file */
    locator     *view;             /* == mapping.address */
    uintptr_t    remote_first;     /* where the target maps it */
    _Atomic(int) layout;           /* locator_layout, or LAYOUT_UNSETTLED while the locator is empty */
    remote_item  items[LOCATOR_MAX_ITEMS];   /* handle of item i of the first locator */
} process_state;

/* The handle stays (a few bytes) after close, so a call through it is an error, not a use of freed
 * memory; its state goes. Closed handles are kept on a list: deliberately kept, not leaked. */
struct buffers_process {
    uint32_t          pid;
    process_state    *state;       /* NULL once closed */
    buffers_process  *next_closed;
};

static _Atomic(buffers_process *) closed_handles;

static buffers_status refuse_pid(uint32_t pid) {
    if (pid == 0 || pid == vmem_current_process_id())
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "process %u is this process: use buffers_get_buffer",
                          (unsigned)pid);
    if (!vmem_process_alive(pid)) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "no such process: %u", (unsigned)pid);
    if (!vmem_supports_other_processes())
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "this build cannot act in other processes");
    return BUFFERS_OK;
}

/* A process without a locator gets one: created there by the OS layer and initialised through our
 * view exactly as its own library would have (empty, version 0, recording the address it has in
 * the target), before the file's setup lock is let go; its library adopts it when it starts. */
static int create_locator(uint32_t pid, const char *name, process_state *state) {
    int error = vmem_shared_create_in_other(pid, name, LOCATOR_SIZE, &state->mapping, &state->remote_first);
    if (error) return error;
    locator_initialize_in((locator *)state->mapping.address, state->remote_first, LOCATOR_SIZE, false,
                          LOCATOR_LAYOUT_DOCUMENT);
    vmem_shared_close(&state->mapping, true);   /* drops the setup lock, keeps our view */
    return 0;
}

static buffers_status refuse_locator(uint32_t pid, int error, const char *where) {
    char text[128];
    if (error == VMEM_UNSUPPORTED) return errors_set(BUFFERS_ERROR_UNSUPPORTED, "process %u: %s", (unsigned)pid, where);
    if (error == ESRCH) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "no such process: %u (%s)", (unsigned)pid, where);
    if (error == EPERM || error == EACCES)
        return errors_set(BUFFERS_ERROR_PERMISSION, "process %u has no locator and one cannot be made for it: %s",
                          (unsigned)pid, where);
    return errors_set(BUFFERS_ERROR_LOCATOR, "process %u has no locator and one cannot be made for it: %s (%s)",
                      (unsigned)pid, where, vmem_error_text(error, text, sizeof text));
}

static buffers_status map_locator(uint32_t pid, process_state *state) {
    char name[80];
    snprintf(name, sizeof name, LOCATOR_NAME_PREFIX "%u", (unsigned)pid);
    int error = vmem_shared_open_other(pid, name, LOCATOR_SIZE, &state->mapping, &state->remote_first);
    if (error == ENOENT || error == EACCES) {   /* none, or only another user's file: its library would make one */
        error = create_locator(pid, name, state);
        if (error == EEXIST) {   /* in use: perhaps made meanwhile by the target's library or another opener */
            static _Thread_local vmem_shared made;   /* large; its where is kept only on success */
            uintptr_t recorded;
            if (vmem_shared_open_other(pid, name, LOCATOR_SIZE, &made, &recorded) == 0) {
                state->mapping = made;
                state->remote_first = recorded;
                error = 0;
            }
        }
    }
    if (error) return refuse_locator(pid, error, state->mapping.where);
    state->view = (locator *)state->mapping.address;
    unsigned version = state->view->header.flags & LOCATOR_VERSION_MASK;
    if (state->view->header.this_address != state->remote_first || version != LOCATOR_VERSION) {
        vmem_shared_close_other(&state->mapping);
        return errors_set(BUFFERS_ERROR_LOCATOR, "the locator of process %u changed while it was opened, or has "
                          "format version %u (this library reads %u)", (unsigned)pid, version, LOCATOR_VERSION);
    }
    return BUFFERS_OK;
}

buffers_status buffers_process_open(uint32_t pid, buffers_process **out) {
    if (!out) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "process_open: out is null");
    *out = NULL;
    buffers_status status = refuse_pid(pid);
    if (status != BUFFERS_OK) return status;
    char why[256];
    vmem_process_access access = vmem_check_other_process(pid, why, sizeof why);
    if (access == VMEM_PROCESS_MISSING) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "no such process: %u", (unsigned)pid);
    if (access == VMEM_PROCESS_DENIED) return errors_set(BUFFERS_ERROR_PERMISSION, "process %u: %s", (unsigned)pid, why);
    if (access == VMEM_PROCESS_UNSUPPORTED) return errors_set(BUFFERS_ERROR_UNSUPPORTED, "process %u: %s", (unsigned)pid, why);
    buffers_process *process = calloc(1, sizeof *process);
    process_state *state = calloc(1, sizeof *state);
    if (!process || !state) {
        free(process);
        free(state);
        return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "process_open: no memory for the handle");
    }
    if ((status = map_locator(pid, state)) != BUFFERS_OK) {
        free(process);
        free(state);
        return status;
    }
    atomic_init(&state->layout, LAYOUT_UNSETTLED);
    process->pid = pid;
    process->state = state;
    *out = process;
    return BUFFERS_OK;
}

void buffers_process_close(buffers_process *process) {
    if (!process || !process->state) return;
    vmem_shared_close_other(&process->state->mapping);
    free(process->state);
    process->state = NULL;
    buffers_process *head = atomic_load_explicit(&closed_handles, memory_order_relaxed);
    do process->next_closed = head;
    while (!atomic_compare_exchange_weak_explicit(&closed_handles, &head, process, memory_order_release,
                                                  memory_order_relaxed));
}

/* The chain's layout as the target's items show it; an empty locator is taken to be in the
 * document's layout (the default for locators this library creates). */
static buffers_status settle_layout(buffers_process *process, locator_layout *out) {
    process_state *state = process->state;
    int known = atomic_load_explicit(&state->layout, memory_order_acquire);
    if (known != LAYOUT_UNSETTLED) {
        *out = (locator_layout)known;
        return BUFFERS_OK;
    }
    switch (locator_detect_layout(state->view, (uint32_t)vmem_page_size())) {
    case LOCATOR_DETECTED_RUST: *out = LOCATOR_LAYOUT_RUST; break;
    case LOCATOR_DETECTED_MIXED:
        return errors_set(BUFFERS_ERROR_LOCATOR, "the locator of process %u mixes the document's and Rust's item "
                          "layouts; not writing into it", (unsigned)process->pid);
    default: *out = LOCATOR_LAYOUT_DOCUMENT; break;
    }
    atomic_store_explicit(&state->layout, (int)*out, memory_order_release);
    return BUFFERS_OK;
}

/* Fills the handle of item n (locked by the caller, so no other thread writes it now). */
static remote_item *bind(buffers_process *process, locator_layout layout, uint32_t n) {
    process_state *state = process->state;
    locator_item *item = &state->view->items[n];
    item_view view = item_read(item, layout);
    remote_item *handle = &state->items[n];
    handle->entry.base = view.base;
    handle->entry.last = view.base + (view.size - 1);
    handle->entry.size = 0;
    handle->entry.taken = item_field(item, layout, ITEM_TAKEN);
    handle->entry.position = item_field(item, layout, ITEM_POSITION);
    handle->entry.item = NULL;
    handle->size = view.size;
    handle->magic = REMOTE_ITEM_MAGIC;
    handle->pid = process->pid;
    return handle;
}

static remote_item *find_in_first(buffers_process *process, locator_layout layout, uint32_t need, uintptr_t min,
                                  uintptr_t max) {
    locator *view = process->state->view;
    locator_item *item = locator_find_locked_here(view, layout, need, min, max);
    return item ? bind(process, layout, (uint32_t)(item - view->items)) : NULL;
}

/* Free buffers in the target's further locators that would fit (read, never locked from here). */
static uint32_t count_in_further(buffers_process *process, locator_layout layout, uint32_t need, uintptr_t min,
                                 uintptr_t max) {
    uintptr_t next = atomic_load_explicit(&process->state->view->header.next_locator, memory_order_acquire);
    uint32_t fitting = 0;
    static _Thread_local locator copy;
    for (int read = 0; next && read < FURTHER_LOCATORS_READ; read++) {
        if (vmem_read_other(process->pid, next, &copy, sizeof copy) != 0) break;
        uint32_t count = locator_item_count(&copy);
        for (uint32_t n = 0; n < count; n++) {
            item_view seen = item_read(&copy.items[n], layout);
            if (!seen.taken && item_view_can_use(&seen, need, min, max)) fitting++;
        }
        next = atomic_load_explicit(&copy.header.next_locator, memory_order_relaxed);
    }
    return fitting;
}

/* A new buffer reserved in the target and registered, locked, in its first locator. */
static buffers_status make_remote(buffers_process *process, locator_layout layout, uint32_t need, uintptr_t min,
                                  uintptr_t max, remote_item **out) {
    buffers_allocator_settings request = buffers_allocator_settings_default();
    request.min_address = min;
    request.max_address = max;
    request.size = need;
    request.target_process_id = process->pid;
    allocator_result reserved;
    buffers_status status = allocator_reserve(&request, &reserved);
    if (status != BUFFERS_OK) return status;
    locator *view = process->state->view;
    locator_item *item = locator_register_here_locked(view, layout, reserved.base_address, (uint32_t)reserved.size);
    if (!item) {
        vmem_release(process->pid, reserved.base_address, reserved.size);
        uint32_t further = count_in_further(process, layout, need, min, max);
        return errors_set(BUFFERS_ERROR_NO_SPACE, "the first locator of process %u is full, and registering buffers in "
                          "its further locators from another process is not supported yet (%u free buffer(s) there "
                          "would fit, but cannot be locked from outside)", (unsigned)process->pid, (unsigned)further);
    }
    *out = bind(process, layout, (uint32_t)(item - view->items));
    return BUFFERS_OK;
}

buffers_status buffers_process_get_buffer(buffers_process *process, const buffers_search_settings *settings,
                                          buffers_item **out_item) {
    if (!process || !settings || !out_item)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "process_get_buffer: %s is null",
                          !process ? "process" : !settings ? "settings" : "out_item");
    if (!process->state)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "process_get_buffer: the handle of process %u is closed",
                          (unsigned)process->pid);
    uintptr_t min = settings->min_address, max = settings->max_address;
    buffers_status status = check_range(min, max, settings->size);
    locator_layout layout;
    if (status == BUFFERS_OK) status = settle_layout(process, &layout);
    if (status != BUFFERS_OK) return status;
    remote_item *found = find_in_first(process, layout, settings->size, min, max);
    if (!found && (status = make_remote(process, layout, settings->size, min, max, &found)) != BUFFERS_OK) {
        errors_append("while getting a buffer of %u bytes in [%#llx, %#llx] in process %u", (unsigned)settings->size,
                      (unsigned long long)min, (unsigned long long)max, (unsigned)process->pid);
        return status;
    }
    *out_item = (buffers_item *)&found->entry;
    return BUFFERS_OK;
}

uintptr_t remote_item_append(index_entry *entry, const void *data, size_t size, bool code, const char *what) {
    remote_item *item = (remote_item *)entry;
    uint32_t position = atomic_load_explicit(entry->position, memory_order_relaxed);
    if (!data && size) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: data is null", what);
        return 0;
    }
    if (!atomic_load_explicit(entry->taken, memory_order_relaxed)) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: the item is not locked (already released?)", what);
        return 0;
    }
    if (position > item->size || size > item->size - position) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: %zu bytes do not fit, %u left in the buffer at %#llx of "
                   "process %u", what, size, position > item->size ? 0u : (unsigned)(item->size - position),
                   (unsigned long long)entry->base, (unsigned)item->pid);
        return 0;
    }
    uintptr_t at = entry->base + position;
    int error = code ? vmem_write_code_other(item->pid, at, data, size) : vmem_write_other(item->pid, at, data, size);
    if (error) {
        char text[128];
        bool gone = !vmem_process_alive(item->pid);
        errors_set(gone ? BUFFERS_ERROR_INVALID_ARGUMENT : BUFFERS_ERROR_PERMISSION, "%s: cannot write %zu bytes at %#llx in process %u%s: %s", what,
                   size, (unsigned long long)at, (unsigned)item->pid, gone ? " (no such process)" : "",
                   vmem_error_text(error, text, sizeof text));
        return 0;
    }
    atomic_store_explicit(entry->position, position + (uint32_t)size, memory_order_relaxed);
    return at;
}
