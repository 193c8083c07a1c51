/* The shared locator: the binary format of SPEC.md (version 0) and the operations on it. A locator
 * is one 4096-byte block (header + items); further locators are chained through the header's
 * next-locator address. The layout is asserted field by field below, for 64- and 32-bit. */
#ifndef BUFFERS_LOCATOR_H
#define BUFFERS_LOCATOR_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <reloaded/buffers.h>

#define LOCATOR_SIZE        4096u   /* one locator block */
#define LOCATOR_CHUNK_SIZE  16384u  /* mapping bytes past the first 4096 are registered in chunks of this */
#define LOCATOR_VERSION     0u
#define LOCATOR_VERSION_MASK 0x07u  /* version: the low 3 bits of flags (as both references do) */

typedef struct locator_header {
    uintptr_t           this_address;  /* address of the first mapping ever made */
    _Atomic(uintptr_t)  next_locator;  /* 0 if none; set once under the lock */
    _Atomic(uint32_t)   lock;          /* 0 free, 1 taken; compare-and-swap only */
    uint8_t             flags;         /* version in the low 3 bits, 5 reserved */
    _Atomic(uint8_t)    item_count;    /* items in use; only grows; published with release */
    uint16_t            reserved;
} locator_header;

/* The base address is stored as 32-bit words: on 64-bit, odd items put it on a 4-byte boundary. */
typedef struct locator_item {
    uint32_t            base_words[sizeof(uintptr_t) / 4];
    _Atomic(uint32_t)   taken;         /* 0 free, 1 in use; compare-and-swap only */
    uint32_t            size;          /* bytes in the buffer; written before the item is published */
    _Atomic(uint32_t)   position;      /* bytes handed out; changed only by the item's holder */
} locator_item;

#define LOCATOR_MAX_ITEMS ((LOCATOR_SIZE - sizeof(locator_header)) / sizeof(locator_item))

typedef struct locator {
    locator_header header;
    locator_item   items[LOCATOR_MAX_ITEMS];
} locator;

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
_Static_assert(sizeof(locator_header) == 24, "64-bit header is 24 bytes");
_Static_assert(offsetof(locator_header, this_address) == 0, "this address at 0");
_Static_assert(offsetof(locator_header, next_locator) == 8, "next locator at 8");
_Static_assert(offsetof(locator_header, lock) == 16, "lock at 16");
_Static_assert(offsetof(locator_header, flags) == 20, "flags at 20");
_Static_assert(offsetof(locator_header, item_count) == 21, "item count at 21");
_Static_assert(offsetof(locator_header, reserved) == 22, "reserved at 22");
_Static_assert(sizeof(locator_item) == 20, "64-bit item is 20 bytes");
_Static_assert(offsetof(locator_item, taken) == 8, "taken at 8");
_Static_assert(offsetof(locator_item, size) == 12, "size at 12");
_Static_assert(offsetof(locator_item, position) == 16, "position at 16");
_Static_assert(LOCATOR_MAX_ITEMS == 203, "203 items per 64-bit locator");
#elif UINTPTR_MAX == 0xFFFFFFFFu
_Static_assert(sizeof(locator_header) == 16, "32-bit header is 16 bytes");
_Static_assert(offsetof(locator_header, this_address) == 0, "this address at 0");
_Static_assert(offsetof(locator_header, next_locator) == 4, "next locator at 4");
_Static_assert(offsetof(locator_header, lock) == 8, "lock at 8");
_Static_assert(offsetof(locator_header, flags) == 12, "flags at 12");
_Static_assert(offsetof(locator_header, item_count) == 13, "item count at 13");
_Static_assert(offsetof(locator_header, reserved) == 14, "reserved at 14");
_Static_assert(sizeof(locator_item) == 16, "32-bit item is 16 bytes");
_Static_assert(offsetof(locator_item, taken) == 4, "taken at 4");
_Static_assert(offsetof(locator_item, size) == 8, "size at 8");
_Static_assert(offsetof(locator_item, position) == 12, "position at 12");
_Static_assert(LOCATOR_MAX_ITEMS == 255, "255 items per 32-bit locator");
#else
#error "libbuffers supports 32- and 64-bit pointers only"
#endif
_Static_assert(offsetof(locator, items) == sizeof(locator_header), "items follow the header");
_Static_assert(sizeof(locator) <= LOCATOR_SIZE, "a locator fits its 4096-byte block");
_Static_assert(sizeof(_Atomic(uint32_t)) == 4 && sizeof(_Atomic(uint8_t)) == 1, "atomics add no bytes");

/* Writes a fresh header at loc (whose first mapping is at this_address) and, if the block is
 * bigger than 4096 bytes and executable, registers the rest as chunks of at most 16384 bytes, each
 * at its own address. */
void locator_initialize(locator *loc, uintptr_t this_address, size_t block_size, bool chunks_executable);

uintptr_t item_base_address(const locator_item *item);
uint32_t  item_bytes_left(const locator_item *item);
/* Allocated, at least size bytes left, free part starts at or above min, buffer ends at or below max. */
bool      item_can_use(const locator_item *item, uint32_t size, uintptr_t min, uintptr_t max);
bool      item_try_lock(locator_item *item);
void      item_unlock(locator_item *item);
bool      item_is_taken(const locator_item *item);

void locator_lock(locator *loc);     /* spins (yielding) until the header lock is ours */
void locator_unlock(locator *loc);
uint32_t locator_item_count(const locator *loc);
locator *locator_next(const locator *loc);

/* First item in the chain from first that can serve the request, locked (checked again under the
 * lock); NULL if none. */
locator_item *locator_find_locked(locator *first, uint32_t size, uintptr_t min, uintptr_t max);

/* Registers the buffer [base, base + size) in the first locator of the chain with a free slot,
 * chaining a new locator when all are full, and returns its item already locked. */
buffers_status locator_register_locked(locator *first, uintptr_t base, uint32_t size, locator_item **out);

/* Calls fn for every registered item of the chain in order; fn returns true to stop. */
typedef bool (*locator_item_fn)(const locator *owner, const locator_item *item, void *context);
void locator_for_each_item(const locator *first, locator_item_fn fn, void *context);

#endif
