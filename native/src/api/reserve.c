/* Reserve, fill, commit: a held item's next bytes handed to the caller to write later, the last
 * reservation given back while the item is still held, and code made executable after filling. */
#include <reloaded/buffers.h>

#include "api/reservations.h"
#include "core/checks.h"
#include "core/engine.h"
#include "remote/process_buffers.h"
#include "os/vmem.h"

reservation reservations[RESERVATION_SLOTS];
_Atomic(uint32_t) reservations_held;

static reservation *find(const index_entry *entry) {
    for (uint32_t probe = 0; probe < RESERVATION_PROBES; probe++) {
        reservation *slot = &reservations[reservation_slot(entry, probe)];
        if (atomic_load_explicit(&slot->entry, memory_order_acquire) == entry) return slot;
    }
    return NULL;
}

/* Records the holder's last reservation of entry (replacing its earlier one); false when every
 * slot it may use holds another item's record (unreserve then refuses, which is always safe). Only
 * the holder writes entry's records, so finding and claiming cannot race for the same entry. */
static bool note(index_entry *entry, uintptr_t address, uint32_t start, uint32_t end) {
    reservation *slot = find(entry);
    for (uint32_t probe = 0; !slot && probe < RESERVATION_PROBES; probe++) {
        reservation *candidate = &reservations[reservation_slot(entry, probe)];
        index_entry *expected = NULL;
        if (atomic_compare_exchange_strong_explicit(&candidate->entry, &expected, entry, memory_order_acq_rel,
                                                    memory_order_relaxed)) {
            atomic_fetch_add_explicit(&reservations_held, 1, memory_order_relaxed);
            slot = candidate;
        }
    }
    if (!slot) return false;
    slot->address = address;
    slot->start = start;
    slot->end = end;
    return true;
}

/* The refusals shared by reserve and unreserve: a missing, remote or released item. */
static buffers_status check_held(const index_entry *entry, const char *what) {
    if (!entry) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: item is null", what);
    if (remote_item_is(entry))
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "%s: the item lives in another process; reserve, fill and "
                          "commit work on this process's buffers only (append whole code to remote items)", what);
    if (!atomic_load_explicit(entry->taken, memory_order_relaxed))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: the item is not locked (already released?)", what);
    return BUFFERS_OK;
}

buffers_status buffers_item_reserve(buffers_item *item, size_t size, uintptr_t *out_address, void **out_writable) {
    index_entry *entry = (index_entry *)item;
    buffers_status status = check_held(entry, "reserve");
    if (status != BUFFERS_OK) return status;
    if (!out_address || !out_writable)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "reserve: %s is null", out_address ? "out_writable" : "out_address");
    uint32_t position = atomic_load_explicit(entry->position, memory_order_relaxed);
    uint32_t left = index_entry_left(entry);
    if (size == 0 || size > left)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "reserve: %zu bytes is not from 1 to the %u left in the buffer "
                          "at %#llx", size, (unsigned)left, (unsigned long long)entry->base);
    uintptr_t at = entry->base + position;
    note(entry, at, position, position + (uint32_t)size);
    /* Where pages cannot be writable and executable at once, the caller writes while they are
     * writable; buffers_commit_code turns them back. */
    if (engine_flips())
        vmem_protect(at, size, VMEM_READ_WRITE);
    atomic_store_explicit(entry->position, position + (uint32_t)size, memory_order_relaxed);
    /* Its release must forget the reservation: no inline release for the rest of this hold. */
    if (atomic_load_explicit(&entry->held, memory_order_relaxed) == ENGINE_HELD_INLINE)
        atomic_store_explicit(&entry->held, ENGINE_HELD_CALL, memory_order_relaxed);
    *out_address = at;
    *out_writable = (void *)(at + (uintptr_t)entry->write_delta);
    return BUFFERS_OK;
}

buffers_status buffers_item_unreserve(buffers_item *item, uintptr_t address) {
    index_entry *entry = (index_entry *)item;
    buffers_status status = check_held(entry, "unreserve");
    if (status != BUFFERS_OK) return status;
    reservation *last = find(entry);
    if (!last || last->address != address)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "unreserve: %#llx is not the last reservation of this hold of "
                          "the buffer at %#llx (only the last one, before release, can be given back)",
                          (unsigned long long)address, (unsigned long long)entry->base);
    uint32_t position = atomic_load_explicit(entry->position, memory_order_relaxed);
    if (position != last->end)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "unreserve: %u bytes were appended after the reservation "
                          "at %#llx; it can no longer be given back", (unsigned)(position - last->end),
                          (unsigned long long)address);
    atomic_store_explicit(entry->position, last->start, memory_order_relaxed);
    reservation_free(last);
    return BUFFERS_OK;
}

buffers_status buffers_commit_code(uintptr_t address, size_t size) {
    if (size == 0 || address > UINTPTR_MAX - (size - 1))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "commit_code: %zu bytes at %#llx is not a range", size,
                          (unsigned long long)address);
    /* Only this process's verified entries count: the shared file's items are claims. */
    if (!engine_covering(address, size))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "commit_code: [%#llx, %#llx] is not inside one buffer this "
                          "process verified as its own", (unsigned long long)address, (unsigned long long)(address + (size - 1)));
    if (engine_flips())
        vmem_protect(address, size, VMEM_READ_EXECUTE);
    vmem_flush_instruction_cache(address, address + size);
    return BUFFERS_OK;
}
