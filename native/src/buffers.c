/* The public API: argument checks, then the locator and the allocator. Every failure goes through
 * errors_set so buffers_last_error() says what happened. */
#include <reloaded/buffers.h>

#include <string.h>

#include "address_range.h"
#include "allocator.h"
#include "errors.h"
#include "locator.h"
#include "locator_finder.h"
#include "vmem.h"

#ifndef BUFFERS_VERSION_STRING
#define BUFFERS_VERSION_STRING "0.0.0"
#endif

enum { DEFAULT_SIZE = 4096, DEFAULT_RETRIES = 8, MAX_ALIGNMENT = 4096 };

const char *buffers_status_name(buffers_status status) {
    switch (status) {
    case BUFFERS_OK: return "BUFFERS_OK";
    case BUFFERS_ERROR_INVALID_ARGUMENT: return "BUFFERS_ERROR_INVALID_ARGUMENT";
    case BUFFERS_ERROR_NO_SPACE: return "BUFFERS_ERROR_NO_SPACE";
    case BUFFERS_ERROR_LOCATOR: return "BUFFERS_ERROR_LOCATOR";
    case BUFFERS_ERROR_UNSUPPORTED: return "BUFFERS_ERROR_UNSUPPORTED";
    case BUFFERS_ERROR_OUT_OF_MEMORY: return "BUFFERS_ERROR_OUT_OF_MEMORY";
    }
    return "BUFFERS_STATUS_UNKNOWN";
}

const char *buffers_last_error(void) {
    return errors_last();
}

const char *buffers_version(void) {
    return BUFFERS_VERSION_STRING;
}

uintptr_t buffers_max_address(void) {
    return vmem_max_address();
}

uint32_t buffers_allocation_granularity(void) {
    return vmem_allocation_granularity();
}

/* ---- settings ---- */

buffers_search_settings buffers_search_settings_default(void) {
    buffers_search_settings settings = {0, vmem_max_address(), DEFAULT_SIZE};
    return settings;
}

buffers_search_settings buffers_search_settings_from_proximity(size_t proximity, uintptr_t target, uint32_t size) {
    buffers_search_settings settings = {range_saturating_sub(target, proximity),
                                        range_saturating_add(target, proximity), size};
    return settings;
}

buffers_allocator_settings buffers_allocator_settings_default(void) {
    buffers_allocator_settings settings = {0, vmem_max_address(), DEFAULT_SIZE, 0, DEFAULT_RETRIES, true};
    return settings;
}

buffers_allocator_settings buffers_allocator_settings_from_proximity(size_t proximity, uintptr_t target,
                                                                     uint32_t size) {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    settings.min_address = range_saturating_sub(target, proximity);
    settings.max_address = range_saturating_add(target, proximity);
    settings.size = size;
    return settings;
}

static buffers_status check_range(uintptr_t min, uintptr_t max, uint32_t size) {
    if (min > max)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "min_address %#llx is above max_address %#llx",
                          (unsigned long long)min, (unsigned long long)max);
    if (size == 0) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "size is 0");
    return BUFFERS_OK;
}

/* ---- shared buffers ---- */

/* A new buffer for the request, registered in the locator and locked. */
static buffers_status make_buffer(locator *first, const buffers_search_settings *settings, locator_item **out) {
    buffers_allocator_settings request = buffers_allocator_settings_default();
    request.min_address = settings->min_address;
    request.max_address = settings->max_address;
    request.size = settings->size;
    allocator_result reserved;
    buffers_status status = allocator_reserve(&request, &reserved);
    if (status != BUFFERS_OK) return status;
    status = locator_register_locked(first, reserved.base_address, (uint32_t)reserved.size, out);
    if (status != BUFFERS_OK) vmem_release(0, reserved.base_address, reserved.size);
    return status;
}

