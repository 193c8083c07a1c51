/* libFuzzer target for the pure parts: any text given to the maps parser yields ascending,
 * disjoint, non-empty gaps below the maximum, and every start range_best_start picks inside such a
 * gap honours the gap, the request and the granularity. Build: clang -fsanitize=fuzzer,address. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pure/address_range.h"
#include "pure/maps.h"

#define CHECK(condition) \
    do {                 \
        if (!(condition)) abort(); \
    } while (0)

typedef struct walk {
    uintptr_t max, previous_end, min, request_max, target;
    size_t size, granularity;
    int gaps;
} walk;

static bool check_gap(uintptr_t start, uintptr_t end, void *context) {
    walk *w = context;
    CHECK(start < end);
    CHECK(w->gaps == 0 || start > w->previous_end || (start == w->previous_end && start == 0));
    CHECK(w->max == UINTPTR_MAX ? true : end <= w->max + 1);
    w->previous_end = end;
    w->gaps++;
    uintptr_t chosen;
    if (range_best_start(start, end, w->min, w->request_max, w->size, w->granularity, w->target, &chosen)) {
        CHECK(chosen >= start && chosen >= w->min);
        CHECK(chosen % w->granularity == 0);
        CHECK(w->size <= end - chosen);
        CHECK(w->size - 1 <= w->request_max - chosen);   /* the last byte is at or below max */
    }
    return false;
}

/* Regions as the buffer-memory check sees them: only ascending, disjoint entries are kept. */
typedef struct regions {
    maps_region list[64];
    size_t count;
    const char *text;
    size_t length;
} regions;

static bool keep_region(const maps_entry *entry, void *context) {
    regions *r = context;
    CHECK(entry->name >= r->text && entry->name + entry->name_length <= r->text + r->length);
    if (r->count == 64 || (r->count && entry->start < r->list[r->count - 1].end)) return false;
    r->list[r->count++] = maps_region_of(entry);
    return false;
}

static bool inside_buffer_region(const regions *r, uintptr_t address) {
    for (size_t i = 0; i < r->count; i++)
        if (address >= r->list[i].start && address < r->list[i].end) return r->list[i].kind == MAPS_KIND_BUFFER;
    return false;
}

static const maps_region *region_holding(const regions *r, uintptr_t address) {
    for (size_t i = 0; i < r->count; i++)
        if (address >= r->list[i].start && address < r->list[i].end) return &r->list[i];
    return NULL;
}

/* A pair called write-xor-execute views: both ends of the code view read+execute and not writable,
 * both ends of the write view writable and not executable, of one object. */
static void check_dual_ends(const regions *r, uintptr_t code, uintptr_t write, uintptr_t size) {
    const uint8_t w = MAPS_WRITE, x = MAPS_EXECUTE;
    uintptr_t ends[2] = {0, size - 1};
    for (int i = 0; i < 2; i++) {
        const maps_region *c = region_holding(r, code + ends[i]), *v = region_holding(r, write + ends[i]);
        CHECK(c && v && c->dual && v->dual && c->inode == v->inode && (c->permissions & x) && !(c->permissions & w) &&
              (v->permissions & w) && !(v->permissions & x));
    }
}

/* A range called buffer memory (no home) has its first and last byte in buffer regions. */
static void check_buffer_ranges(const char *text, size_t length, uintptr_t start, uintptr_t size, uintptr_t other) {
    regions r = {.count = 0, .text = text, .length = length};
    maps_for_each_entry(text, length, keep_region, &r);
    if (maps_check_range(r.list, r.count, start, size, 0, 0) == MAPS_KIND_BUFFER) {
        CHECK(size > 0 && inside_buffer_region(&r, start) && inside_buffer_region(&r, start + (size - 1)));
    }
    if (maps_check_dual(r.list, r.count, start, other, size) == MAPS_KIND_BUFFER && other) {
        CHECK(size > 0);
        check_dual_ends(&r, start, other, size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4 * sizeof(uintptr_t)) return 0;
    walk w;
    memset(&w, 0, sizeof w);
    uintptr_t numbers[4];
    memcpy(numbers, data, sizeof numbers);
    data += sizeof numbers;
    size -= sizeof numbers;
    w.max = numbers[0] | 0xFFF;
    w.min = numbers[1] < numbers[2] ? numbers[1] : numbers[2];
    w.request_max = numbers[1] < numbers[2] ? numbers[2] : numbers[1];
    w.target = numbers[3];
    w.granularity = (size_t)1 << (12 + (numbers[3] & 7));
    w.size = w.granularity * (1 + ((numbers[3] >> 3) & 15));
    maps_for_each_gap((const char *)data, size, w.max, check_gap, &w);
    check_buffer_ranges((const char *)data, size, numbers[1], numbers[2] & 0xFFFFF, numbers[0]);
    return 0;
}
