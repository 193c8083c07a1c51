/* The self-check's steps (api/self_check.h), each through the public API as a user would call it:
 * a buffer near a function of ours (in write-xor-execute mode, its two views checked), code appended
 * to it, read back and called; code reserved,
 * written, committed, read back and called; a buffer in the low 4 GiB (where the platform has
 * one); this process's locator found again by a second lookup, as another copy of the library
 * would find it.
 *
 * Code is called only after it reads back exactly as written, from a buffer the engine checked is
 * buffer memory. What remains: bytes that read back right and still fault when run (pages not
 * executable although the OS layer made them so, a stale instruction cache) would end the process;
 * catching that needs a signal handler, which would race with the host's own (a JVM's). */
#include "api/self_check.h"

#ifdef BUFFERS_SELF_CHECK
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/errors.h"
#include "core/locator.h"
#include "os/vmem.h"

/* Whether to look for a buffer below 4 GiB: not where the platform keeps it unmapped (macOS's
 * 4 GiB __PAGEZERO in 64-bit programs). Set by native/CMakeLists.txt, which knows the OS. */
#ifndef BUFFERS_SELF_CHECK_LOW_MEMORY
#define BUFFERS_SELF_CHECK_LOW_MEMORY 1
#endif

enum { CODE_MAX = 8, NEAR = 0x7FFF0000, BUFFER_ROOM = 64 };
static const uint64_t LOW_LAST = 0xFFFFFFFFu;   /* the last byte below 4 GiB */

const char *const self_check_step_names[] = {
    "near-own-code", "write-xor-execute-views", "append-code", "append-code-read-back", "append-code-call", "commit-code",
    "commit-code-read-back", "commit-code-call", "low-4gib", "second-lookup", NULL,
};

/* BUFFERS_SELF_CHECK_FAULTS (test builds only): BUFFERS_SELF_CHECK_FAIL=<step> fails that step. */
static bool injected(const char *step) {
#ifdef BUFFERS_SELF_CHECK_FAULTS
    const char *wanted = getenv("BUFFERS_SELF_CHECK_FAIL");
    return wanted && strcmp(wanted, step) == 0;
#else
    (void)step;
    return false;
#endif
}

static bool fail(self_check_failure *failure, const char *step, buffers_status status, const char *format, ...)
    BUFFERS_PRINTF(4, 5);

static bool fail(self_check_failure *failure, const char *step, buffers_status status, const char *format, ...) {
    failure->step = step;
    failure->status = status;
    va_list args;
    va_start(args, format);
    int used = vsnprintf(failure->text, sizeof failure->text, format, args);
    va_end(args);
    if (injected(step) && used >= 0 && (size_t)used < sizeof failure->text)
        snprintf(failure->text + used, sizeof failure->text - (size_t)used, " [injected: BUFFERS_SELF_CHECK_FAIL]");
    return false;
}

/* A function of no arguments that returns value: "mov eax, imm32; ret" or "movz w0, #imm16; ret". */
static size_t encode_return(uint16_t value, unsigned char out[CODE_MAX]) {
#if defined(__x86_64__) || defined(__i386__)
    const unsigned char code[] = {0xB8, (unsigned char)value, (unsigned char)(value >> 8), 0, 0, 0xC3};
#elif defined(__aarch64__)
    uint32_t movz = 0x52800000u | (uint32_t)value << 5, ret = 0xD65F03C0u;
    const unsigned char code[] = {(unsigned char)movz, (unsigned char)(movz >> 8), (unsigned char)(movz >> 16),
                                  (unsigned char)(movz >> 24), (unsigned char)ret, (unsigned char)(ret >> 8),
                                  (unsigned char)(ret >> 16), (unsigned char)(ret >> 24)};
#else
#error "the self-check has no code for this architecture"
#endif
    memcpy(out, code, sizeof code);
    return sizeof code;
}