buffers_status buffers_get_buffer(const buffers_search_settings *settings, buffers_item **out_item) {
    if (!settings || !out_item)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s is null", settings ? "out_item" : "settings");
    buffers_status status = check_range(settings->min_address, settings->max_address, settings->size);
    if (status != BUFFERS_OK) return status;
    locator *first;
    if ((status = finder_locator(&first)) != BUFFERS_OK) return status;
    locator_item *item = locator_find_locked(first, settings->size, settings->min_address, settings->max_address);
    if (!item && (status = make_buffer(first, settings, &item)) != BUFFERS_OK) {
        errors_append("while getting a buffer of %u bytes in [%#llx, %#llx]", (unsigned)settings->size,
                      (unsigned long long)settings->min_address, (unsigned long long)settings->max_address);
        return status;
    }
    *out_item = (buffers_item *)item;
    return BUFFERS_OK;
}

buffers_status buffers_get_buffer_aligned(const buffers_search_settings *settings, uint32_t alignment,
                                          buffers_item **out_item) {
    if (alignment == 0 || alignment > MAX_ALIGNMENT || (alignment & (alignment - 1)) != 0)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "alignment %u is not a power of two from 1 to %d",
                          (unsigned)alignment, MAX_ALIGNMENT);
    if (!settings || !out_item)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s is null", settings ? "out_item" : "settings");
    buffers_status status = check_range(settings->min_address, settings->max_address, settings->size);
    if (status != BUFFERS_OK) return status;
    if (settings->size > UINT32_MAX - (alignment - 1))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "size %u plus alignment %u does not fit 32 bits",
                          (unsigned)settings->size, (unsigned)alignment);
    /* Ask for the worst-case padding too, then skip to the aligned address. */
    buffers_search_settings padded = *settings;
    padded.size += alignment - 1;
    buffers_item *handle;
    if ((status = buffers_get_buffer(&padded, &handle)) != BUFFERS_OK) return status;
    locator_item *item = (locator_item *)handle;
    uint32_t position = atomic_load_explicit(&item->position, memory_order_relaxed);
    uintptr_t next = item_base_address(item) + position;
    uint32_t padding = (uint32_t)((alignment - (next & (alignment - 1))) & (alignment - 1));
    atomic_store_explicit(&item->position, position + padding, memory_order_relaxed);
    *out_item = handle;
    return BUFFERS_OK;
}

/* The address the next size bytes go to, or 0 (with the error recorded) if they may not. */
static uintptr_t reserve_in_item(buffers_item *handle, const void *data, size_t size, const char *what) {
    locator_item *item = (locator_item *)handle;
    if (!item) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: item is null", what);
        return 0;
    }
    if (!data && size) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: data is null", what);
        return 0;
    }
    if (!item_is_taken(item)) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: the item is not locked (already released?)", what);
        return 0;
    }
    uint32_t left = item_bytes_left(item);
    if (size > left) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: %zu bytes do not fit, %u left in the buffer at %#llx", what,
                   size, (unsigned)left, (unsigned long long)item_base_address(item));
        return 0;
    }
    return item_base_address(item) + atomic_load_explicit(&item->position, memory_order_relaxed);
}

static void advance(buffers_item *handle, size_t size) {
    locator_item *item = (locator_item *)handle;
    atomic_fetch_add_explicit(&item->position, (uint32_t)size, memory_order_relaxed);
}

/* memcpy into memory of this library, flipping protections where pages cannot be W and X at once. */
static void write_code_bytes(uintptr_t target, const void *source, size_t size) {
    if (size == 0) return;
    bool flip = vmem_write_xor_execute();
    if (flip) vmem_protect(target, size, VMEM_READ_WRITE);
    memcpy((void *)target, source, size);
    if (flip) vmem_protect(target, size, VMEM_READ_EXECUTE);
}

uintptr_t buffers_item_append(buffers_item *item, const void *data, size_t size) {
    uintptr_t at = reserve_in_item(item, data, size, "append");
    if (!at) return 0;
    write_code_bytes(at, data, size);
    advance(item, size);
    return at;
}

uintptr_t buffers_item_append_code(buffers_item *item, const void *code, size_t size) {
    uintptr_t at = reserve_in_item(item, code, size, "append_code");
    if (!at) return 0;
    write_code_bytes(at, code, size);
    vmem_flush_instruction_cache(at, at + size);
    advance(item, size);
    return at;
}

