/* The stand-in for upstream Rust v4 (upstream.md 2.2, 3.1, 3.2): the item count at header offset
 * 21 (13 on 32-bit) like the document, but items ordered base, size, position, taken, and an item
 * is locked by an unconditional swap of its taken word (not a compare-and-swap): whatever the word
 * held is overwritten with 1 even when the lock is not won. The locator file is mapped read/write. */
#define _DEFAULT_SOURCE
#include "upstream_flavour.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define P sizeof(uintptr_t)

/* open(O_RDWR) succeeding means "already existed"; otherwise mkdir -p with 0700, create with 0700
 * and ftruncate. */
static int open_file(const char *directory, const char *path, bool *existed) {
    int fd = open(path, O_RDWR | O_CLOEXEC);
    *existed = fd >= 0;
    if (fd >= 0) return fd;
    upstream_make_directories(directory, 0700);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0700);
    if (fd >= 0 && ftruncate(fd, sysconf(_SC_PAGESIZE)) != 0) return close(fd), -1;
    return fd;
}

/* Further locators come from the heap, 4096-aligned (zeroed here for determinism). */
static void *allocate_locator(size_t size) {
    void *p = aligned_alloc(4096, size);
    if (p) memset(p, 0, size);
    return p;
}

static const upstream_flavour rust = {
    {"rust", 2 * P + 8, 2 * P + 5, P + 12, P + 8, P, P + 4},
    true, open_file, PROT_READ | PROT_WRITE, allocate_locator,
};

upstream_library *upstream_rust_load(void) {
    return upstream_library_new(&rust);
}
