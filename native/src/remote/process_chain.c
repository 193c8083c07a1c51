#include "remote/process_chain.h"

#include <stdlib.h>

/* The next address recorded in c's locator: read through our view, or from the target's memory. */
static uintptr_t next_address(uint32_t pid, const chain_cursor *c) {
    if (c->view) return atomic_load_explicit(&c->view->header.next_locator, memory_order_acquire);
    uintptr_t next = 0;
    if (vmem_read_other(pid, c->remote + offsetof(locator_header, next_locator), &next, sizeof next) != 0) return 0;
    return next;
}

/* A link for the locator at next in pid, chained after the one at previous: mapped from its shared
 * object when the target has one there, else without a view. NULL only when out of memory. */
static chain_link *link_open(uint32_t pid, uintptr_t previous, uintptr_t next) {
    chain_link *link = calloc(1, sizeof *link);
    if (!link) return NULL;
    link->remote = next;
    char name[LOCATOR_NAME_MAX];
    uintptr_t recorded = 0;
    if (locator_further_name(name, sizeof name, pid, previous) &&
        vmem_shared_open_other(pid, name, LOCATOR_SIZE, &link->mapping, &recorded) == 0) {
        locator *view = (locator *)link->mapping.address;
        /* An object under that name that is not this locator (the target fell back to private
         * memory because the name was somebody else's) is left alone. */
        if (recorded == next && view->header.this_address == next &&
            (view->header.flags & LOCATOR_VERSION_MASK) == LOCATOR_VERSION)
            link->view = view;
        else
            vmem_shared_close_other(&link->mapping);
    }
    return link;
}

static void link_close(chain_link *link) {
    if (link->view) vmem_shared_close_other(&link->mapping);
    free(link);
}

bool chain_advance(uint32_t pid, chain_cursor *c) {
    if (c->index + 1 >= CHAIN_WALK_LIMIT) return false;
    chain_link *link = atomic_load_explicit(c->next, memory_order_acquire);
    if (!link) {
        uintptr_t next = next_address(pid, c);
        if (!next || !(link = link_open(pid, c->remote, next))) return false;
        chain_link *expected = NULL;
        if (!atomic_compare_exchange_strong_explicit(c->next, &expected, link, memory_order_acq_rel,
                                                     memory_order_acquire)) {
            link_close(link);   /* another thread got there first: use its link */
            link = expected;
        }
    }
    c->view = link->view;
    c->remote = link->remote;
    c->items = link->items;
    c->next = &link->next;
    c->index++;
    return true;
}

void chain_free(chain_link *head) {
    while (head) {
        chain_link *next = atomic_load_explicit(&head->next, memory_order_relaxed);
        link_close(head);
        head = next;
    }
}
