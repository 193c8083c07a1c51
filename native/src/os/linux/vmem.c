/* The OS layer for Linux: memory primitives over mmap and /proc/self/maps. The shared locator
 * mapping lives in os/linux/shared.c. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include "os/vmem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "pure/maps.h"
#include "os/linux/dual.h"
#include "os/linux/proc_maps.h"
#include "os/linux/remote/memory.h"
#include "os/posix/pages.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000   /* Linux 4.17; older kernels treat it as a hint (checked below) */
#endif

/* Computed on first use; racing threads compute the same value, so relaxed atomics suffice. */
uintptr_t vmem_min_address(void) {
    static _Atomic(uintptr_t) cached;
    uintptr_t known = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!known) {
        unsigned long value = 65536;   /* the usual mmap_min_addr, if /proc does not say */
        FILE *file = fopen("/proc/sys/vm/mmap_min_addr", "re");
        if (file) {
            if (fscanf(file, "%lu", &value) != 1) value = 65536;
            fclose(file);
        }
        uintptr_t page = vmem_page_size();
        uintptr_t rounded = ((uintptr_t)value + page - 1) & ~(page - 1);
        known = rounded ? rounded : page;
        atomic_store_explicit(&cached, known, memory_order_relaxed);
    }
    return known;
}

#if !defined(__x86_64__)
/* The last byte of the highest of these user-space ends (exclusive) whose top page can be mapped or
 * is in use; the last entry if none can. */
static uintptr_t probe_top(const uintptr_t *ends, size_t count) {
    uintptr_t page = vmem_page_size();
    for (size_t i = 0; i < count; i++) {
        uintptr_t last_page = ends[i] - page;
        void *probe = mmap((void *)last_page, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        bool fits = probe == MAP_FAILED ? errno == EEXIST : (uintptr_t)probe == last_page;
        if (probe != MAP_FAILED) munmap(probe, page);
        if (fits) return ends[i] - 1;
    }
    return ends[count - 1] - 1;
}
#endif

uintptr_t vmem_max_address(void) {
#if defined(__x86_64__)
    /* 47-bit user space whose top page is the kernel's guard page (TASK_SIZE 0x7FFFFFFFF000); mmap
     * stays below it without a hint above. */
    return (uintptr_t)0x7FFFFFFFEFFF;
#else
    /* aarch64: 48-bit user space unless this kernel maps less (39- and 42-bit kernels exist, and
     * qemu-user on an x86-64 host stops at 47 bits). 32-bit: 4 GiB less one page under a 64-bit
     * kernel (arm64 compat), less two pages (x86-64 compat), 3 GiB or 2 GiB under a 32-bit kernel. */
#if UINTPTR_MAX > 0xFFFFFFFFu
    static const uintptr_t ends[] = {(uintptr_t)1 << 48, (uintptr_t)1 << 47, (uintptr_t)1 << 42, (uintptr_t)1 << 39};
#else
    static const uintptr_t ends[] = {0xFFFFF000u, 0xFFFFE000u, 0xC0000000u, 0x80000000u};
#endif
    static _Atomic(uintptr_t) cached;   /* racing threads probe the same answer: relaxed is enough */
    uintptr_t known = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!known) {
        known = probe_top(ends, sizeof ends / sizeof ends[0]);
        atomic_store_explicit(&cached, known, memory_order_relaxed);
    }
    return known;
#endif
}

bool vmem_supports_other_processes(void) {
    return remote_supported();
}

/* ThreadSanitizer aborts the process when memory is mapped outside its application ranges (the
 * rest of the address space is its shadow, or reserved). Under TSan, reservations are kept inside
 * those ranges (x86-64 layout of gcc 12's libtsan) and free gaps are clipped to them. */
#if defined(__SANITIZE_THREAD__) && defined(__x86_64__)
static const uintptr_t sanitizer_app_ranges[][2] = {
    {0x000000001000, 0x008000000000}, {0x550000000000, 0x568000000000},
    {0x7b0000000000, 0x7c0000000000}, {0x7e8000000000, 0x800000000000}};
