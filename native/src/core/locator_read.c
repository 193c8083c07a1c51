#include "core/locator_read.h"

#include <stdio.h>
#include <string.h>

#include "core/locator.h"

/* Little-endian words, whatever this machine's order and alignment. */
static uint64_t word_at(const unsigned char *at, size_t size) {
    uint64_t value = 0;
    for (size_t i = size; i-- > 0;) value = value << 8 | at[i];
    return value;
}

static size_t header_size(uint32_t pointer_size) {
    return 2 * (size_t)pointer_size + 8;
}

static size_t item_size(uint32_t pointer_size) {
    return (size_t)pointer_size + 12;
}

/* Which layout the items are in: the word after the base is "taken" (0 or 1) in the document's,
 * a size (at least a page) in Rust's. False when the items agree on neither. */
static bool settle_layout(const unsigned char *block, uint32_t p, uint32_t count, uint32_t page_size, bool *rust) {
    bool document_fits = true, rust_fits = true;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t first = word_at(block + header_size(p) + i * item_size(p) + p, 4);
        document_fits &= first <= 1;
        rust_fits &= first >= page_size;
    }
    *rust = !document_fits && rust_fits;
    return document_fits || rust_fits;
}

static bool parse_width(const unsigned char *block, uint32_t p, uint32_t page_size, locator_snapshot *out,
                        char *why, size_t why_size) {
    uint64_t lock = word_at(block + 2 * p, 4);
    unsigned flags = block[2 * p + 4];
    uint32_t count = block[2 * p + 5] > block[2 * p + 7] ? block[2 * p + 5] : block[2 * p + 7];
    uint32_t max = (uint32_t)((LOCATOR_SIZE - header_size(p)) / item_size(p));
    if (lock > 1) return snprintf(why, why_size, "lock field is %llu, not 0 or 1", (unsigned long long)lock), false;
    if ((flags & LOCATOR_VERSION_MASK) != LOCATOR_VERSION)
        return snprintf(why, why_size, "unknown locator format version %u", flags & LOCATOR_VERSION_MASK), false;
    if (count > max) return snprintf(why, why_size, "item count %u exceeds the maximum %u", count, max), false;
    if (!settle_layout(block, p, count, page_size, &out->rust_layout))
        return snprintf(why, why_size, "its %u items are in neither item layout", count), false;
    out->this_address = word_at(block, p);
    out->next_address = word_at(block + p, p);
    out->pointer_size = p;
    out->item_count = count;
    out->locked = lock != 0;
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *item = block + header_size(p) + i * item_size(p);
        uint32_t w[3] = {(uint32_t)word_at(item + p, 4), (uint32_t)word_at(item + p + 4, 4),
                         (uint32_t)word_at(item + p + 8, 4)};
        out->items[i].base = word_at(item, p);
        out->items[i].taken = (out->rust_layout ? w[2] : w[0]) != 0;
        out->items[i].size = out->rust_layout ? w[0] : w[1];
        out->items[i].position = out->rust_layout ? w[1] : w[2];
    }
    return true;
}

bool locator_snapshot_parse(const unsigned char *block, uint32_t pointer_size, uint32_t page_size,
                            locator_snapshot *out, char *why, size_t why_size) {
    if (pointer_size == 8 || pointer_size == 4) return parse_width(block, pointer_size, page_size, out, why, why_size);
    char as64[128], as32[128];
    if (parse_width(block, 8, page_size, out, as64, sizeof as64)) return true;
    if (parse_width(block, 4, page_size, out, as32, sizeof as32)) return true;
    snprintf(why, why_size, "not a locator: as 64-bit, %s; as 32-bit, %s", as64, as32);
    return false;
}
