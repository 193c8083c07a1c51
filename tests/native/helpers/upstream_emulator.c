/* The part both upstream stand-ins share: finding the locator (upstream.md 3.2), GetBuffer
 * (section 5), CanUse/TryLock/Append (1.5), all through the flavour's layout and lock. Fields are
 * reached by byte offset so one code path serves both layouts and both pointer widths. Shared
 * fields are read and written with atomics (relaxed where upstream uses plain accesses, which on
 * x86 compile to the same instructions) so the thread sanitizer judges libbuffers, not the stand-in. */
#define _DEFAULT_SOURCE
#include "upstream_flavour.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { LOCATOR_LENGTH = 4096, CHUNK_LENGTH = 16384, MAX_RETRIES = 100000 };

struct upstream_library {
    const upstream_flavour *flavour;
    _Atomic(uintptr_t) cached;            /* the static locator pointer of the real library */
    pthread_mutex_t finding;              /* the process-local lock around Find() */
    atomic_uint overrun_retries;
};

#define P sizeof(uintptr_t)
#define NEXT_OFFSET P
#define LOCK_OFFSET (2 * P)
#define FLAGS_OFFSET (2 * P + 4)

static uint8_t *at(uintptr_t base, size_t offset) { return (uint8_t *)(base + offset); }
static uint32_t load32(uintptr_t base, size_t offset) { return __atomic_load_n((uint32_t *)at(base, offset), __ATOMIC_RELAXED); }
static void store32(uintptr_t base, size_t offset, uint32_t v) { __atomic_store_n((uint32_t *)at(base, offset), v, __ATOMIC_RELAXED); }
static uintptr_t load_pointer(uintptr_t base, size_t offset) {
    uintptr_t value;
    memcpy(&value, at(base, offset), P);   /* odd 64-bit items put it on a 4-byte boundary */
    return value;
}
static void store_pointer(uintptr_t base, size_t offset, uintptr_t value) { memcpy(at(base, offset), &value, P); }

static size_t granularity(void) { return (size_t)sysconf(_SC_PAGESIZE); }
uintptr_t upstream_max_address(void) { return P == 8 ? (uintptr_t)0x7FFFFFFFFFFFull : (uintptr_t)0xFFFFFFFFu; }

upstream_library *upstream_library_new(const upstream_flavour *flavour) {
    upstream_library *library = calloc(1, sizeof *library);
    if (!library) return NULL;
    library->flavour = flavour;
    pthread_mutex_init(&library->finding, NULL);
    return library;
}

const upstream_layout *upstream_layout_of(const upstream_library *library) { return &library->flavour->layout; }
unsigned upstream_overrun_retries(const upstream_library *library) { return atomic_load(&library->overrun_retries); }

void upstream_make_directories(const char *directory, unsigned mode) {
    char path[512];
    snprintf(path, sizeof path, "%s", directory);
    for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, mode);
        *slash = '/';
    }
    mkdir(path, mode);
}

/* ---- the header ---- */

