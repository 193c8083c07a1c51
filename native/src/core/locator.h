/* The shared locator: the binary format of SPEC.md (version 0) and the operations on it. A locator
 * is one 4096-byte block (header + items); further locators are chained through the header's
 * next-locator address. The layout is asserted field by field below, for 64- and 32-bit.
 *
 * Item layouts (docs/format.md): the document orders an item's three 32-bit words taken, size,
 * position; upstream Rust v4 orders them size, position, taken. A chain uses one layout, chosen when
 * it is created or adopted, and every item access names it. The item count lives at header offset
 * 21 (document, Rust) and 23 (upstream C#): both are read (the larger wins) and both are written. */
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

/* Names of the shared objects of a chain (docs/format.md, "Further locators"): the first locator of
 * process <pid> is "<prefix><pid>"; the locator chained after the one at address A (in that
 * process) is "<prefix><pid>, after 0x<A in lowercase hex>", so whoever walks the chain can name
 * each next object from the address it just read. */
#define LOCATOR_NAME_PREFIX "Reloaded.Memory.Buffers.MemoryBuffer, PID "
#define LOCATOR_FURTHER_INFIX ", after 0x"
/* The first locator of the write-xor-execute chain is "<prefix><pid>" LOCATOR_DUAL_SUFFIX: a name
 * the upstream libraries never open, so they are never handed a buffer they would write to at its
 * read+execute address (docs/format.md, "Write-xor-execute buffers"). */
#define LOCATOR_DUAL_SUFFIX ", write-xor-execute"
#define LOCATOR_NAME_MAX 96   /* room for the longest name (64-bit address, 10-digit pid) */

typedef struct locator_header {
    uintptr_t           this_address;  /* address of the first mapping ever made */
    _Atomic(uintptr_t)  next_locator;  /* 0 if none; set once under the lock */
    _Atomic(uint32_t)   lock;          /* 0 free, 1 taken; compare-and-swap only */
    uint8_t             flags;         /* version in the low 3 bits, 5 reserved */
    _Atomic(uint8_t)    item_count;    /* items in use (document, Rust); only grows */
    uint8_t             reserved;
    _Atomic(uint8_t)    item_count_at_23; /* the same count where upstream C# keeps it */
} locator_header;

typedef enum locator_layout {
    LOCATOR_LAYOUT_DOCUMENT = 0,   /* base, taken, size, position */
    LOCATOR_LAYOUT_RUST = 1        /* base, size, position, taken */
} locator_layout;

enum item_field { ITEM_TAKEN = 0, ITEM_SIZE = 1, ITEM_POSITION = 2 };

/* The base address is stored as 32-bit words: on 64-bit, odd items put it on a 4-byte boundary.
 * The three words after it are taken (0 free, 1 in use; compare-and-swap only), size (written
 * before the item is published) and position (changed only by the item's holder), in the order of
 * the chain's layout: reach them through item_field. */
typedef struct locator_item {
    uint32_t            base_words[sizeof(uintptr_t) / 4];
    _Atomic(uint32_t)   words[3];
} locator_item;

/* The word of item that holds field in layout: document 0,1,2; Rust moves taken last. */
static inline _Atomic(uint32_t) *item_field(locator_item *item, locator_layout layout, enum item_field field) {
    return &item->words[layout == LOCATOR_LAYOUT_RUST ? ((unsigned)field + 2u) % 3u : (unsigned)field];
}

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
_Static_assert(offsetof(locator_header, item_count_at_23) == 23, "C# item count at 23");
_Static_assert(sizeof(locator_item) == 20, "64-bit item is 20 bytes");
_Static_assert(offsetof(locator_item, words) == 8, "three words from 8: 8, 12, 16");
_Static_assert(LOCATOR_MAX_ITEMS == 203, "203 items per 64-bit locator");
#elif UINTPTR_MAX == 0xFFFFFFFFu
_Static_assert(sizeof(locator_header) == 16, "32-bit header is 16 bytes");
_Static_assert(offsetof(locator_header, this_address) == 0, "this address at 0");
_Static_assert(offsetof(locator_header, next_locator) == 4, "next locator at 4");
_Static_assert(offsetof(locator_header, lock) == 8, "lock at 8");
_Static_assert(offsetof(locator_header, flags) == 12, "flags at 12");
_Static_assert(offsetof(locator_header, item_count) == 13, "item count at 13");
_Static_assert(offsetof(locator_header, reserved) == 14, "reserved at 14");
_Static_assert(offsetof(locator_header, item_count_at_23) == 15, "C# item count at 15");
_Static_assert(sizeof(locator_item) == 16, "32-bit item is 16 bytes");
_Static_assert(offsetof(locator_item, words) == 4, "three words from 4: 4, 8, 12");
_Static_assert(LOCATOR_MAX_ITEMS == 255, "255 items per 32-bit locator");
#else
#error "libbuffers supports 32- and 64-bit pointers only"
#endif
_Static_assert(offsetof(locator, items) == sizeof(locator_header), "items follow the header");
_Static_assert(sizeof(locator) <= LOCATOR_SIZE, "a locator fits its 4096-byte block");
_Static_assert(sizeof(_Atomic(uint32_t)) == 4 && sizeof(_Atomic(uint8_t)) == 1, "atomics add no bytes");