enum { SANITIZER_RANGES = sizeof sanitizer_app_ranges / sizeof sanitizer_app_ranges[0] };
#else
static const uintptr_t sanitizer_app_ranges[1][2] = {{0, UINTPTR_MAX}};
enum { SANITIZER_RANGES = 1 };
#endif

static bool sanitizer_allows(uintptr_t address, size_t size) {
    for (int i = 0; i < SANITIZER_RANGES; i++)
        if (address >= sanitizer_app_ranges[i][0] && address < sanitizer_app_ranges[i][1] &&
            size <= sanitizer_app_ranges[i][1] - address)
            return true;
    return false;
}

static bool is_self(uint32_t pid) {
    return pid == 0 || pid == vmem_current_process_id();
}

int vmem_reserve_at(uint32_t pid, uintptr_t address, size_t size) {
    if (!is_self(pid)) return remote_supported() ? remote_reserve_at(pid, address, size) : VMEM_UNSUPPORTED;
    if (!sanitizer_allows(address, size)) return EINVAL;
    void *wanted = (void *)address;
    void *got = mmap(wanted, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got == MAP_FAILED) return errno;
    if (got != wanted) {   /* a kernel before 4.17 took the address as a hint */
        munmap(got, size);
        return EEXIST;
    }
    return 0;
}

int vmem_reserve_dual_at(uintptr_t address, size_t size, uintptr_t *out_write) {
    if (!sanitizer_allows(address, size)) return EINVAL;
    int fd, error = linux_dual_object(size, &fd);
    if (error) return error;
    void *write = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *code = write == MAP_FAILED ? MAP_FAILED
                 : mmap((void *)address, size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
    error = code == MAP_FAILED ? errno : (uintptr_t)code != address ? EEXIST : 0;   /* a hint on old kernels */
    close(fd);   /* the mappings keep the object */
    if (code != MAP_FAILED && error) munmap(code, size);
    if (error) {
        if (write != MAP_FAILED) munmap(write, size);
        return error;
    }
    *out_write = (uintptr_t)write;
    return 0;
}

bool vmem_supports_dual(void) {
    return true;
}

int vmem_release_dual(uintptr_t address, uintptr_t write, size_t size) {
    int error = munmap((void *)address, size) == 0 ? 0 : errno;
    return munmap((void *)write, size) == 0 ? error : errno;
}

int vmem_rwx_refusal(void) {
    static _Atomic(int) cached = -1;   /* racing threads ask the same question: relaxed suffices */
    int known = atomic_load_explicit(&cached, memory_order_relaxed);
    if (known < 0) {
        size_t page = vmem_page_size();
        void *probe = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        known = probe != MAP_FAILED ? 0 : errno == EACCES || errno == EPERM ? errno : 0;
        if (probe != MAP_FAILED) munmap(probe, page);
        atomic_store_explicit(&cached, known, memory_order_relaxed);
    }
    return known;
}

int vmem_reserve_anywhere(size_t size, uintptr_t *out_address) {
    void *got = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (got == MAP_FAILED) return errno;
    *out_address = (uintptr_t)got;
    return 0;
}

int vmem_release(uint32_t pid, uintptr_t address, size_t size) {
    if (!is_self(pid)) return remote_supported() ? remote_release(pid, address, size) : VMEM_UNSUPPORTED;
    return munmap((void *)address, size) == 0 ? 0 : errno;
}

int vmem_protect(uintptr_t address, size_t size, vmem_protection protection) {
    return pages_protect(address, size, protection);
}

bool vmem_write_xor_execute(void) {
    return false;
}

void vmem_flush_instruction_cache(uintptr_t start, uintptr_t end) {
    __builtin___clear_cache((char *)start, (char *)end);
}

int linux_read_proc_file(const char *path, char **out_text, size_t *out_length) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t capacity = 64 * 1024, length = 0;
    char *text = malloc(capacity);
    int error = text ? 0 : ENOMEM;
    while (!error) {
        if (length == capacity) {
            char *bigger = realloc(text, capacity * 2);
            if (!bigger) { error = ENOMEM; break; }
            text = bigger;
            capacity *= 2;
        }
        ssize_t got = read(fd, text + length, capacity - length);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) error = errno;
        else if (got == 0) break;
        else length += (size_t)got;
    }
    close(fd);
    if (error) { free(text); return error; }
    *out_text = text;
    *out_length = length;
    return 0;
}