static uint8_t count_of(const upstream_layout *l, uintptr_t header) {
    return __atomic_load_n(at(header, l->count_offset), __ATOMIC_ACQUIRE);
}
static size_t max_items(const upstream_layout *l) { return (LOCATOR_LENGTH - l->header_size) / l->item_size; }
static uintptr_t item_at(const upstream_layout *l, uintptr_t header, size_t i) {
    return header + l->header_size + i * l->item_size;
}
static void lock_header(uintptr_t header) {
    uint32_t expected = 0;
    while (!__atomic_compare_exchange_n((uint32_t *)at(header, LOCK_OFFSET), &expected, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        expected = 0;
        sched_yield();
    }
}
static void unlock_header(uintptr_t header) { __atomic_store_n((uint32_t *)at(header, LOCK_OFFSET), 0, __ATOMIC_RELEASE); }

/* Writes item i (taken as given) and publishes count i + 1; the header lock is held. */
static uintptr_t publish_item(const upstream_layout *l, uintptr_t header, size_t i, uintptr_t base, uint32_t size,
                              uint32_t taken) {
    uintptr_t item = item_at(l, header, i);
    store_pointer(item, 0, base);
    store32(item, l->size_offset, size);
    store32(item, l->position_offset, 0);
    store32(item, l->taken_offset, taken);
    __atomic_store_n(at(header, l->count_offset), (uint8_t)(i + 1), __ATOMIC_RELEASE);
    return item;
}

/* Initialize(length): header fields, then the bytes past 4096 as chunks of at most 16384. Upstream
 * Rust puts every chunk at header + 4096 (upstream.md 3.4); the stand-in does not copy that bug. */
static void initialise(const upstream_layout *l, uintptr_t header, size_t length) {
    store_pointer(header, 0, header);
    store_pointer(header, NEXT_OFFSET, 0);
    store32(header, LOCK_OFFSET, 0);
    *at(header, FLAGS_OFFSET) = 0;
    *at(header, l->count_offset) = 0;
    size_t n = 0;
    for (size_t offset = LOCATOR_LENGTH; offset < length && n < max_items(l); offset += CHUNK_LENGTH, n++) {
        size_t left = length - offset;
        publish_item(l, header, n, header + offset, (uint32_t)(left < CHUNK_LENGTH ? left : CHUNK_LENGTH), 0);
    }
}

/* ---- Find() ---- */

static uintptr_t find(const upstream_flavour *f) {
    const char *root = getenv("BUFFERS_SHARED_ROOT");
    char directory[400], path[512];
    snprintf(directory, sizeof directory, "%s/.reloaded/memory.buffers", root && *root ? root : "/tmp");
    snprintf(path, sizeof path, "%s/Reloaded.Memory.Buffers.MemoryBuffer, PID %d", directory, (int)getpid());
    bool existed = false;
    int fd = f->open_file(directory, path, &existed);
    if (fd < 0) return 0;
    size_t length = granularity();
    void *view = mmap(NULL, length, f->map_protection, MAP_SHARED, fd, 0);
    if (view == MAP_FAILED && (f->map_protection & PROT_EXEC))   /* noexec /tmp, or W^X */
        view = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (view == MAP_FAILED) return close(fd), 0;
    uintptr_t header = (uintptr_t)view;
    if (existed) {   /* believe "this address" and drop our view, as upstream does */
        uintptr_t recorded = load_pointer(header, 0);
        munmap(view, length);
        close(fd);
        return recorded;
    }
    initialise(&f->layout, header, length);   /* the mapping (and descriptor) are kept forever */
    return header;
}

uintptr_t upstream_locator_address(upstream_library *library) {
    uintptr_t known = atomic_load(&library->cached);
    if (known) return known;
    pthread_mutex_lock(&library->finding);   /* no second look at the cache: upstream has none */
    known = find(library->flavour);
    if (known) atomic_store(&library->cached, known);
    pthread_mutex_unlock(&library->finding);
    return known;
}

/* ---- items ---- */

uint32_t upstream_bytes_left(upstream_library *library, const upstream_item *item) {
    const upstream_layout *l = &library->flavour->layout;
    uintptr_t it = (uintptr_t)item;
    return load32(it, l->size_offset) - load32(it, l->position_offset);   /* wraps, as upstream's u32 does */
}

static bool can_use(upstream_library *library, uintptr_t item, uint32_t size, uintptr_t min, uintptr_t max) {
    const upstream_layout *l = &library->flavour->layout;
    uintptr_t base = load_pointer(item, 0);
    if (base == 0 || upstream_bytes_left(library, (const upstream_item *)item) < size) return false;
    uintptr_t start = base + load32(item, l->position_offset);
    uint32_t item_size = load32(item, l->size_offset);
    uintptr_t end = base > UINTPTR_MAX - item_size ? UINTPTR_MAX : base + item_size;
    return start >= min && end <= max;   /* the exclusive end against max, as upstream */
}

static bool try_lock(upstream_library *library, uintptr_t item) {
    uint32_t *taken = (uint32_t *)at(item, library->flavour->layout.taken_offset);
    if (library->flavour->swap_lock) return __atomic_exchange_n(taken, 1, __ATOMIC_SEQ_CST) == 0;
    uint32_t expected = 0;
    return __atomic_compare_exchange_n(taken, &expected, 1, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

void upstream_release(upstream_library *library, upstream_item *item) {
    __atomic_store_n((uint32_t *)at((uintptr_t)item, library->flavour->layout.taken_offset), 0, __ATOMIC_SEQ_CST);
}

uintptr_t upstream_append(upstream_library *library, upstream_item *item, const void *data, uint32_t size) {
    const upstream_layout *l = &library->flavour->layout;
    uintptr_t it = (uintptr_t)item;
    uint32_t position = load32(it, l->position_offset);
    uintptr_t address = load_pointer(it, 0) + position;
    memcpy((void *)address, data, size);
    store32(it, l->position_offset, position + size);
    return address;
}

/* ---- GetBuffer ---- */

/* A mapping of length bytes (executable where allowed) at hint if free, else where the OS puts it. */
static void *map_near(void *hint, size_t length) {
    void *p = mmap(hint, length, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) p = mmap(hint, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p;
}

/* A new buffer in [min, max], or 0. Upstream walks the free regions; the stand-in takes what the OS
 * gives, and when that is outside the range (a 48-bit aarch64 kernel maps above upstream's 47-bit
 * maximum) asks once more with the middle of the range as a hint. */
static uintptr_t allocate_buffer(uint32_t size, uintptr_t min, uintptr_t max, uint32_t *rounded) {
    size_t g = granularity();
    size_t length = ((size ? size : 1) + g - 1) / g * g;
    void *p = map_near(NULL, length);
    if (p != MAP_FAILED && ((uintptr_t)p < min || (uintptr_t)p + length > max)) {
        munmap(p, length);
        p = map_near((void *)((min + (max - min) / 2) / g * g), length);
    }
    if (p == MAP_FAILED) return 0;
    if ((uintptr_t)p < min || (uintptr_t)p + length > max) return munmap(p, length), 0;
    *rounded = (uint32_t)length;
    return (uintptr_t)p;
}

typedef enum { ALLOCATED, LOCATOR_FULL, NO_MEMORY } allocate_outcome;

/* TryAllocateItem: under the header lock, allocate, register locked, publish the count. */
static allocate_outcome try_allocate_item(upstream_library *library, uintptr_t header, uint32_t size, uintptr_t min,
                                          uintptr_t max, uintptr_t *out) {
    const upstream_layout *l = &library->flavour->layout;
    if (count_of(l, header) >= max_items(l)) return LOCATOR_FULL;
    lock_header(header);
    size_t n = count_of(l, header);
    if (n >= max_items(l)) return unlock_header(header), LOCATOR_FULL;
    uint32_t rounded = 0;
    uintptr_t base = allocate_buffer(size, min, max, &rounded);   /* upstream allocates under the lock too */
    if (base) *out = publish_item(l, header, n, base, rounded, 1);
    unlock_header(header);
    return base ? ALLOCATED : NO_MEMORY;
}

/* GetNextLocator: the next header, made (under the header lock) if there is none. */
static uintptr_t next_locator(upstream_library *library, uintptr_t header) {
    uintptr_t next = __atomic_load_n((uintptr_t *)at(header, NEXT_OFFSET), __ATOMIC_ACQUIRE);
    if (next) return next;
    lock_header(header);
    next = __atomic_load_n((uintptr_t *)at(header, NEXT_OFFSET), __ATOMIC_ACQUIRE);
    if (!next) {
        size_t length = granularity();
        void *memory = library->flavour->allocate_locator(length);
        if (memory) {
            next = (uintptr_t)memory;
            initialise(&library->flavour->layout, next, length);
            __atomic_store_n((uintptr_t *)at(header, NEXT_OFFSET), next, __ATOMIC_RELEASE);
        }
    }
    unlock_header(header);
    return next;
}

upstream_item *upstream_get_buffer(upstream_library *library, uint32_t size, uintptr_t min, uintptr_t max) {
    const upstream_layout *l = &library->flavour->layout;
    for (uintptr_t header = upstream_locator_address(library); header; header = next_locator(library, header)) {
        size_t count = count_of(l, header);
        for (size_t i = 0; i < count; i++) {   /* checked before locking only, as upstream */
            uintptr_t item = item_at(l, header, i);
            if (can_use(library, item, size, min, max) && try_lock(library, item)) return (upstream_item *)item;
        }
        uintptr_t made = 0;
        allocate_outcome outcome = try_allocate_item(library, header, size, min, max, &made);
        if (outcome == ALLOCATED) return (upstream_item *)made;
        if (outcome == NO_MEMORY) return NULL;
    }
    return NULL;
}

uintptr_t upstream_write(upstream_library *library, uintptr_t min, uintptr_t max, const void *data, uint32_t size) {
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
        upstream_item *item = upstream_get_buffer(library, size, min, max);
        if (!item) return 0;
        if (upstream_bytes_left(library, item) >= size) {
            uintptr_t address = upstream_append(library, item, data, size);
            upstream_release(library, item);
            return address;
        }
        upstream_release(library, item);   /* upstream would overrun here; see the header */
        atomic_fetch_add(&library->overrun_retries, 1);
    }
    return 0;
}

size_t upstream_list(upstream_library *library, upstream_buffer *out, size_t capacity) {
    const upstream_layout *l = &library->flavour->layout;
    size_t total = 0;
    for (uintptr_t header = upstream_locator_address(library); header;
         header = __atomic_load_n((uintptr_t *)at(header, NEXT_OFFSET), __ATOMIC_ACQUIRE)) {
        size_t count = count_of(l, header);
        for (size_t i = 0; i < count; i++, total++) {
            if (total >= capacity) continue;
            uintptr_t item = item_at(l, header, i);
            upstream_buffer b = {load_pointer(item, 0), load32(item, l->size_offset), load32(item, l->position_offset),
                                 load32(item, l->taken_offset), item};
            out[total] = b;
        }
    }
    return total;
}