/* Reads the code at address back, then (only if it is all there) calls it and checks its answer. */
static bool run_code(const char *read_step, const char *call_step, uintptr_t address, const unsigned char *code,
                     size_t size, uint16_t value, self_check_failure *failure) {
    if (memcmp((const void *)address, code, size) != 0 || injected(read_step))
        return fail(failure, read_step, BUFFERS_ERROR_UNSUPPORTED, "the %zu bytes of code at %#llx do not read back as "
                    "written", size, (unsigned long long)address);
    uint32_t (*function)(void) = (uint32_t (*)(void))address;
    uint32_t answer = function();
    if (answer != value || injected(call_step))
        return fail(failure, call_step, BUFFERS_ERROR_UNSUPPORTED, "the code at %#llx returned %#x instead of %#x",
                    (unsigned long long)address, (unsigned)answer, (unsigned)value);
    return true;
}

static bool get_in(const char *step, uintptr_t min, uintptr_t max, buffers_item **item, self_check_failure *failure) {
    buffers_search_settings settings = {min, max, BUFFER_ROOM};
    buffers_status status = buffers_get_buffer(&settings, item);
    if (status != BUFFERS_OK || injected(step)) {
        if (status == BUFFERS_OK) buffers_item_release(*item);
        return fail(failure, step, status != BUFFERS_OK ? status : BUFFERS_ERROR_NO_SPACE,
                    "no buffer in [%#llx, %#llx]: %s", (unsigned long long)min, (unsigned long long)max,
                    buffers_last_error());
    }
    uintptr_t base = buffers_item_base_address(*item);
    if (base < min || base + (buffers_item_size(*item) - 1) > max) {
        buffers_item_release(*item);
        return fail(failure, step, BUFFERS_ERROR_NO_SPACE, "the buffer at %#llx is outside [%#llx, %#llx]",
                    (unsigned long long)base, (unsigned long long)min, (unsigned long long)max);
    }
    return true;
}

static bool append_code(buffers_item *item, self_check_failure *failure) {
    unsigned char code[CODE_MAX];
    size_t size = encode_return(0x5E1F, code);
    uintptr_t expected = buffers_item_base_address(item) + buffers_item_position(item);
    uintptr_t at = buffers_item_append_code(item, code, size);
    if (at != expected || injected("append-code"))
        return fail(failure, "append-code", BUFFERS_ERROR_UNSUPPORTED, "append_code wrote at %#llx, expected %#llx: %s",
                    (unsigned long long)at, (unsigned long long)expected, buffers_last_error());
    return run_code("append-code-read-back", "append-code-call", at, code, size, 0x5E1F, failure);
}

static bool commit_code(buffers_item *item, self_check_failure *failure) {
    unsigned char code[CODE_MAX];
    size_t size = encode_return(0x0C0D, code);
    uintptr_t at;
    void *writable;
    buffers_status status = buffers_item_reserve(item, size, &at, &writable);
    if (status == BUFFERS_OK) {
        memcpy(writable, code, size);
        status = buffers_commit_code(at, size);
    }
    if (status != BUFFERS_OK || injected("commit-code"))
        return fail(failure, "commit-code", status != BUFFERS_OK ? status : BUFFERS_ERROR_UNSUPPORTED,
                    "reserve, write and commit of %zu bytes: %s", size, buffers_last_error());
    return run_code("commit-code-read-back", "commit-code-call", at, code, size, 0x0C0D, failure);
}

/* In write-xor-execute mode (two views; not Apple silicon's MAP_JIT), before any code is written or
 * run: the buffer's writable address is another view than its address, and the OS layer sees the
 * two as a read+execute and a read+write view of one memory. The copy that made a buffer trusts it
 * without that check (core/item_index.c), so this is where a wrong remap shows, by name. */
