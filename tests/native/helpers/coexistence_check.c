#include "coexistence_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned printed;

void report_problem(const char *format, ...) {
    if (printed++ >= 20) return;
    va_list args;
    va_start(args, format);
    printf("problem: ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
}

/* The tag itself in the first bytes, then bytes that depend on tag and index. */
void pattern_fill(uint8_t *out, uint32_t size, uint32_t tag) {
    for (uint32_t i = 0; i < size; i++)
        out[i] = i < 4 ? (uint8_t)(tag >> (8 * i)) : (uint8_t)(tag * 2654435761u + i * 40503u + (i >> 8));
}

static int by_address(const void *a, const void *b) {
    uintptr_t x = ((const written *)a)->address, y = ((const written *)b)->address;
    return x < y ? -1 : x > y;
}

size_t check_writes(written *all, size_t count) {
    size_t problems = 0;
    uint8_t expected[65536];
    for (size_t i = 0; i < count; i++) {
        const written *w = &all[i];
        if (!w->address) {
            report_problem("write %#x (side %d, %u bytes) failed", w->tag, w->side, w->size);
            problems++;
            continue;
        }
        pattern_fill(expected, w->size, w->tag);
        const uint8_t *got = (const uint8_t *)w->address;
        for (uint32_t b = 0; b < w->size; b++) {
            if (got[b] == expected[b]) continue;
            report_problem("write %#x (side %d) at %#lx: byte %u is %#x, wrote %#x", w->tag, w->side,
                           (unsigned long)w->address, b, got[b], expected[b]);
            problems++;
            break;
        }
    }
    qsort(all, count, sizeof *all, by_address);
    for (size_t i = 1; i < count; i++) {
        const written *a = &all[i - 1], *b = &all[i];
        if (!a->address || a->address + a->size <= b->address) continue;
        report_problem("writes overlap: %#x (side %d) [%#lx, +%u) and %#x (side %d) [%#lx, +%u)", a->tag, a->side,
                       (unsigned long)a->address, a->size, b->tag, b->side, (unsigned long)b->address, b->size);
        problems++;
    }
    return problems;
}

static const buffer_view *containing(const side_view *view, uintptr_t address) {
    for (size_t i = 0; i < view->count; i++) {
        const buffer_view *b = &view->buffers[i];
        if (address >= b->base && address - b->base < b->size) return b;
    }
    return NULL;
}

size_t check_view(const side_view *view, const written *all, size_t count) {
    size_t problems = 0;
    for (size_t i = 0; i < count; i++) {
        const written *w = &all[i];
        if (!w->address) continue;
        const buffer_view *b = containing(view, w->address);
        if (!b) {
            if (w->side == view->side) {
                report_problem("%s wrote %#x at %#lx, outside every buffer it lists", view->name, w->tag,
                               (unsigned long)w->address);
                problems++;
            }
            continue;
        }
        uint64_t end = (uint64_t)(w->address - b->base) + w->size;
        if (end > b->size || end > b->position) {
            report_problem("%s: write %#x (side %d) ends at +%llu of buffer %#lx (size %u, position %u): %s", view->name,
                           w->tag, w->side, (unsigned long long)end, (unsigned long)b->base, b->size, b->position,
                           end > b->size ? "past its end" : "those bytes would be handed out again");
            problems++;
        }
    }
    return problems;
}

static int by_base(const void *a, const void *b) {
    uintptr_t x = ((const buffer_view *)a)->base, y = ((const buffer_view *)b)->base;
    return x < y ? -1 : x > y;
}

size_t check_views_agree(side_view *a, side_view *b) {
    qsort(a->buffers, a->count, sizeof *a->buffers, by_base);
    qsort(b->buffers, b->count, sizeof *b->buffers, by_base);
    size_t problems = 0;
    if (a->count != b->count) {
        report_problem("%s lists %zu buffers, %s lists %zu", a->name, a->count, b->name, b->count);
        problems++;
    }
    for (size_t i = 0; i < a->count && i < b->count; i++) {
        const buffer_view *x = &a->buffers[i], *y = &b->buffers[i];
        if (x->base == y->base && x->size == y->size && x->position == y->position) continue;
        report_problem("buffer %zu: %s sees %#lx size %u position %u, %s sees %#lx size %u position %u", i, a->name,
                       (unsigned long)x->base, x->size, x->position, b->name, (unsigned long)y->base, y->size,
                       y->position);
        problems++;
    }
    return problems;
}
