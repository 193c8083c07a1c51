/* buffers_process_open / _close / _get_buffer: buffers of another process that loaded this library
 * (remote/process_buffers.h has the handle scheme; docs/external.md the rules). The target's first locator
 * is mapped here at open; a get walks its whole chain (remote/process_chain.h), locking and registering in
 * every locator that is a shared object, and only reading those the target keeps in private memory. */
#include "remote/process_buffers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/allocator.h"
#include "core/chain.h"
#include "core/checks.h"
#include "core/locator_finder.h"
#include "remote/process_chain.h"
#include "os/vmem.h"

enum { LAYOUT_UNSETTLED = -1 };

typedef struct process_state {
    vmem_shared  mapping;          /* our view of the target's locator file */
    locator     *view;             /* == mapping.address */
    uintptr_t    remote_first;     /* where the target maps it */
    _Atomic(int) layout;           /* locator_layout, or LAYOUT_UNSETTLED while the locator is empty */
    remote_item  items[LOCATOR_MAX_ITEMS];   /* handle of item i of the first locator */
    _Atomic(chain_link *) further; /* the further locators walks have reached, in chain order */
    remote_target target;          /* tells the target from a later process or program */
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
 * the target), before the file's setup lock is let go; its library adopts it when it starts. Our
 * view then goes: the caller maps the file again as one found there, with the descriptor that
 * tells a truncation (vmem_shared_check_other). */
static int create_locator(uint32_t pid, const char *name, process_state *state) {
    int error = vmem_shared_create_in_other(pid, name, LOCATOR_SIZE, &state->mapping, &state->remote_first);
    if (error) return error;
    locator_initialize_in((locator *)state->mapping.address, state->remote_first, LOCATOR_SIZE, false,
                          LOCATOR_LAYOUT_DOCUMENT);
    vmem_shared_close(&state->mapping, true);   /* drops the setup lock */
    vmem_shared_close_other(&state->mapping);
    return 0;
}

/* The status an OS error of creating a locator in the target stands for; other errors are fallback. */
static buffers_status status_of_creation_error(int error, buffers_status fallback) {
    vmem_error_kind kind = vmem_error_kind_of(error);
    return error == VMEM_UNSUPPORTED           ? BUFFERS_ERROR_UNSUPPORTED
           : kind == VMEM_ERROR_DENIED         ? BUFFERS_ERROR_PERMISSION
           : kind == VMEM_ERROR_NO_PROCESS     ? BUFFERS_ERROR_INVALID_ARGUMENT
                                               : fallback;
}

/* found: why the files found there were not used ("" when none was found). */
static buffers_status refuse_locator(uint32_t pid, int error, const char *where, const char *found) {
    char text[128];
    if (error == VMEM_UNSUPPORTED) return errors_set(BUFFERS_ERROR_UNSUPPORTED, "process %u: %s", (unsigned)pid, where);
    if (vmem_error_kind_of(error) == VMEM_ERROR_NO_PROCESS)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "no such process: %u (%s)", (unsigned)pid, where);
    if (*found)
        return errors_set(status_of_creation_error(error, BUFFERS_ERROR_LOCATOR), "%s; and no locator can be made for "
                          "process %u: %s (%s)", found, (unsigned)pid, where, vmem_error_text(error, text, sizeof text));
    return errors_set(status_of_creation_error(error, BUFFERS_ERROR_LOCATOR),
                      "process %u has no locator and one cannot be made for it: %s (%s)", (unsigned)pid, where,
                      vmem_error_text(error, text, sizeof text));
}

/* Maps the locator file pid uses into state; on failure state->mapping.where says why. */
static int open_found(uint32_t pid, const char *name, process_state *state) {
    return vmem_shared_open_other(pid, name, LOCATOR_SIZE, &state->mapping, &state->remote_first);
}