static bool dual_views(buffers_item *item, self_check_failure *failure) {
    const char *step = "write-xor-execute-views";
    if (!engine_dual()) return true;
    uintptr_t at, base = buffers_item_base_address(item);
    void *writable;
    buffers_status status = buffers_item_reserve(item, 1, &at, &writable);
    if (status != BUFFERS_OK) return fail(failure, step, status, "reserve: %s", buffers_last_error());
    (void)buffers_item_unreserve(item, at);
    uintptr_t write = (uintptr_t)writable - (at - base);
    size_t size = buffers_item_size(item);
    char why[160] = "", text[128];
    vmem_memory_map *map = NULL;
    bool paired = false;
    int error;
    if (write == base) snprintf(why, sizeof why, "its writable address is its own");
    else if ((error = vmem_memory_map_open(&map)) != 0)
        snprintf(why, sizeof why, "no memory map: %s", vmem_error_text(error, text, sizeof text));
    else paired = vmem_is_dual_buffer_memory(map, base, write, size, why, sizeof why);
    vmem_memory_map_close(map);
    if (!paired || injected(step))
        return fail(failure, step, BUFFERS_ERROR_UNSUPPORTED, "the buffer at %#llx, written at %#llx: %s",
                    (unsigned long long)base, (unsigned long long)write, why);
    return true;
}

static bool near_own_code(self_check_failure *failure) {
    uintptr_t own = (uintptr_t)&self_check_run_steps;
    buffers_item *item;
    uintptr_t min = own > NEAR ? own - NEAR : 0, max = own < UINTPTR_MAX - NEAR ? own + NEAR : UINTPTR_MAX;
    if (!get_in("near-own-code", min, max, &item, failure)) return false;
    bool passed = dual_views(item, failure) && append_code(item, failure) && commit_code(item, failure);
    buffers_item_release(item);
    return passed;
}

static bool low_memory(self_check_failure *failure) {
    if (!BUFFERS_SELF_CHECK_LOW_MEMORY) return true;
    buffers_item *item;
    uintptr_t last = (uintptr_t)(UINTPTR_MAX < LOW_LAST ? UINTPTR_MAX : LOW_LAST);
    if (!get_in("low-4gib", 0, last, &item, failure)) return false;
    buffers_item_release(item);
    return true;
}

/* Opens this process's locator by name again, as another copy of the library would, and checks it
 * is adopted: the object recorded there is the one in use and is seen as live. Closed unkept. */
static bool second_lookup(self_check_failure *failure) {
    const char *step = "second-lookup";
    locator *in_use;
    locator_layout layout;
    buffers_status status = engine_chain(&in_use, &layout);
    if (status != BUFFERS_OK) return fail(failure, step, status, "%s", buffers_last_error());
    char name[LOCATOR_NAME_MAX], text[128];
    uint32_t pid = vmem_current_process_id();
    (void)(engine_dual() ? locator_dual_first_name(name, sizeof name, pid) : locator_first_name(name, sizeof name, pid));
    vmem_shared shared;
    int error = vmem_shared_open(name, locator_block_size(), &shared);
    if (error)
        return fail(failure, step, BUFFERS_ERROR_LOCATOR, "cannot open '%s' again: %s (%s)", name, shared.where,
                    vmem_error_text(error, text, sizeof text));
    uintptr_t recorded = ((const locator *)shared.address)->header.this_address;
    bool live = recorded && vmem_shared_is_live_at(&shared, recorded), created = shared.created;
    vmem_shared_close(&shared, false);
    if (!live || recorded != (uintptr_t)in_use || injected(step))
        return fail(failure, step, BUFFERS_ERROR_LOCATOR, "'%s' opened again%s records %#llx (%s); the locator in use "
                    "is at %#llx", shared.where, created ? " as a new object" : "", (unsigned long long)recorded,
                    live ? "live" : "not seen as live", (unsigned long long)(uintptr_t)in_use);
    return true;
}

bool self_check_run_steps(self_check_failure *failure) {
    return near_own_code(failure) && low_memory(failure) && second_lookup(failure);
}
#endif
