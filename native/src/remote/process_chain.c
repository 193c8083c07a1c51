#include "remote/process_chain.h"

#include <stdlib.h>

#include "core/errors.h"

chain_walk chain_walk_of(uint32_t pid) {
    chain_walk walk = {pid, chain_view_intact, chain_advance};
    return walk;
}

bool chain_view_intact(const chain_walk *walk, chain_step *step) {
    const chain_cursor *c = (const chain_cursor *)step;
    char why[256];
    if (!step->view || vmem_shared_check_other(c->mapping, why, sizeof why) == 0) return true;
    errors_set(BUFFERS_ERROR_LOCATOR, "process %u: locator %u of its chain (at %#llx there) cannot be used: %s",
               (unsigned)walk->pid, (unsigned)step->index + 1, (unsigned long long)step->address, why);
    step->broken = true;
    return false;
}

/* The next address recorded in step's locator: read through our view, or from the target's memory. */
static uintptr_t next_address(const chain_walk *walk, chain_step *step) {
    if (step->view)
        return chain_view_intact(walk, step) ? atomic_load_explicit(&step->view->header.next_locator, memory_order_acquire) : 0;
    uintptr_t next = 0;
    if (vmem_read_other(walk->pid, step->address + offsetof(locator_header, next_locator), &next, sizeof next) != 0) return 0;
    return next;
}

/* A link for the locator at next in pid, chained after the one at previous: mapped from its shared
 * object when the target has one there, else without a view. NULL (the error set) when out of
 * memory, or when the target has a file for it that cannot be used (a truncated one: a view of it
 * would fault). */
static chain_link *link_open(uint32_t pid, uintptr_t previous, uintptr_t next) {
    chain_link *link = calloc(1, sizeof *link);
    if (!link) {
        errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "process %u: no memory to walk its locator chain", (unsigned)pid);
        return NULL;
    }
    link->remote = next;
    char name[LOCATOR_NAME_MAX];
    uintptr_t recorded = 0;
    bool named = locator_further_name(name, sizeof name, pid, previous);   /* a pid and an address always fit */
    int error = named ? vmem_shared_open_other(pid, name, LOCATOR_SIZE, &link->mapping, &recorded) : 0;
    if (named && error == 0) {
        locator *view = (locator *)link->mapping.address;
        unsigned version;
        /* An object under that name that is not this locator (the target fell back to private
         * memory because the name was somebody else's) is left alone. */
        if (recorded == next && view->header.this_address == next && locator_version_readable(view, &version))
            link->view = view;
        else
            vmem_shared_close_other(&link->mapping);
    } else if (error && vmem_error_kind_of(error) == VMEM_ERROR_OTHER) {
        char text[128];
        errors_set(BUFFERS_ERROR_LOCATOR, "process %u: the file of its further locator at %#llx cannot be used: %s (%s)",
                   (unsigned)pid, (unsigned long long)next, link->mapping.where, vmem_error_text(error, text, sizeof text));
        free(link);
        return NULL;
    }
    return link;
}

static void link_close(chain_link *link) {
    if (link->view) vmem_shared_close_other(&link->mapping);
    free(link);
}

bool chain_advance(const chain_walk *walk, chain_step *step) {
    chain_cursor *c = (chain_cursor *)step;
    if (step->index + 1 >= CHAIN_WALK_LIMIT) return false;
    chain_link *link = atomic_load_explicit(c->next, memory_order_acquire);
    if (!link) {
        uintptr_t next = next_address(walk, step);
        if (!next) return false;
        if (!(link = link_open(walk->pid, step->address, next))) {
            step->broken = true;
            return false;
        }
        chain_link *expected = NULL;
        if (!atomic_compare_exchange_strong_explicit(c->next, &expected, link, memory_order_acq_rel,
                                                     memory_order_acquire)) {
            link_close(link);   /* another thread got there first: use its link */
            link = expected;
        }
    }
    step->view = link->view;
    step->address = link->remote;
    step->index++;
    c->mapping = &link->mapping;
    c->items = link->items;
    c->next = &link->next;
    return true;
}

void chain_free(chain_link *head) {
    while (head) {
        chain_link *next = atomic_load_explicit(&head->next, memory_order_relaxed);
        link_close(head);
        head = next;
    }
}