static buffers_status map_locator(uint32_t pid, process_state *state) {
    char name[LOCATOR_NAME_MAX];
    (void)locator_first_name(name, sizeof name, pid);   /* a pid always fits */
    static _Thread_local char found[sizeof state->mapping.where];   /* large */
    found[0] = '\0';
    int error = open_found(pid, name, state);
    vmem_error_kind kind = vmem_error_kind_of(error);
    if (kind == VMEM_ERROR_NOT_FOUND || kind == VMEM_ERROR_DENIED) {   /* none, or only another user's file:
                                                                          its library would make one */
        if (kind == VMEM_ERROR_DENIED) snprintf(found, sizeof found, "%s", state->mapping.where);
        error = create_locator(pid, name, state);
        if (!error) error = open_found(pid, name, state);
        else if (vmem_error_kind_of(error) == VMEM_ERROR_EXISTS) {   /* in use: perhaps made meanwhile by the target's library or another opener */
            static _Thread_local vmem_shared made;   /* large; its where is kept only on success */
            uintptr_t recorded;
            if (vmem_shared_open_other(pid, name, LOCATOR_SIZE, &made, &recorded) == 0) {
                state->mapping = made;
                state->remote_first = recorded;
                error = 0;
            }
        }
    }
    if (error) return refuse_locator(pid, error, state->mapping.where, found);
    state->view = (locator *)state->mapping.address;
    unsigned version;
    bool readable = locator_version_readable(state->view, &version);
    if (state->view->header.this_address != state->remote_first || !readable) {
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
    state->target.pid = pid;
    if (vmem_process_watch_open(pid, &state->target.watch) != 0) {
        free(process);
        free(state);
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "no such process: %u", (unsigned)pid);
    }
    if ((status = map_locator(pid, state)) != BUFFERS_OK) {
        vmem_process_watch_close(&state->target.watch);
        free(process);
        free(state);
        return status;
    }
    state->target.watch.anchor = state->remote_first;
    atomic_init(&state->target.changed, false);
    atomic_init(&state->layout, LAYOUT_UNSETTLED);
    process->pid = pid;
    process->state = state;
    *out = process;
    return BUFFERS_OK;
}

void buffers_process_close(buffers_process *process) {
    if (!process || !process->state) return;
    vmem_shared_close_other(&process->state->mapping);
    chain_free(atomic_load_explicit(&process->state->further, memory_order_acquire));
    vmem_process_watch_close(&process->state->target.watch);
    free(process->state);
    process->state = NULL;
    buffers_process *head = atomic_load_explicit(&closed_handles, memory_order_relaxed);
    do process->next_closed = head;
    while (!atomic_compare_exchange_weak_explicit(&closed_handles, &head, process, memory_order_release,
                                                  memory_order_relaxed));
}

/* A walk from the target's first locator. */
static chain_cursor chain_start(process_state *state) {
    chain_cursor c = {{state->view, state->remote_first, 0, false}, &state->mapping, state->items, &state->further};
    return c;
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
    chain_cursor first = chain_start(state);
    chain_walk walk = chain_walk_of(process->pid);
    if (!chain_view_intact(&walk, &first.step)) return BUFFERS_ERROR_LOCATOR;
    char which[48];
    snprintf(which, sizeof which, "the locator of process %u", (unsigned)process->pid);
    buffers_status status = chain_settle_layout(state->view, LOCATOR_LAYOUT_DOCUMENT, which, out);
    if (status != BUFFERS_OK) return status;
    atomic_store_explicit(&state->layout, (int)*out, memory_order_release);
    return BUFFERS_OK;
}

/* Fills the handle of item n of c's locator (locked by the caller, so no other thread writes it now). */
static remote_item *bind(buffers_process *process, locator_layout layout, const chain_cursor *c, uint32_t n) {
    locator_item *item = &c->step.view->items[n];
    item_view view = item_read(item, layout);
    remote_item *handle = &c->items[n];
    handle->entry.base = view.base;
    handle->entry.last = view.base + (view.size - 1);
    handle->entry.size = 0;
    handle->entry.taken = item_field(item, layout, ITEM_TAKEN);
    handle->entry.position = item_field(item, layout, ITEM_POSITION);
    handle->entry.item = NULL;
    handle->size = view.size;
    handle->position = atomic_load_explicit(handle->entry.position, memory_order_relaxed);
    atomic_store_explicit(&handle->held, true, memory_order_relaxed);
    handle->magic = REMOTE_ITEM_MAGIC;
    handle->target = &process->state->target;
    handle->mapping = c->mapping;
    return handle;
}

/* The first fitting free item in the locators of the chain that are lockable from here, locked, in
 * *out (NULL when none has one). BUFFERS_ERROR_LOCATOR when the walk met a locator it may not touch. */
static buffers_status find_in_chain(buffers_process *process, locator_layout layout, uint32_t need, uintptr_t min,
                                    uintptr_t max, remote_item **out) {
    chain_walk walk = chain_walk_of(process->pid);
    chain_cursor c = chain_start(process->state);
    locator_item *item;
    buffers_status status = chain_find_locked(&walk, &c.step, layout, need, min, max, &item);
    *out = item ? bind(process, layout, &c, (uint32_t)(item - c.step.view->items)) : NULL;
    return status;
}