/* Keeps loc's own block (its first LOCATOR_SIZE bytes) out of children made by fork(): a shared
 * mapping inherited by a child would let it (after dropping privileges, say) plant items the
 * parent writes code into. Only where a page holds no more than the block: bytes past it are code
 * chunks a child may be running. */
void locator_keep_from_fork(const locator *loc);

/* The size of a locator's mapping: the allocation granularity, at least LOCATOR_SIZE (bytes past
 * the first 4096 become code chunks where the mapping can be executable). */
size_t locator_block_size(void);

/* True if this library reads the format version loc's flags give (the low 3 bits, as both
 * references read them); *version is that version, for the refusal's text. */
bool locator_version_readable(const locator *loc, unsigned *version);

/* Writes the name of the first locator of process pid ("<prefix><pid>"). Pure. False (out holds a
 * cut name) only if size is below LOCATOR_NAME_MAX. */
bool locator_first_name(char *out, size_t size, uint32_t pid);

/* The same for the write-xor-execute chain's first locator ("<prefix><pid>" LOCATOR_DUAL_SUFFIX). */
bool locator_dual_first_name(char *out, size_t size, uint32_t pid);

/* Writes the name of the further locator that process pid chains after its locator at previous.
 * Pure. False (out holds a cut name) only if size is below LOCATOR_NAME_MAX. */
bool locator_further_name(char *out, size_t size, uint32_t pid, uintptr_t previous);

/* The layout locator_initialize writes new locators in (document unless opted in to Rust's). */
void           locator_set_creation_layout(locator_layout layout);
locator_layout locator_creation_layout(void);

/* What a locator's items say about the layout it was made in (pure; see docs/format.md). */
typedef enum locator_detected {
    LOCATOR_DETECTED_EMPTY,      /* no items: cannot tell */
    LOCATOR_DETECTED_DOCUMENT,   /* every item's word at offset 8 (32-bit: 4) is 0 or 1: taken */
    LOCATOR_DETECTED_RUST,       /* every item's word there is at least page_size: a size */
    LOCATOR_DETECTED_MIXED       /* neither: not safe to write into */
} locator_detected;
locator_detected locator_detect_layout(const locator *loc, uint32_t page_size);

/* Writes a fresh header at loc (whose first mapping is at this_address) and, if the block is
 * bigger than 4096 bytes and executable, registers the rest as chunks of at most 16384 bytes, each
 * at its own address, in the creation layout. */
void locator_initialize(locator *loc, uintptr_t this_address, size_t block_size, bool chunks_executable);
/* As locator_initialize, in the given layout (a further locator of a chain takes the chain's). */
void locator_initialize_in(locator *loc, uintptr_t this_address, size_t block_size, bool chunks_executable,
                           locator_layout layout);

/* One item's fields, read once. */
typedef struct item_view {
    uintptr_t base;
    uint32_t  size, position;
    bool      taken;
} item_view;

uintptr_t item_base_address(const locator_item *item);
item_view item_read(locator_item *item, locator_layout layout);
/* Allocated, at least size bytes left, free part starts at or above min, last byte at or below max. */
bool      item_view_can_use(const item_view *view, uint32_t size, uintptr_t min, uintptr_t max);
bool      item_try_lock(locator_item *item, locator_layout layout);
void      item_unlock(locator_item *item, locator_layout layout);

void locator_lock(locator *loc);     /* spins (yielding) until the header lock is ours */
void locator_unlock(locator *loc);
/* The larger of the counts at offsets 21 and 23, at most LOCATOR_MAX_ITEMS. */
uint32_t locator_item_count(const locator *loc);
locator *locator_next(const locator *loc);

/* First item in loc (only: walking the chain is core/chain.h's, chain_find_locked) that can serve
 * the request, locked (checked again under the lock); NULL if none. A plain linear scan: the
 * engine's index does this in O(1). */
locator_item *locator_find_locked_here(locator *loc, locator_layout layout, uint32_t size, uintptr_t min,
                                       uintptr_t max);

/* Registers the buffer [base, base + size) in loc, its item returned already locked; NULL when loc
 * is full. It never chains: chain_register_in (core/chain.h) walks a chain and extends it. */
locator_item *locator_register_here_locked(locator *loc, locator_layout layout, uintptr_t base, uint32_t size);

/* Calls fn for every registered item of the chain in order; fn returns true to stop. */
typedef bool (*locator_item_fn)(const locator *owner, const item_view *item, void *context);
void locator_for_each_item(locator *first, locator_layout layout, locator_item_fn fn, void *context);

#endif