static void maps_path(uint32_t pid, char *path, size_t size) {
    if (is_self(pid)) snprintf(path, size, "/proc/self/maps");
    else snprintf(path, size, "/proc/%u/maps", (unsigned)pid);
}

typedef struct file_search {
    uintptr_t address;
    bool      anywhere;   /* any mapping of the file, not one starting at address from offset 0 */
    uint64_t  inode;
    dev_t     device;
    bool      found;
} file_search;

static bool match_file_mapping(const maps_entry *entry, void *context) {
    file_search *search = context;
    if (!search->anywhere && entry->start != search->address) return false;
    search->found = entry->has_identity && (search->anywhere || entry->offset == 0) && entry->inode == search->inode &&
                    entry->dev_major == major(search->device) && entry->dev_minor == minor(search->device);
    return !search->anywhere || search->found;
}

/* 1 if the search found the file, 0 if not, -1 when the map cannot be read. */
static int search_maps(uint32_t pid, file_search *search) {
    char path[64];
    maps_path(pid, path, sizeof path);
    char *text;
    size_t length;
    if (linux_read_proc_file(path, &text, &length) != 0) return -1;
    maps_for_each_entry(text, length, match_file_mapping, search);
    free(text);
    return search->found;
}

bool linux_maps_file_at(uint32_t pid, uint64_t device, uint64_t inode, uintptr_t address) {
    file_search search = {address, false, inode, (dev_t)device, false};
    return search_maps(pid, &search) == 1;
}

int linux_maps_file(uint32_t pid, uint64_t device, uint64_t inode) {
    file_search search = {0, true, inode, (dev_t)device, false};
    return search_maps(pid, &search);
}

bool vmem_shared_is_live_at(const vmem_shared *shared, uintptr_t address) {
    /* The handle's own view is never evidence (docs/locator-security.md). */
    return address != 0 && address != shared->address &&
           linux_maps_file_at(0, shared->device, shared->identity, address);
}

typedef struct gap_filter {
    uintptr_t        min;
    vmem_free_gap_fn fn;
    void            *context;
} gap_filter;

static bool gap_above_min(uintptr_t start, uintptr_t end, void *context) {
    gap_filter *filter = context;
    if (end <= filter->min) return false;
    for (int i = 0; i < SANITIZER_RANGES; i++) {
        uintptr_t low = start > sanitizer_app_ranges[i][0] ? start : sanitizer_app_ranges[i][0];
        uintptr_t high = end < sanitizer_app_ranges[i][1] ? end : sanitizer_app_ranges[i][1];
        if (low < high && filter->fn(low, high, filter->context)) return true;
    }
    return false;
}

int vmem_walk_free(uint32_t pid, uintptr_t min, uintptr_t max, vmem_walk_mode mode, vmem_free_gap_fn gap,
                   void *context) {
    if (mode != VMEM_WALK_REGIONS) return VMEM_UNSUPPORTED;
    char path[64];
    maps_path(pid, path, sizeof path);
    char *text;
    size_t length;
    int error = linux_read_proc_file(path, &text, &length);
    if (error) return error;
    uintptr_t limit = max < vmem_max_address() ? max : vmem_max_address();
    gap_filter filter = {min, gap, context};
    maps_for_each_gap(text, length, limit, gap_above_min, &filter);
    free(text);
    return 0;
}

int vmem_exclude_from_fork(uintptr_t address, size_t size) {
    uintptr_t page = vmem_page_size();
    uintptr_t start = address & ~(page - 1), end = (address + size + page - 1) & ~(page - 1);
    return madvise((void *)start, end - start, MADV_DONTFORK) == 0 ? 0 : errno;
}

int vmem_replace_with_zero_pages(uintptr_t address, size_t size) {
    /* MAP_FIXED swaps the old pages for new anonymous ones atomically: the range is never unmapped,
     * so no other mapping can land in it meanwhile. */
    void *at = mmap((void *)address, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    return at == MAP_FAILED ? errno : 0;
}