/* For the refusal's message: free buffers that would fit in the locators that cannot be locked from
 * here (read with vmem_read_other), and how many of those locators there are. */
static uint32_t count_unlockable(buffers_process *process, locator_layout layout, uint32_t need, uintptr_t min,
                                 uintptr_t max, uint32_t *locators) {
    static _Thread_local locator copy;
    uint32_t fitting = 0;
    *locators = 0;
    chain_walk walk = chain_walk_of(process->pid);
    chain_cursor c = chain_start(process->state);
    do {
        if (c.step.view || vmem_read_other(process->pid, c.step.address, &copy, sizeof copy) != 0) continue;
        ++*locators;
        uint32_t count = locator_item_count(&copy);
        for (uint32_t n = 0; n < count; n++) {
            item_view seen = item_read(&copy.items[n], layout);
            if (!seen.taken && item_view_can_use(&seen, need, min, max)) fitting++;
        }
    } while (chain_advance(&walk, &c.step));
    return fitting;
}

/* The refusal when the chain cannot be extended from here: its last locator is in the target's
 * private memory (no header lock to take), with what the walk could not lock. */
static buffers_status refuse_private_tail(buffers_process *process, locator_layout layout, uint32_t need,
                                          uintptr_t min, uintptr_t max, const chain_cursor *tail) {
    uint32_t private_locators, fitting = count_unlockable(process, layout, need, min, max, &private_locators);
    return errors_set(BUFFERS_ERROR_NO_SPACE, "every locator of process %u that can be locked from outside is full "
                      "(%u locator(s) in its chain, %u of them in its private memory, where %u free buffer(s) would "
                      "fit but cannot be locked from outside), and its last locator is in its private memory, so no "
                      "further locator can be chained to it from outside", (unsigned)process->pid,
                      (unsigned)tail->step.index + 1, (unsigned)private_locators, (unsigned)fitting);
}

static buffers_status refuse_extension(uint32_t pid, int error, const char *where) {
    char text[128];
    return errors_set(status_of_creation_error(error, BUFFERS_ERROR_NO_SPACE), "every locator of process %u is full, and a further one cannot be made for it: %s (%s)",
                      (unsigned)pid, where, vmem_error_text(error, text, sizeof text));
}

/* How a further locator is made for the target (chain_extend), as its own library would: created and
 * mapped there by the OS layer under the name chain_extend gives, and written through our view
 * (recording the target's address). made is our view of it, closed once published (close_made). */
typedef struct target_maker {
    uint32_t        pid;
    bool            made_open;
    vmem_shared     made;
    vmem_kept_lock *kept;   /* the tail's header lock, while a keeper holds it for us */
} target_maker;

/* A further locator under name that the target maps, whole (its first word its address there) and
 * empty, while the tail it would follow has none: made by a writer that ended before it linked it
 * (docs/external.md, "A writer that dies"). Nobody else can be linking it (the tail's lock is ours),
 * so it is linked now instead of blocking the chain. */
static bool adopt_unlinked(target_maker *maker, const char *name, size_t block, uintptr_t *address) {
    static _Thread_local char refusal[sizeof maker->made.where];   /* the creation's, kept for the error */
    memcpy(refusal, maker->made.where, sizeof refusal);
    if (vmem_shared_open_other(maker->pid, name, block, &maker->made, address) != 0) {
        memcpy(maker->made.where, refusal, sizeof refusal);
        return false;
    }
    char why[256];
    const locator *loc = (const locator *)maker->made.address;
    unsigned version;
    if (vmem_shared_check_other(&maker->made, why, sizeof why) == 0 && locator_version_readable(loc, &version) &&
        locator_item_count(loc) == 0 && !locator_next(loc) &&
        atomic_load_explicit(&loc->header.lock, memory_order_relaxed) == 0) {
        maker->made_open = true;
        return true;
    }
    vmem_shared_close_other(&maker->made);
    memcpy(maker->made.where, refusal, sizeof refusal);
    return false;
}

static buffers_status make_in_target(void *context, const char *name, size_t block, locator_layout layout,
                                     uintptr_t *address) {
    target_maker *maker = context;
    maker->made.where[0] = '\0';
    int error = vmem_shared_create_in_other(maker->pid, name, block, &maker->made, address);
    if (vmem_error_kind_of(error) == VMEM_ERROR_EXISTS && adopt_unlinked(maker, name, block, address))
        return BUFFERS_OK;
    if (error) return refuse_extension(maker->pid, error, maker->made.where);
    locator_initialize_in((locator *)maker->made.address, *address, block, false, layout);
    vmem_shared_close(&maker->made, true);   /* drops the setup lock; our view stays until it is published */
    maker->made_open = true;
    return BUFFERS_OK;
}