/* ---- one call ---- */

typedef uintptr_t (*append_fn)(buffers_item *item, const void *data, size_t size);

static buffers_status write_once(const buffers_search_settings *settings, const void *data, size_t size,
                                 uintptr_t *out_address, append_fn append, const char *what) {
    if (!settings || !data || !out_address)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: %s is null", what,
                          !settings ? "settings" : !data ? "data" : "out_address");
    if (size == 0 || size > UINT32_MAX)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: size %zu is not from 1 to %u", what, size,
                          (unsigned)UINT32_MAX);
    buffers_search_settings request = *settings;
    if (request.size < size) request.size = (uint32_t)size;
    buffers_item *item;
    buffers_status status = buffers_get_buffer(&request, &item);
    if (status != BUFFERS_OK) return status;
    uintptr_t at = append(item, data, size);
    buffers_item_release(item);
    if (!at) return BUFFERS_ERROR_INVALID_ARGUMENT;   /* cannot happen: the item was found with room */
    *out_address = at;
    return BUFFERS_OK;
}

buffers_status buffers_write(const buffers_search_settings *settings, const void *data, size_t size,
                             uintptr_t *out_address) {
    return write_once(settings, data, size, out_address, buffers_item_append, "write");
}

buffers_status buffers_write_code(const buffers_search_settings *settings, const void *code, size_t size,
                                  uintptr_t *out_address) {
    return write_once(settings, code, size, out_address, buffers_item_append_code, "write_code");
}

uintptr_t buffers_item_base_address(const buffers_item *item) {
    return item ? item_base_address((const locator_item *)item) : 0;
}

uint32_t buffers_item_size(const buffers_item *item) {
    return item ? ((const locator_item *)item)->size : 0;
}

uint32_t buffers_item_position(const buffers_item *item) {
    return item ? atomic_load_explicit(&((const locator_item *)item)->position, memory_order_relaxed) : 0;
}

uint32_t buffers_item_bytes_left(const buffers_item *item) {
    return item ? item_bytes_left((const locator_item *)item) : 0;
}

void buffers_item_release(buffers_item *item) {
    if (item) item_unlock((locator_item *)item);
}

/* ---- private memory ---- */

buffers_status buffers_allocate_private_memory(const buffers_allocator_settings *settings,
                                               buffers_private_allocation *out) {
    if (!settings || !out)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s is null", settings ? "out" : "settings");
    buffers_status status = check_range(settings->min_address, settings->max_address, settings->size);
    if (status != BUFFERS_OK) return status;
    if (settings->retry_count < 1)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "retry_count %d is below 1", (int)settings->retry_count);
    allocator_result reserved;
    if ((status = allocator_reserve(settings, &reserved)) != BUFFERS_OK) return status;
    out->base_address = reserved.base_address;
    out->size = reserved.size;
    out->process_id = reserved.process_id ? reserved.process_id : vmem_current_process_id();
    return BUFFERS_OK;
}

buffers_status buffers_free_private_memory(buffers_private_allocation *allocation) {
    if (!allocation) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "allocation is null");
    if (!allocation->base_address || !allocation->size)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "allocation is empty (already freed?)");
    uint32_t pid = allocation->process_id == vmem_current_process_id() ? 0 : allocation->process_id;
    int error = vmem_release(pid, allocation->base_address, allocation->size);
    if (error) {
        char text[128];
        return errors_set(error == VMEM_UNSUPPORTED ? BUFFERS_ERROR_UNSUPPORTED : BUFFERS_ERROR_INVALID_ARGUMENT,
                          "cannot free %zu bytes at %#llx in process %u: %s", allocation->size,
                          (unsigned long long)allocation->base_address, (unsigned)allocation->process_id,
                          vmem_error_text(error, text, sizeof text));
    }
    memset(allocation, 0, sizeof *allocation);
    return BUFFERS_OK;
}

/* ---- code ---- */

