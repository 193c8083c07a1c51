/* The public API of shared buffers: get, append, release, and the one-call write. Each entry point
 * is the inline hot path (engine_hint_lock, a copy, two stores) with everything else (argument
 * errors, the engine's cold path, W^X flips) out of line. A buffers_item is an index_entry. */
/* This file defines the calls the header's inline paths fall back to: it must see the functions. */
#define BUFFERS_NO_INLINE 1
#include <reloaded/buffers.h>

#include <stddef.h>
#include <string.h>

#include "api/reservations.h"
#include "api/self_check.h"
#include "core/checks.h"
#include "core/engine.h"
#include "core/locator_finder.h"
#include "remote/process_buffers.h"
#include "os/vmem.h"

enum { MAX_ALIGNMENT = 4096 };

/* Copies of 1 to 64 bytes as two overlapping moves of 1, 2, 4, 8, 16 or 32 bytes, inline; false
 * for other sizes (the caller then copies out of line, so the hot function makes no call it must
 * return from). The common trampoline sizes (8-64) are tested first. */
typedef struct { uint64_t words[2]; } bytes16;
typedef struct { uint64_t words[4]; } bytes32;
#define COPY_PAIR(type, to, from, size)                                                          \
    do {                                                                                         \
        type head_, tail_;                                                                       \
        memcpy(&head_, (from), sizeof head_);                                                    \
        memcpy(&tail_, (const char *)(from) + (size) - sizeof tail_, sizeof tail_);              \
        memcpy((to), &head_, sizeof head_);                                                      \
        memcpy((char *)(to) + (size) - sizeof tail_, &tail_, sizeof tail_);                      \
    } while (0)

static inline bool copy_small(void *to, const void *from, size_t size) {
    if (size - 8 <= 8) COPY_PAIR(uint64_t, to, from, size);
    else if (size - 17 <= 15) COPY_PAIR(bytes16, to, from, size);
    else if (size - 33 <= 31) COPY_PAIR(bytes32, to, from, size);
    else if (size - 4 <= 3) COPY_PAIR(uint32_t, to, from, size);
    else if (size - 2 <= 1) COPY_PAIR(uint16_t, to, from, size);
    else if (size == 1) *(unsigned char *)to = *(const unsigned char *)from;
    else return false;
    return true;
}

/* Where pages cannot be writable and executable at once: flip around the copy. */
static BUFFERS_COLD void copy_code_flipping(uintptr_t target, const void *source, size_t size) {
    vmem_protect(target, size, VMEM_READ_WRITE);
    memcpy((void *)target, source, size);
    vmem_protect(target, size, VMEM_READ_EXECUTE);
}

/* Flips for data too: where pages are never writable and executable at once (Apple Silicon), a
 * buffer's pages are writable only inside the flip (os/macos/vmem.c: this thread's JIT switch).
 * target is where the bytes run, writable where they are written (target + the entry's write_delta). */
static void copy_any(uintptr_t target, uintptr_t writable, const void *source, size_t size, bool code) {
    if (engine_flips())
        copy_code_flipping(writable, source, size);
    else
        memcpy((void *)writable, source, size);
#if !defined(__x86_64__) && !defined(__i386__)   /* x86 keeps instruction fetch coherent with stores */
    if (code) vmem_flush_instruction_cache(target, target + size);
#else
    (void)code;
    (void)target;
#endif
}

/* Everything after the copy: position, then (when release) the unlock that publishes it. Only the
 * holder writes the position, so a plain store suffices. */
static inline void advance(index_entry *entry, uint32_t position, size_t size, bool release) {
    atomic_store_explicit(entry->position, position + (uint32_t)size, memory_order_relaxed);
    if (release) atomic_store_explicit(entry->taken, 0, memory_order_release);
}

/* The locked entry's copy when the inline one does not apply: out of line, called in tail position. */
static BUFFERS_NOINLINE uintptr_t put_out_of_line(index_entry *entry, uint32_t position, const void *data, size_t size,
                                             bool code, bool release) {
    uintptr_t at = entry->base + position;
    copy_any(at, at + (uintptr_t)entry->write_delta, data, size, code);
    advance(entry, position, size, release);
    return at;
}