static void close_made(void *context) {
    target_maker *maker = context;
    if (maker->made_open) vmem_shared_close_other(&maker->made);
    maker->made_open = false;
}

/* The tail's header lock, which the target's library and every other writer wait on, is held across
 * the sessions that make the further locator: it is taken by a keeper that lets it go should this
 * process end before the unlock (vmem_kept_lock; docs/external.md, "A writer killed holding a header
 * lock"). Where no keeper can be had, taken here as the target's library takes it. */
static buffers_status lock_tail(void *context, locator *tail) {
    target_maker *maker = context;
    maker->kept = NULL;
    int error = vmem_kept_lock_take(&tail->header.lock, &maker->kept);
    if (error == VMEM_UNSUPPORTED) locator_lock(tail);
    else if (error) {
        char text[128];
        return errors_set(BUFFERS_ERROR_NO_SPACE, "every locator of process %u is full, and the header lock of its "
                          "last one could not be taken through a keeper process: %s", (unsigned)maker->pid,
                          vmem_error_text(error, text, sizeof text));
    }
    return BUFFERS_OK;
}

static void unlock_tail(void *context, locator *tail) {
    target_maker *maker = context;
    if (maker->kept) vmem_kept_lock_release(maker->kept);
    else locator_unlock(tail);
    maker->kept = NULL;
}

/* A new buffer reserved in the target and registered, locked, in its chain (chain_register_in),
 * extended if full under the tail's header lock, the lock the target's library extends its chain
 * under; a new locator is mapped here from its file when the walk reaches it. */
static buffers_status make_remote(buffers_process *process, locator_layout layout, uint32_t need, uintptr_t min,
                                  uintptr_t max, remote_item **out) {
    buffers_allocator_settings request = allocator_settings_default();
    request.min_address = min;
    request.max_address = max;
    request.size = need;
    request.target_process_id = process->pid;
    allocator_result reserved;
    buffers_status status = allocator_reserve(&request, &reserved);
    if (status != BUFFERS_OK) return status;
    static _Thread_local target_maker made;   /* large */
    made.pid = process->pid;
    made.made_open = false;
    chain_maker maker = {make_in_target, close_made, &made, lock_tail, unlock_tail};
    chain_walk walk = chain_walk_of(process->pid);
    chain_cursor c = chain_start(process->state);
    locator_item *item;
    status = chain_register_in(&walk, &c.step, layout, reserved.base_address, (uint32_t)reserved.size, &maker, &item);
    if (status == BUFFERS_OK && !item) status = refuse_private_tail(process, layout, need, min, max, &c);
    if (status == BUFFERS_OK) {
        *out = bind(process, layout, &c, (uint32_t)(item - c.step.view->items));
        return BUFFERS_OK;
    }
    vmem_release(process->pid, reserved.base_address, reserved.size);
    return status;
}

/* True while the handle's target is the process and program it opened (remote_target): its first
 * locator's first word, read through the watch, still holds its address. Once false, always false. */
static bool target_unchanged(remote_target *target) {
    uintptr_t word = 0;
    if (atomic_load_explicit(&target->changed, memory_order_relaxed)) return false;
    if (vmem_process_watch_read(&target->watch, target->watch.anchor, &word, sizeof word) == 0 &&
        word == target->watch.anchor)
        return true;
    atomic_store_explicit(&target->changed, true, memory_order_relaxed);
    return false;
}

/* The target of a handle has ended or exec'd: never written again. */
static buffers_status refuse_changed(const remote_target *target, const char *what) {
    return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: process %u has exited or replaced its program since it was "
                      "opened (its pid may name another process by now); this handle never writes into another "
                      "process or program", what, (unsigned)target->pid);
}

