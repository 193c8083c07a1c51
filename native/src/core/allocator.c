#include "core/allocator.h"

#include <stdatomic.h>
#include <string.h>

#include "pure/address_range.h"
#include "core/errors.h"
#include "os/vmem_other.h"

enum { CANDIDATE_LIMIT = 16, PROBE_RINGS = 4 };

/* The best candidate start per free gap, keeping the CANDIDATE_LIMIT nearest the target. */
typedef struct candidate_search {
    uintptr_t min, max, target;
    size_t    size, granularity;
    bool      dual;        /* two views (vmem_reserve_dual_at); write gets the writable one */
    uintptr_t write;
    size_t    count;
    uintptr_t starts[CANDIDATE_LIMIT];
    uintptr_t distances[CANDIDATE_LIMIT];
} candidate_search;

static void keep_candidate(candidate_search *search, uintptr_t start) {
    uintptr_t distance = range_distance(start + search->size / 2, search->target);
    size_t at = search->count;
    while (at > 0 && search->distances[at - 1] > distance) at--;
    if (at >= CANDIDATE_LIMIT) return;
    if (at > 0 && search->starts[at - 1] == start) return;
    size_t last = search->count < CANDIDATE_LIMIT ? search->count : CANDIDATE_LIMIT - 1;
    memmove(&search->starts[at + 1], &search->starts[at], (last - at) * sizeof(uintptr_t));
    memmove(&search->distances[at + 1], &search->distances[at], (last - at) * sizeof(uintptr_t));
    search->starts[at] = start;
    search->distances[at] = distance;
    if (search->count < CANDIDATE_LIMIT) search->count++;
}

static bool on_free_gap(uintptr_t start, uintptr_t end, void *context) {
    candidate_search *search = context;
    if (start > search->max) return true;
    uintptr_t candidate;
    if (range_best_start(start, end, search->min, search->max, search->size, search->granularity, search->target,
                         &candidate))
        keep_candidate(search, candidate);
    return false;
}

/* Set when any attempt ran out of memory or mappings: then the failure is OUT_OF_MEMORY, not a lack
 * of free address space. Per thread, reset by each allocator_reserve. */
static _Thread_local int out_of_memory;   /* the OS error saying so, or 0 */
/* Likewise when the system refused a mapping in this process (a policy): PERMISSION, never NO_SPACE. */
static _Thread_local int refused;

/* One reservation attempt; remembers the OS error. */
static bool try_reserve(candidate_search *search, uint32_t pid, uintptr_t address, int *last_error) {
    int error = search->dual ? vmem_reserve_dual_at(address, search->size, &search->write)
                             : vmem_reserve_at(pid, address, search->size);
    if (error == 0) return true;
    *last_error = error;
    if (vmem_error_is_out_of_memory(error)) out_of_memory = error;
    if (pid == 0 && vmem_error_kind_of(error) == VMEM_ERROR_DENIED) refused = error;   /* remote: the wing says why */
    return false;
}

/* The last reservation this process made: free space is often right next to it, so it is probed
 * before any memory map is read (consecutive buffers then cost one system call each). */
static _Atomic(uintptr_t) last_start, last_end;

static void remember(uintptr_t start, size_t size) {
    atomic_store_explicit(&last_start, start, memory_order_relaxed);
    atomic_store_explicit(&last_end, start + size, memory_order_relaxed);
}

/* Tries address if it is a valid start for the search. */
static bool probe_at(candidate_search *search, uintptr_t address, uintptr_t highest, uintptr_t *out,
                     int *last_error) {
    if (address < search->min || address > highest || (address & (search->granularity - 1))) return false;
    if (!try_reserve(search, 0, address, last_error)) return false;
    *out = address;
    return true;
}

/* Probes a few granule-aligned starts without reading any memory map: the middle of the range,
 * either side of the last reservation, then rings around the middle. */
static bool probe_near_target(candidate_search *search, uintptr_t *out, int *last_error) {
    uintptr_t center;
    if (!range_best_start(search->min, range_saturating_add(search->max, 1), search->min, search->max, search->size,
                          search->granularity, search->target, &center))
        return false;
    uintptr_t highest = range_round_down(search->max - (search->size - 1), search->granularity);
    uintptr_t previous_start = atomic_load_explicit(&last_start, memory_order_relaxed);
    uintptr_t previous_end = atomic_load_explicit(&last_end, memory_order_relaxed);
    if (probe_at(search, center, highest, out, last_error) ||
        (previous_end && probe_at(search, previous_end, highest, out, last_error)) ||
        (previous_start > search->size && probe_at(search, previous_start - search->size, highest, out, last_error)))
        return true;
    for (int ring = 1; ring <= PROBE_RINGS; ring++) {
        uintptr_t step = search->size;   /* rings at 1, 4, 16 and 64 buffer sizes */
        for (int k = 1; k < ring; k++) step = step > UINTPTR_MAX / 4 ? UINTPTR_MAX : step * 4;
        if ((step <= UINTPTR_MAX - center && probe_at(search, center + step, highest, out, last_error)) ||
            (step <= center && probe_at(search, center - step, highest, out, last_error)))
            return true;
    }
    return false;
}

static _Atomic(unsigned long) walks;

unsigned long allocator_walk_count(void) {
    return atomic_load_explicit(&walks, memory_order_relaxed);
}