static inline bool copies_inline(bool code) {
#if defined(__x86_64__) || defined(__i386__)
    return !code || !engine_flips();
#else
    /* code needs an instruction cache flush there; any write needs the flip where it is on */
    return !code && !engine_flips();
#endif
}

/* ---- get ---- */

static BUFFERS_COLD buffers_status get_slow(uintptr_t min, uintptr_t max, uint32_t need, index_entry **out) {
    buffers_status status = check_range(min, max, need);
    if (status != BUFFERS_OK || (status = self_check_first_use()) != BUFFERS_OK) return status;
    if ((status = engine_get_slow(min, max, need, out)) != BUFFERS_OK)
        errors_append("while getting a buffer of %u bytes in [%#llx, %#llx]", (unsigned)need, (unsigned long long)min,
                      (unsigned long long)max);
    return status;
}

static BUFFERS_COLD buffers_status refuse_null(const char *what, const char *name) {
    return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: %s is null", what, name);
}

/* The miss of buffers_get_buffer, called in tail position so the hot function keeps no frame. */
static BUFFERS_NOINLINE buffers_status get_buffer_slow(uintptr_t min, uintptr_t max, uint32_t need,
                                                       buffers_item **out_item) {
    index_entry *entry;
    buffers_status status = get_slow(min, max, need, &entry);
    if (status == BUFFERS_OK) {
        atomic_store_explicit(&entry->held, engine_held_mark(), memory_order_relaxed);
        *out_item = (buffers_item *)entry;
    }
    return status;
}

buffers_status buffers_get_buffer(const buffers_search_settings *settings, buffers_item **out_item) {
    if (BUFFERS_UNLIKELY(!settings || !out_item)) return refuse_null("get", settings ? "out_item" : "settings");
    uintptr_t min = settings->min_address, max = settings->max_address;
    uint32_t need = settings->size;
    hot_item hot;
    if (BUFFERS_UNLIKELY(!need || !engine_hint_lock(min, max, need, &hot)))
        return get_buffer_slow(min, max, need, out_item);
    atomic_store_explicit(&hot.entry->held, engine_held_mark(), memory_order_relaxed);
    *out_item = (buffers_item *)hot.entry;
    return BUFFERS_OK;
}

buffers_status buffers_get_buffer_aligned(const buffers_search_settings *settings, uint32_t alignment,
                                          buffers_item **out_item) {
    if (alignment == 0 || alignment > MAX_ALIGNMENT || (alignment & (alignment - 1)) != 0)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "alignment %u is not a power of two from 1 to %d",
                          (unsigned)alignment, MAX_ALIGNMENT);
    if (!settings || !out_item) return refuse_null("get", settings ? "out_item" : "settings");
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
    index_entry *entry = (index_entry *)handle;
    uint32_t position = atomic_load_explicit(entry->position, memory_order_relaxed);
    uintptr_t next = entry->base + position;
    uint32_t padding = (uint32_t)((alignment - (next & (alignment - 1))) & (alignment - 1));
    atomic_store_explicit(entry->position, position + padding, memory_order_relaxed);
    *out_item = handle;
    return BUFFERS_OK;
}

/* ---- append ---- */

static BUFFERS_COLD uintptr_t refuse_append(index_entry *entry, const void *data, size_t size, bool code,
                                            const char *what) {
    if (entry && remote_item_is(entry)) return remote_item_append(entry, data, size, code, what);
    if (!entry)
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: item is null", what);
    else if (!data && size)
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: data is null", what);
    else if (!atomic_load_explicit(&entry->held, memory_order_relaxed))
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: the item is not locked (already released?)", what);
    else
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: %zu bytes do not fit, %u left in the buffer at %#llx", what,
                   size, (unsigned)index_entry_left(entry), (unsigned long long)entry->base);
    return 0;
}

/* An append the inline copy does not take (over 64 bytes, or flipped pages). The room test of the
 * fast path sums in 64 bits, which a size near SIZE_MAX wraps into a fit: such sizes all come here,
 * where the room is tested again without a sum. */
static BUFFERS_NOINLINE uintptr_t append_out_of_line(index_entry *entry, uint32_t position, const void *data,
                                                     size_t size, bool code, const char *what) {
    if (position > entry->size || size > entry->size - position) return refuse_append(entry, data, size, code, what);
    return put_out_of_line(entry, position, data, size, code, false);
}