buffers_status buffers_process_get_buffer(buffers_process *process, const buffers_search_settings *settings,
                                          buffers_item **out_item) {
    if (!process || !settings || !out_item)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "process_get_buffer: %s is null",
                          !process ? "process" : !settings ? "settings" : "out_item");
    if (!process->state)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "process_get_buffer: the handle of process %u is closed",
                          (unsigned)process->pid);
    /* No system call here: a get touches only our view, and every write goes through the watch, which
     * reaches no other process or program; a target found changed by any call is refused from then on,
     * and one is looked at before a buffer is made in it (docs/external.md, "PID reuse and exec"). */
    if (atomic_load_explicit(&process->state->target.changed, memory_order_relaxed))
        return refuse_changed(&process->state->target, "process_get_buffer");
    uintptr_t min = settings->min_address, max = settings->max_address;
    buffers_status status = check_range(min, max, settings->size);
    locator_layout layout = LOCATOR_LAYOUT_DOCUMENT;   /* set by settle_layout before any use */
    if (status == BUFFERS_OK) status = settle_layout(process, &layout);
    if (status != BUFFERS_OK) return status;
    remote_item *found = NULL;
    status = find_in_chain(process, layout, settings->size, min, max, &found);
    if (status == BUFFERS_OK && !found && !target_unchanged(&process->state->target))
        return refuse_changed(&process->state->target, "process_get_buffer");
    if (status == BUFFERS_OK && !found) {
        /* Reserved and registered as one step: a caller ending between the two leaves no buffer there
         * that no locator knows (docs/external.md, "A writer that dies"). */
        vmem_hold_other(process->pid);
        status = make_remote(process, layout, settings->size, min, max, &found);
        vmem_unhold_other(process->pid);
    }
    if (status != BUFFERS_OK) {
        errors_append("while getting a buffer of %u bytes in [%#llx, %#llx] in process %u", (unsigned)settings->size,
                      (unsigned long long)min, (unsigned long long)max, (unsigned)process->pid);
        return status;
    }
    *out_item = (buffers_item *)&found->entry;
    return BUFFERS_OK;
}

/* False (the error set) when the file holding the item's words was truncated under our view. */
static bool item_words_intact(const remote_item *item, const char *what) {
    char why[256];
    if (vmem_shared_check_other(item->mapping, why, sizeof why) == 0) return true;
    errors_set(BUFFERS_ERROR_LOCATOR, "%s: the buffer at %#llx of process %u cannot be used: %s", what,
               (unsigned long long)item->entry.base, (unsigned)item->target->pid, why);
    return false;
}

/* The item's position: ours while it is held, else the shared word (touched only after a check). */
static uint32_t position_of(const remote_item *item) {
    return atomic_load_explicit(&item->held, memory_order_relaxed)
               ? item->position
               : atomic_load_explicit(item->entry.position, memory_order_relaxed);
}

uint32_t remote_item_position(const index_entry *entry) {
    const remote_item *item = (const remote_item *)entry;
    return item_words_intact(item, "position") ? position_of(item) : 0;
}

uint32_t remote_item_left(const index_entry *entry) {
    const remote_item *item = (const remote_item *)entry;
    if (!item_words_intact(item, "bytes_left")) return 0;
    uint32_t position = position_of(item);
    return position >= item->size ? 0 : item->size - position;
}

void remote_item_release(index_entry *entry) {
    remote_item *item = (remote_item *)entry;
    if (!atomic_load_explicit(&item->held, memory_order_relaxed)) return;
    atomic_store_explicit(&item->held, false, memory_order_relaxed);
    if (!item_words_intact(item, "release")) return;
    atomic_store_explicit(entry->position, item->position, memory_order_relaxed);
    atomic_store_explicit(entry->taken, 0, memory_order_release);
}

uintptr_t remote_item_append(index_entry *entry, const void *data, size_t size, bool code, const char *what) {
    remote_item *item = (remote_item *)entry;
    remote_target *target = item->target;
    uint32_t position = item->position;
    if (!data && size) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: data is null", what);
        return 0;
    }
    if (!atomic_load_explicit(&item->held, memory_order_relaxed)) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: the item is not locked (already released?)", what);
        return 0;
    }
    if (position > item->size || size > item->size - position) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: %zu bytes do not fit, %u left in the buffer at %#llx of "
                   "process %u", what, size, position > item->size ? 0u : (unsigned)(item->size - position),
                   (unsigned long long)entry->base, (unsigned)target->pid);
        return 0;
    }
    uintptr_t at = entry->base + position;
    int error = atomic_load_explicit(&target->changed, memory_order_relaxed)
                    ? VMEM_PROCESS_CHANGED
                    : vmem_process_watch_write(&target->watch, at, data, size, code);
    if (error == VMEM_PROCESS_CHANGED) {
        atomic_store_explicit(&target->changed, true, memory_order_relaxed);
        refuse_changed(target, what);
        return 0;
    }
    if (error) {
        char text[128];
        errors_set(BUFFERS_ERROR_PERMISSION, "%s: cannot write %zu bytes at %#llx in process %u: %s", what, size,
                   (unsigned long long)at, (unsigned)target->pid, vmem_error_text(error, text, sizeof text));
        return 0;
    }
    item->position = position + (uint32_t)size;
    return at;
}