void buffers_overwrite_allocated_code(const void *source, void *target, size_t size) {
    if (!source || !target || !size) return;
    write_code_bytes((uintptr_t)target, source, size);
    vmem_flush_instruction_cache((uintptr_t)target, (uintptr_t)target + size);
}

void buffers_clear_instruction_cache(void *start, void *end) {
    if (start && end && (uintptr_t)end > (uintptr_t)start) vmem_flush_instruction_cache((uintptr_t)start, (uintptr_t)end);
}

/* ---- diagnostics ---- */

uintptr_t buffers_locator_address(void) {
    locator *first;
    return finder_locator(&first) == BUFFERS_OK ? (uintptr_t)first : 0;
}

typedef struct list_context {
    buffers_buffer_info *out;
    size_t capacity, count;
} list_context;

static bool list_item(const locator *owner, const locator_item *item, void *context) {
    list_context *list = context;
    if (list->count < list->capacity) {
        buffers_buffer_info *info = &list->out[list->count];
        info->base_address = item_base_address(item);
        info->size = item->size;
        info->position = atomic_load_explicit(&item->position, memory_order_relaxed);
        info->taken = item_is_taken(item);
        info->locator_address = (uintptr_t)owner;
    }
    list->count++;
    return false;
}

buffers_status buffers_list_buffers(buffers_buffer_info *out, size_t capacity, size_t *out_count) {
    if (!out_count) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "out_count is null");
    if (!out && capacity) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "out is null with capacity %zu", capacity);
    locator *first;
    buffers_status status = finder_locator(&first);
    if (status != BUFFERS_OK) return status;
    list_context list = {out, capacity, 0};
    locator_for_each_item(first, list_item, &list);
    *out_count = list.count;
    return BUFFERS_OK;
}

const char *buffers_locator_directory(void) {
    locator *first;
    return finder_locator(&first) == BUFFERS_OK ? vmem_shared_directory() : "";
}

/* ---- never-blocking write, revocable private memory ---- */

uintptr_t buffers_try_write(uintptr_t min_address, uintptr_t max_address, uint32_t size, const void *data,
                            size_t data_size, int code) {
    if (!data || data_size == 0 || data_size > UINT32_MAX || min_address > max_address) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "try_write: data %p of %zu bytes or range [%#llx, %#llx] is invalid",
                   data, data_size, (unsigned long long)min_address, (unsigned long long)max_address);
        return 0;
    }
    uint32_t wanted = size > data_size ? size : (uint32_t)data_size;
    locator *first = finder_cached_locator();
    locator_item *item = first ? locator_find_locked(first, wanted, min_address, max_address) : NULL;
    if (!item) {
        errors_set(BUFFERS_ERROR_NO_SPACE, "try_write: no free buffer with %u bytes of room in [%#llx, %#llx] right now",
                   (unsigned)wanted, (unsigned long long)min_address, (unsigned long long)max_address);
        return 0;
    }
    /* Found locked and with room: append without the checks of buffers_item_append. */
    uintptr_t at = item_base_address(item) + atomic_load_explicit(&item->position, memory_order_relaxed);
    write_code_bytes(at, data, data_size);
    if (code) vmem_flush_instruction_cache(at, at + data_size);
    advance((buffers_item *)item, data_size);
    item_unlock(item);
    return at;
}

buffers_status buffers_retire_private_memory(const buffers_private_allocation *allocation) {
    if (!allocation || !allocation->base_address || !allocation->size)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "retire: the allocation is %s", allocation ? "empty" : "null");
    if (allocation->process_id != vmem_current_process_id())
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "retire: the allocation belongs to process %u",
                          (unsigned)allocation->process_id);
    int error = vmem_replace_with_zero_pages(allocation->base_address, allocation->size);
    if (error) {
        char text[128];
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "retire: cannot replace %zu bytes at %#llx: %s",
                          allocation->size, (unsigned long long)allocation->base_address,
                          vmem_error_text(error, text, sizeof text));
    }
    return BUFFERS_OK;
}