static inline uintptr_t append(buffers_item *item, const void *data, size_t size, bool code, const char *what) {
    index_entry *entry = (index_entry *)item;
    /* A remote item is never marked held here: it goes to the refusal before its words, which lie in
     * another process's file, are touched (remote_item_append checks that file first). */
    if (BUFFERS_UNLIKELY(!entry || (!data && size) || !atomic_load_explicit(&entry->held, memory_order_relaxed)))
        return refuse_append(entry, data, size, code, what);
    _Atomic(uint32_t) *position_word = entry->position;
    uint32_t position = atomic_load_explicit(position_word, memory_order_relaxed);
    if (BUFFERS_UNLIKELY((uint64_t)position + size > entry->size)) return refuse_append(entry, data, size, code, what);
    uintptr_t at = entry->base + position;
    if (BUFFERS_UNLIKELY(!copies_inline(code) || !copy_small((void *)(at + (uintptr_t)entry->write_delta), data, size)))
        return size ? append_out_of_line(entry, position, data, size, code, what) : at;
    atomic_store_explicit(position_word, position + (uint32_t)size, memory_order_relaxed);
    return at;
}

uintptr_t buffers_item_append(buffers_item *item, const void *data, size_t size) {
    return append(item, data, size, false, "append");
}

uintptr_t buffers_item_append_code(buffers_item *item, const void *code, size_t size) {
    return append(item, code, size, true, "append_code");
}

void buffers_item_release(buffers_item *item) {
    index_entry *entry = (index_entry *)item;
    /* Not held here: a remote item (its lock word lies in another process's file, checked first), or
     * one released already and not taken since (that second release changes nothing). */
    if (BUFFERS_UNLIKELY(!entry || !atomic_load_explicit(&entry->held, memory_order_relaxed))) {
        if (entry && remote_item_is(entry)) remote_item_release(entry);
        return;
    }
    reservation_forget(entry);   /* the hold ends: its last reservation is for good */
    atomic_store_explicit(&entry->held, 0, memory_order_relaxed);
    atomic_store_explicit(entry->taken, 0, memory_order_release);
}

uintptr_t buffers_item_base_address(const buffers_item *item) {
    return item ? ((const index_entry *)item)->base : 0;
}

/* Size 0 is a remote item (remote/process_buffers.h) or no item at all: local handles always have room. */
static BUFFERS_COLD uint32_t unsized_item_size(const index_entry *entry) {
    return remote_item_is(entry) ? remote_item_size(entry) : 0;
}

static BUFFERS_COLD uint32_t unsized_item_left(const index_entry *entry) {
    return remote_item_is(entry) ? remote_item_left(entry) : 0;
}

static BUFFERS_COLD uint32_t unsized_item_position(const index_entry *entry) {
    return remote_item_is(entry) ? remote_item_position(entry) : 0;
}

uint32_t buffers_item_size(const buffers_item *item) {
    if (!item) return 0;
    uint32_t size = ((const index_entry *)item)->size;
    return BUFFERS_LIKELY(size) ? size : unsized_item_size((const index_entry *)item);
}

uint32_t buffers_item_position(const buffers_item *item) {
    if (!item) return 0;
    const index_entry *entry = (const index_entry *)item;
    return BUFFERS_LIKELY(entry->size) ? atomic_load_explicit(entry->position, memory_order_relaxed)
                                       : unsized_item_position(entry);
}

uint32_t buffers_item_bytes_left(const buffers_item *item) {
    if (!item) return 0;
    const index_entry *entry = (const index_entry *)item;
    return BUFFERS_LIKELY(entry->size) ? index_entry_left(entry) : unsized_item_left(entry);
}

/* ---- one call ---- */

static BUFFERS_COLD buffers_status refuse_write(const buffers_search_settings *settings, const void *data,
                                                size_t size, const char *what) {
    if (!settings || !data) return refuse_null(what, !settings ? "settings" : "data");
    if (size == 0 || size > UINT32_MAX)
        return errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: size %zu is not from 1 to %u", what, size,
                          (unsigned)UINT32_MAX);
    return refuse_null(what, "out_address");
}

