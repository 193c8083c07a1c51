#include "core/locator_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "core/locator.h"
#include "core/locator_read.h"
#include "os/locator_files.h"

typedef struct collected {
    vmem_locator_file *files;
    size_t count, capacity;
    bool out_of_memory;
} collected;

static bool collect(const vmem_locator_file *file, void *context) {
    collected *c = context;
    if (c->count == c->capacity) {
        size_t capacity = c->capacity ? 2 * c->capacity : 16;
        vmem_locator_file *grown = realloc(c->files, capacity * sizeof *grown);
        if (!grown) return c->out_of_memory = true;
        c->files = grown;
        c->capacity = capacity;
    }
    c->files[c->count++] = *file;
    return false;
}

static int by_pid_then_path(const void *a, const void *b) {
    const vmem_locator_file *x = a, *y = b;
    if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
    return strcmp(x->path, y->path);
}

static void describe(const vmem_locator_file *from, buffers_locator_file *to) {
    memset(to, 0, sizeof *to);
    snprintf(to->path, sizeof to->path, "%s", from->path);
    to->directory_length = (uint32_t)from->directory_length;
    to->pid = from->pid;
    to->owner_uid = from->owner_uid;
    to->state = (int32_t)from->state;   /* vmem_file_state counts as buffers_locator_state does */
    to->regular = from->regular;
    snprintf(to->process_name, sizeof to->process_name, "%s", from->process_name);
}

buffers_status locator_files_list(const char *root, buffers_locator_file *out, size_t capacity, size_t *out_count) {
    collected c = {NULL, 0, 0, false};
    int error = vmem_locator_files_walk(root, LOCATOR_NAME_PREFIX, collect, &c);
    if (error == VMEM_UNSUPPORTED) {
        free(c.files);
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "locator files: not listed on this platform (its locators "
                          "are not files, or the walk is not written for it)");
    }
    if (error) {
        char text[128];
        free(c.files);
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "locator files: root '%s' is not a directory (%s)", root,
                          vmem_error_text(error, text, sizeof text));
    }
    if (c.out_of_memory) {
        free(c.files);
        return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "locator files: no memory for %zu entries", c.count + 1);
    }
    if (c.count > 1) qsort(c.files, c.count, sizeof *c.files, by_pid_then_path);
    for (size_t i = 0; i < c.count && i < capacity; i++) describe(&c.files[i], &out[i]);
    *out_count = c.count;
    free(c.files);
    return BUFFERS_OK;
}

/* Where the walk is: the blocks and items stored so far. */
typedef struct chain_reader {
    buffers_locator_block *blocks;
    size_t block_capacity, block_count;
    buffers_buffer_info *items;
    size_t item_capacity, item_count;
} chain_reader;

static void keep(chain_reader *r, const locator_snapshot *s, uint64_t address, bool from_file) {
    buffers_locator_block *block = &r->blocks[r->block_count++];
    block->address = address;
    block->next_address = s->next_address;
    block->item_count = s->item_count;
    block->pointer_size = s->pointer_size;
    block->locked = s->locked;
    block->from_file = from_file;
    for (uint32_t i = 0; i < s->item_count; i++, r->item_count++) {
        if (r->item_count >= r->item_capacity) continue;
        buffers_buffer_info *info = &r->items[r->item_count];
        info->base_address = (uintptr_t)s->items[i].base;
        info->size = s->items[i].size;
        info->position = s->items[i].position;
        info->taken = s->items[i].taken;
        info->locator_address = (uintptr_t)address;
    }
}

/* Follows the chain in process pid's memory after r's first block; returns why it stopped, or NULL. */
static const char *walk_memory(chain_reader *r, uint32_t pid, uint32_t pointer_size, locator_snapshot *s,
                               unsigned char *block, char *why, size_t why_size) {
    uint32_t page_size = (uint32_t)vmem_page_size();
    while (r->block_count < r->block_capacity && s->next_address != 0) {
        uint64_t next = s->next_address;
        for (size_t i = 0; i < r->block_count; i++)
            if (r->blocks[i].address == next) return snprintf(why, why_size, "the chain loops at 0x%llx", (unsigned long long)next), why;
        if (r->block_count >= BUFFERS_LOCATOR_CHAIN_MAX)   /* also bounds the loop check above */
            return snprintf(why, why_size, "the chain is longer than %d locators", BUFFERS_LOCATOR_CHAIN_MAX), why;
        char text[128], reason[256];
        int error = (uintptr_t)next != next ? EFAULT /* not an address of this width */ :
                    vmem_locator_memory_read(pid, (uintptr_t)next, block, LOCATOR_SIZE);
        if (error) {
            snprintf(why, why_size, "the locator at 0x%llx is in the process's memory and not readable: %s",
                     (unsigned long long)next, vmem_error_text(error, text, sizeof text));
            return why;
        }
        if (!locator_snapshot_parse(block, pointer_size, page_size, s, reason, sizeof reason)) {
            snprintf(why, why_size, "the locator at 0x%llx is not one: %s", (unsigned long long)next, reason);
            return why;
        }
        keep(r, s, next, false);   /* a chained locator's first field is its own address */
    }
    return NULL;
}