/* Walks the free gaps in the given mode and tries the candidates nearest the target. */
static bool walk_and_reserve(candidate_search *search, uint32_t pid, vmem_walk_mode mode, uintptr_t *out,
                             int *last_error) {
    search->count = 0;
    atomic_fetch_add_explicit(&walks, 1, memory_order_relaxed);
    int error = vmem_walk_free(pid, search->min, search->max, mode, on_free_gap, search);
    if (error == VMEM_UNSUPPORTED) return false;
    if (error) *last_error = error;
    if (vmem_error_is_out_of_memory(error)) out_of_memory = error;
    for (size_t i = 0; i < search->count; i++) {
        if (try_reserve(search, pid, search->starts[i], last_error)) {
            *out = search->starts[i];
            return true;
        }
    }
    return false;
}

/* Another process: that it exists and that the OS lets us change its memory, before any search. */
static buffers_status check_other_process(uint32_t pid) {
    char why[384];
    if (!vmem_supports_other_processes())
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "memory in another process (pid %u) cannot be allocated by "
                          "this build (Windows, and Linux on x86-64 and aarch64, can)", (unsigned)pid);
    switch (vmem_check_other_process(pid, why, sizeof why)) {
    case VMEM_PROCESS_ACCESSIBLE: return BUFFERS_OK;
    case VMEM_PROCESS_MISSING:
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "target_process_id %u: %s", (unsigned)pid, why);
    case VMEM_PROCESS_DENIED:
        return errors_set(BUFFERS_ERROR_PERMISSION, "target_process_id %u: %s", (unsigned)pid, why);
    default:
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "memory in another process (pid %u): %s", (unsigned)pid, why);
    }
}

static buffers_status reserve(const buffers_allocator_settings *settings, bool dual, allocator_result *out) {
    uint32_t pid = settings->target_process_id;
    if (pid == vmem_current_process_id()) pid = 0;
    buffers_status access = pid == 0 ? BUFFERS_OK : check_other_process(pid);
    if (access != BUFFERS_OK) return access;
    candidate_search search;
    memset(&search, 0, sizeof search);
    search.dual = dual;
    search.granularity = vmem_allocation_granularity();
    uintptr_t rounded;
    if (!range_round_up(settings->size, search.granularity, &rounded) || rounded > UINT32_MAX)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "size %u rounded up to the allocation granularity (%zu) "
                          "does not fit 32 bits", (unsigned)settings->size, search.granularity);
    search.size = rounded;
    search.min = settings->min_address > vmem_min_address() ? settings->min_address : vmem_min_address();
    search.max = settings->max_address < vmem_max_address() ? settings->max_address : vmem_max_address();
    if (search.min > search.max || search.max - search.min < search.size - 1)
        return errors_set(BUFFERS_ERROR_NO_SPACE, "%zu bytes cannot fit in [%#llx, %#llx]: the range this process "
                          "may map is [%#llx, %#llx]", search.size, (unsigned long long)settings->min_address,
                          (unsigned long long)settings->max_address, (unsigned long long)vmem_min_address(),
                          (unsigned long long)vmem_max_address());
    search.target = range_midpoint(search.min, search.max);

    int last_error = 0;
    uintptr_t base = 0;
    out_of_memory = 0;
    refused = 0;
    bool done = false;
    for (int32_t attempt = 0; attempt < settings->retry_count && !done; attempt++) {
        done = (pid == 0 && attempt == 0 && probe_near_target(&search, &base, &last_error)) ||
               walk_and_reserve(&search, pid, VMEM_WALK_REGIONS, &base, &last_error) ||
               (settings->brute_force && walk_and_reserve(&search, pid, VMEM_WALK_EVERY_GRANULE, &base, &last_error));
    }
    if (!done) {
        char text[128];
        if (refused)
            return errors_set(BUFFERS_ERROR_PERMISSION, "the system refused to map %zu bytes %s inside [%#llx, %#llx] "
                              "(%s): a policy such as SELinux execmem, PaX MPROTECT, a seccomp filter or a hardened "
                              "runtime forbids it; buffers_use_write_xor_execute() or BUFFERS_WRITE_XOR_EXECUTE=1 "
                              "avoids such mappings", search.size, dual ? "as two views" : "writable and executable",
                              (unsigned long long)settings->min_address, (unsigned long long)settings->max_address,
                              vmem_error_text(refused, text, sizeof text));
        if (out_of_memory)
            return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "the system is out of memory or mappings for %zu bytes "
                              "inside [%#llx, %#llx] (last OS error: %s)", search.size,
                              (unsigned long long)settings->min_address, (unsigned long long)settings->max_address,
                              vmem_error_text(out_of_memory, text, sizeof text));
        return errors_set(BUFFERS_ERROR_NO_SPACE, "no free %zu bytes inside [%#llx, %#llx] after %d searches "
                          "(last OS error: %s)", search.size, (unsigned long long)settings->min_address,
                          (unsigned long long)settings->max_address, (int)settings->retry_count,
                          last_error ? vmem_error_text(last_error, text, sizeof text) : "none");
    }
    if (pid == 0) remember(base, search.size);
    out->base_address = base;
    out->size = search.size;
    out->process_id = pid;
    out->write_address = dual ? search.write : base;
    return BUFFERS_OK;
}

buffers_status allocator_reserve(const buffers_allocator_settings *settings, allocator_result *out) {
    return reserve(settings, false, out);
}

buffers_status allocator_reserve_dual(const buffers_allocator_settings *settings, allocator_result *out) {
    if (settings->target_process_id && settings->target_process_id != vmem_current_process_id())
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "write-xor-execute buffers are made in this process only");
    return reserve(settings, true, out);
}

buffers_allocator_settings allocator_settings_default(void) {
    buffers_allocator_settings settings = {0, vmem_max_address(), ALLOCATOR_DEFAULT_SIZE, 0, ALLOCATOR_DEFAULT_RETRIES, true};
    return settings;
}