static BUFFERS_COLD buffers_status write_slow(const buffers_search_settings *settings, const void *data, size_t size,
                                              uintptr_t *out_address, bool code) {
    if (size == 0 || size > UINT32_MAX) return refuse_write(settings, data, size, code ? "write_code" : "write");
    uint32_t need = settings->size > size ? settings->size : (uint32_t)size;
    index_entry *entry;
    buffers_status status = get_slow(settings->min_address, settings->max_address, need, &entry);
    if (status != BUFFERS_OK) return status;
    /* Read again under the lock: the file is another process's to edit, only the entry's private
     * size bounds the write. */
    uint32_t position = atomic_load_explicit(entry->position, memory_order_relaxed);
    if ((uint64_t)position + size > entry->size) {
        atomic_store_explicit(entry->taken, 0, memory_order_release);
        return errors_set(BUFFERS_ERROR_LOCATOR, "the position of the buffer at %#llx moved to %u of its %u bytes "
                          "while it was locked; not writing", (unsigned long long)entry->base, (unsigned)position,
                          (unsigned)entry->size);
    }
    *out_address = put_out_of_line(entry, position, data, size, code, true);
    return BUFFERS_OK;
}

/* Sizes the inline copy does not take, and code that needs a flip: the entry is locked at position. */
static BUFFERS_NOINLINE buffers_status write_large(index_entry *entry, uint32_t position, const void *data, size_t size,
                                               uintptr_t *out_address, bool code) {
    *out_address = put_out_of_line(entry, position, data, size, code, true);
    return BUFFERS_OK;
}

/* The bytes into the entry engine_hint_lock locked, the position bumped, the lock let go; false
 * when the copy is not one of the inline ones (the entry is still locked then). */
static inline bool put_and_release(const hot_item *hot, const void *data, size_t size, bool code) {
    if (BUFFERS_UNLIKELY(!copies_inline(code) ||
                         !copy_small((void *)(hot->at + (uintptr_t)hot->entry->write_delta), data, size)))
        return false;
    atomic_store_explicit(hot->position, hot->offset + (uint32_t)size, memory_order_relaxed);
    atomic_store_explicit(hot->taken, 0, memory_order_release);
    return true;
}

/* A size above UINT32_MAX is checked on the way: need is 64 bits wide, so it never fits an entry and
 * goes to write_slow, which refuses it. */
static inline buffers_status write_once(const buffers_search_settings *settings, const void *data, size_t size,
                                        uintptr_t *out_address, bool code) {
    if (BUFFERS_UNLIKELY(!settings) || BUFFERS_UNLIKELY(!data) || BUFFERS_UNLIKELY(!out_address || !size))
        return refuse_write(settings, data, size, code ? "write_code" : "write");
    uint64_t need = settings->size > size ? settings->size : size;
    hot_item hot;
    if (BUFFERS_UNLIKELY(!engine_hint_lock(settings->min_address, settings->max_address, need, &hot)))
        return write_slow(settings, data, size, out_address, code);
    /* The caller's address first, as in buffers_window_write: a store to the caller's memory behind
     * the release store slowed the next call (docs/benchmarks.md). */
    *out_address = hot.at;
    if (BUFFERS_UNLIKELY(!put_and_release(&hot, data, size, code)))
        return write_large(hot.entry, hot.offset, data, size, out_address, code);
    return BUFFERS_OK;
}

buffers_status buffers_write(const buffers_search_settings *settings, const void *data, size_t size,
                             uintptr_t *out_address) {
    return write_once(settings, data, size, out_address, false);
}

buffers_status buffers_write_code(const buffers_search_settings *settings, const void *code, size_t size,
                                  uintptr_t *out_address) {
    return write_once(settings, code, size, out_address, true);
}

/* ---- a window the caller keeps (the inline buffers_window_write) ---- */