static bool pid_of(const char *path, uint32_t *pid) {
    const char *name = strrchr(path, '/');
    size_t prefix = strlen(LOCATOR_NAME_PREFIX);
    if (!name || strncmp(name + 1, LOCATOR_NAME_PREFIX, prefix) != 0) return false;
    const char *digits = name + 1 + prefix;
    char *end;
    unsigned long long value = strtoull(digits, &end, 10);
    if (end == digits || *digits < '0' || *digits > '9' || value > UINT32_MAX) return false;
    *pid = (uint32_t)value;
    return *end == '\0' || (end[0] == ' ' && end[1] == '#');
}

buffers_status locator_files_read(const char *path, buffers_locator_block *blocks, size_t block_capacity,
                                  size_t *out_blocks, buffers_buffer_info *items, size_t item_capacity,
                                  size_t *out_items, char *note, size_t note_size) {
    uint32_t pid;
    if (!pid_of(path, &pid))
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "locator file '%s': not named \"%s<pid>\"", path,
                          LOCATOR_NAME_PREFIX);
    unsigned char *block = malloc(LOCATOR_SIZE);
    locator_snapshot *s = malloc(sizeof *s);
    if (!block || !s) {
        free(block), free(s);
        return errors_set(BUFFERS_ERROR_OUT_OF_MEMORY, "locator file '%s': no memory to read it", path);
    }
    size_t got = 0;
    char text[128], why[512];
    int error = vmem_locator_file_read(path, block, LOCATOR_SIZE, &got);
    vmem_file_state state = vmem_locator_file_state(path, pid);
    uint32_t width = state == VMEM_FILE_LIVE ? vmem_process_pointer_size(pid) : 0;
    buffers_status status = BUFFERS_OK;
    if (error == VMEM_UNSUPPORTED)
        status = errors_set(BUFFERS_ERROR_UNSUPPORTED, "locator file '%s': not read on this platform", path);
    else if (error)
        status = errors_set(BUFFERS_ERROR_LOCATOR, "locator file '%s' is not readable: %s", path,
                            error == EINVAL ? "not a regular file" : vmem_error_text(error, text, sizeof text));
    else if (got < LOCATOR_SIZE)
        status = errors_set(BUFFERS_ERROR_LOCATOR, "locator file '%s' is truncated: %zu bytes, a locator is %u", path,
                            got, LOCATOR_SIZE);
    else if (!locator_snapshot_parse(block, width, (uint32_t)vmem_page_size(), s, why, sizeof why))
        status = errors_set(BUFFERS_ERROR_LOCATOR, "locator file '%s': %s%s", path, width ? "not a locator: " : "", why);
    if (status == BUFFERS_OK) {
        chain_reader r = {blocks, block_capacity, 0, items, item_capacity, 0};
        const char *stopped = NULL;
        if (block_capacity > 0) {
            keep(&r, s, s->this_address, true);
            if (s->next_address != 0 && block_capacity > 1 && state != VMEM_FILE_LIVE)
                stopped = state == VMEM_FILE_PID_REUSED
                              ? "its pid now names a process that does not map the file; locators after the "
                                "first lived only in the memory of the one that is gone"
                              : "the process is gone; locators after the first lived only in its memory";
            else stopped = walk_memory(&r, pid, s->pointer_size, s, block, why, sizeof why);
        }
        snprintf(note, note_size, "%s", stopped ? stopped : "");
        *out_blocks = r.block_count;
        *out_items = r.item_count;
    }
    free(block);
    free(s);
    return status;
}

buffers_status locator_files_remove_stale(const char *path, bool dry_run, bool *out_removed, char *why,
                                          size_t why_size) {
    char reason[256];
    int error = vmem_locator_file_remove_stale(path, LOCATOR_NAME_PREFIX, dry_run, out_removed, reason, sizeof reason);
    if (why && why_size) snprintf(why, why_size, "%s", *out_removed ? "" : reason);
    if (error == VMEM_UNSUPPORTED)
        return errors_set(BUFFERS_ERROR_UNSUPPORTED, "locator file '%s': %s", path, reason);
    if (error == EINVAL)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "locator file '%s' %s", path, reason);
    if (error) return errors_set(BUFFERS_ERROR_LOCATOR, "stale locator file '%s' %s", path, reason);
    return BUFFERS_OK;
}
