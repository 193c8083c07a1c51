/* The public API: argument checks, then the locator and the allocator. Every failure goes through
 * errors_set so buffers_last_error() says what happened. */
#include <reloaded/buffers.h>

#include <string.h>

#include "api/self_check.h"
#include "pure/address_range.h"
#include "core/allocator.h"
#include "core/checks.h"
#include "core/engine.h"
#include "os/vmem.h"

#ifndef BUFFERS_VERSION_STRING
#define BUFFERS_VERSION_STRING "0.0.0"
#endif


const char *buffers_status_name(buffers_status status) {
    return errors_status_name(status);
}

const char *buffers_last_error(void) {
    return errors_last();
}

buffers_status buffers_last_status(void) {
    return errors_last_status();
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
    buffers_search_settings settings = {0, vmem_max_address(), ALLOCATOR_DEFAULT_SIZE};
    return settings;
}

buffers_search_settings buffers_search_settings_from_proximity(size_t proximity, uintptr_t target, uint32_t size) {
    buffers_search_settings settings = {range_saturating_sub(target, proximity),
                                        range_saturating_add(target, proximity), size};
    return settings;
}

buffers_allocator_settings buffers_allocator_settings_default(void) {
    return allocator_settings_default();
}

buffers_allocator_settings buffers_allocator_settings_from_proximity(size_t proximity, uintptr_t target,
                                                                     uint32_t size) {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    settings.min_address = range_saturating_sub(target, proximity);
    settings.max_address = range_saturating_add(target, proximity);
    settings.size = size;
    return settings;
}

/* ---- private memory ---- */

buffers_status buffers_allocate_private_memory(const buffers_allocator_settings *settings,
                                               buffers_private_allocation *out) {
    if (!settings || !out)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s is null", settings ? "out" : "settings");
    buffers_status status = check_range(settings->min_address, settings->max_address, settings->size);
    if (status != BUFFERS_OK) return status;
    if (settings->retry_count < 1 || settings->retry_count > BUFFERS_MAX_RETRY_COUNT)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "retry_count %d is not from 1 to %d (BUFFERS_MAX_RETRY_COUNT)",
                          (int)settings->retry_count, BUFFERS_MAX_RETRY_COUNT);
    allocator_result reserved;
    if ((status = self_check_first_use()) != BUFFERS_OK) return status;
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
    /* A write-xor-execute buffer is read+execute here: its bytes are written through its other view. */
    const index_entry *dual = engine_write_xor_execute_reason()[0] ? engine_covering((uintptr_t)target, size) : NULL;
    void *writable = dual ? (void *)((uintptr_t)target + (uintptr_t)dual->write_delta) : target;
    bool flip = vmem_write_xor_execute();
    if (flip) vmem_protect((uintptr_t)writable, size, VMEM_READ_WRITE);
    memcpy(writable, source, size);
    if (flip) vmem_protect((uintptr_t)writable, size, VMEM_READ_EXECUTE);
    vmem_flush_instruction_cache((uintptr_t)target, (uintptr_t)target + size);
}

void buffers_clear_instruction_cache(void *start, void *end) {
    if (start && end && (uintptr_t)end > (uintptr_t)start) vmem_flush_instruction_cache((uintptr_t)start, (uintptr_t)end);
}

/* ---- diagnostics ---- */

uintptr_t buffers_locator_address(void) {
    locator *first;
    return engine_first_locator(&first) == BUFFERS_OK ? (uintptr_t)first : 0;
}

typedef struct list_context {
    buffers_buffer_info *out;
    size_t capacity, count;
} list_context;

static bool list_item(const locator *owner, const item_view *item, void *context) {
    list_context *list = context;
    if (list->count < list->capacity) {
        buffers_buffer_info *info = &list->out[list->count];
        info->base_address = item->base;
        info->size = item->size;
        info->position = item->position;
        info->taken = item->taken;
        info->locator_address = (uintptr_t)owner;
    }
    list->count++;
    return false;
}

buffers_status buffers_list_buffers(buffers_buffer_info *out, size_t capacity, size_t *out_count) {
    if (!out_count) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "out_count is null");
    if (!out && capacity) return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "out is null with capacity %zu", capacity);
    locator *first;
    locator_layout layout;
    buffers_status status = engine_chain(&first, &layout);
    if (status != BUFFERS_OK) return status;
    list_context list = {out, capacity, 0};
    locator_for_each_item(first, layout, list_item, &list);
    *out_count = list.count;
    return BUFFERS_OK;
}

const char *buffers_locator_directory(void) {
    locator *first;
    return engine_first_locator(&first) == BUFFERS_OK ? vmem_shared_directory() : "";
}

/* ---- never-blocking write, revocable private memory ---- */

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
