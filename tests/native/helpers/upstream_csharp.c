/* The stand-in for upstream C# v3 (upstream.md 2.1, 3.1, 3.2): the item count at header offset
 * 23 (15 on 32-bit), items in the document's order (base, taken, size, position), items locked by
 * compare-and-swap, the locator file mapped read/write/execute. */
#define _DEFAULT_SOURCE
#include "upstream_flavour.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#define P sizeof(uintptr_t)

/* Directory.CreateDirectory (default mode), File.Exists, then FileStream(OpenOrCreate) and
 * SetLength, which C# does on every open. */
static int open_file(const char *directory, const char *path, bool *existed) {
    upstream_make_directories(directory, 0777);
    *existed = access(path, F_OK) == 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0 && ftruncate(fd, sysconf(_SC_PAGESIZE)) != 0) return close(fd), -1;
    return fd;
}

/* Further locators: Memory.Allocate, an anonymous read/write/execute mapping anywhere. */
static void *allocate_locator(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static const upstream_flavour csharp = {
    {"csharp", 2 * P + 8, 2 * P + 7, P + 12, P, P + 4, P + 8},
    false, open_file, PROT_READ | PROT_WRITE | PROT_EXEC, allocate_locator,
};

upstream_library *upstream_csharp_load(void) {
    return upstream_library_new(&csharp);
}