/* Layout 1 is the start of an index entry, and a hint slot holds a pointer to one. */
_Static_assert(offsetof(index_entry, base) == offsetof(buffers_window_entry, base), "window layout 1: base");
_Static_assert(offsetof(index_entry, last) == offsetof(buffers_window_entry, last), "window layout 1: last");
_Static_assert(offsetof(index_entry, size) == offsetof(buffers_window_entry, size), "window layout 1: size");
_Static_assert(offsetof(index_entry, taken) == offsetof(buffers_window_entry, taken), "window layout 1: taken");
_Static_assert(offsetof(index_entry, position) == offsetof(buffers_window_entry, position), "window layout 1: position");
/* Layout 2 (and the inline append and release) is the whole entry up to its held word. */
_Static_assert(offsetof(index_entry, write_delta) == offsetof(buffers_item_words, write_delta), "item words: write_delta");
_Static_assert(offsetof(index_entry, item) == offsetof(buffers_item_words, private_), "item words: private_");
_Static_assert(offsetof(index_entry, held) == offsetof(buffers_item_words, held), "item words: held");
_Static_assert(ENGINE_HELD_INLINE == BUFFERS_ITEM_HELD_INLINE, "item words: the held mark");
_Static_assert(sizeof(_Atomic(uint32_t)) == sizeof(uint32_t) && sizeof(engine_hints[0]) == sizeof(void *),
               "window layout 1: plain words and pointers");

buffers_status buffers_window_open(const buffers_search_settings *settings, uint32_t layout, buffers_window *out) {
    if (!settings || !out) return refuse_null("window_open", settings ? "out" : "settings");
    buffers_status status = check_range(settings->min_address, settings->max_address, settings->size);
    locator *first;
    locator_layout chain_layout;
    if (status == BUFFERS_OK) status = engine_chain(&first, &chain_layout);   /* settles the W^X flip below */
    if (status != BUFFERS_OK) return status;
    out->settings = *settings;
    out->hint = NULL;
    /* Inline writes are plain stores: not where every write must flip the pages writable (the mode,
     * settled by engine_chain above). Layout 1 writes at the address the code runs from, so not
     * through a second view either; layout 2 adds the view's offset (write_delta). */
    if (!engine_flips() &&
        (layout == 2 || (layout == 1 && !engine_dual())))
        out->hint = (buffers_window_entry *const *)&engine_hints[engine_hint_slot(settings->min_address,
                                                                                   settings->max_address)];
    return BUFFERS_OK;
}

/* Never blocks: only the entry that last served this window, if it is free and has room right now
 * (the JDK 22+ critical downcall; on 0 the caller goes through buffers_write, which may wait). */
uintptr_t buffers_try_write(uintptr_t min_address, uintptr_t max_address, uint32_t size, const void *data,
                            size_t data_size, int code) {
    if (BUFFERS_UNLIKELY(!data || data_size - 1 >= (size_t)UINT32_MAX || min_address > max_address)) {
        errors_set(BUFFERS_ERROR_INVALID_ARGUMENT, "try_write: data %p of %zu bytes or range [%#llx, %#llx] is invalid",
                   data, data_size, (unsigned long long)min_address, (unsigned long long)max_address);
        return 0;
    }
    uint32_t need = size > data_size ? size : (uint32_t)data_size;
    hot_item hot;
    if (!engine_hint_lock(min_address, max_address, need, &hot)) {
        errors_set(BUFFERS_ERROR_NO_SPACE, "try_write: no free buffer with %u bytes of room in [%#llx, %#llx] at hand",
                   (unsigned)need, (unsigned long long)min_address, (unsigned long long)max_address);
        return 0;
    }
    return BUFFERS_LIKELY(put_and_release(&hot, data, data_size, code != 0))
               ? hot.at
               : put_out_of_line(hot.entry, hot.offset, data, data_size, code != 0, true);
}

buffers_status buffers_use_shared_root(const char *directory) {
    return finder_set_root(directory);
}

buffers_status buffers_use_write_xor_execute(void) {
    return engine_use_write_xor_execute();
}

const char *buffers_write_xor_execute_reason(void) {
    return engine_write_xor_execute_reason();
}

buffers_status buffers_use_rust_layout(void) {
    return engine_use_rust_layout();
}

const char *buffers_locator_layout(void) {
    locator *first;
    locator_layout layout;
    if (engine_chain(&first, &layout) != BUFFERS_OK) return "";
    return layout == LOCATOR_LAYOUT_RUST ? "rust" : "document";
}
