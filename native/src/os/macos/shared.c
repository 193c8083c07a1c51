/* The shared locator mapping on macOS: a file per process under <root>/.reloaded/memory.buffers
 * (shared, sticky) or <root>/.reloaded-<uid>/memory.buffers, with the trust rules of
 * docs/locator-security.md. The locks are os/macos/locator_file.h's: the directory's setup lock is
 * held from vmem_shared_open to vmem_shared_close, so every decision below, and the caller's
 * initialisation of a new file, happen one copy of the library (one process) at a time. */
#define _DARWIN_C_SOURCE

#include "os/vmem.h"
#include "os/macos/locator_file.h"
#include "os/posix/shared_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

_Static_assert(sizeof(intptr_t) >= 8, "os_handle holds two descriptors");

/* os_handle: the locked directory in the low 32 bits, the file in the high 32. */
static intptr_t handle_of(int dirfd, int fd) {
    return (intptr_t)(((uint64_t)(uint32_t)fd << 32) | (uint32_t)dirfd);
}
static int handle_directory(intptr_t handle) { return (int)(uint32_t)((uint64_t)handle & 0xFFFFFFFFu); }
static int handle_file(intptr_t handle) { return (int)(uint32_t)((uint64_t)handle >> 32); }

typedef struct chosen {
    int         fd;
    struct stat st;
    bool        fresh;   /* created by this call (else: another copy of the library here maps it) */
} chosen;

static void name_number(char *out, size_t size, const char *name, int n) {
    if (n == 1) snprintf(out, size, "%s", name);
    else snprintf(out, size, "%s #%d", name, n);
}

/* Opens an existing file without following links or blocking on a planted FIFO; -1 when it is
 * missing or may not be trusted (why says which). */
static int open_existing(int dirfd, const char *file, struct stat *st, char *why, size_t why_size) {
    int fd = openat(dirfd, file, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT) snprintf(why, why_size, "file '%s' %s", file, errno == ELOOP ? "is a symlink" : strerror(errno));
        return -1;
    }
    const char *problem = fstat(fd, st) != 0 ? "cannot be inspected" : file_untrusted_reason(st);
    if (problem) {
        snprintf(why, why_size, "file '%s' %s", file, problem);
        close(fd);
        return -1;
    }
    return fd;
}

/* The name another copy of the library in this process already maps, if any. */
static bool find_adopted(int dirfd, const char *name, chosen *out, char *why, size_t why_size) {
    char file[VMEM_SHARED_PATH_LIMIT];
    for (int n = 1; n <= VMEM_SHARED_DERIVED_MAX; n++) {
        name_number(file, sizeof file, name, n);
        int fd = open_existing(dirfd, file, &out->st, why, why_size);
        if (fd < 0) continue;
        uintptr_t recorded = 0;
        if (pread(fd, &recorded, sizeof recorded, 0) == (ssize_t)sizeof recorded && recorded &&
            file_mapped_here_at((uint64_t)out->st.st_dev, (uint64_t)out->st.st_ino, recorded)) {
            out->fd = fd;
            out->fresh = false;
            return true;
        }
        close(fd);
    }
    return false;
}

/* Creates name (exclusively, 0600) as a fresh file. */
static int create_fresh(int dirfd, const char *file, chosen *out) {
    int fd = openat(dirfd, file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return errno;
    if (fstat(fd, &out->st) != 0) {
        int error = errno;
        close(fd);
        unlinkat(dirfd, file, 0);
        return error;
    }
    out->fd = fd;
    out->fresh = true;
    return 0;
}

/* The first name that is free, or stale (replaced by a new file: a new inode, so a mapping somebody
 * may still have keeps its bytes). A name another process holds alive, or that may not be trusted,
 * is passed over. */
static int create_first_free(int dirfd, const char *name, chosen *out, char *out_file, size_t size, char *why,
                             size_t why_size) {
    for (int n = 1; n <= VMEM_SHARED_DERIVED_MAX; n++) {
        name_number(out_file, size, name, n);
        int error = create_fresh(dirfd, out_file, out);
        if (error != EEXIST) {
            if (error) snprintf(why, why_size, "file '%s' cannot be created: %s", out_file, strerror(error));
            return error;
        }
        struct stat st;
        int fd = open_existing(dirfd, out_file, &st, why, why_size);
        if (fd < 0) continue;
        bool stale = !file_held_alive(fd);
        close(fd);
        if (stale && unlinkat(dirfd, out_file, 0) == 0 && create_fresh(dirfd, out_file, out) == 0) return 0;
    }
    char last[256];
    snprintf(last, sizeof last, "%s", why);
    snprintf(why, why_size, "'%s' and its derived names up to #%d are all taken by other processes (last: %s)",
             name, VMEM_SHARED_DERIVED_MAX, last);
    return EBUSY;
}

/* Maps the chosen file; a fresh one is also marked alive for as long as its descriptor stays open. */
static int map_chosen(chosen *c, size_t size, vmem_shared *out, char *why, size_t why_size) {
    if ((size_t)c->st.st_size < size && ftruncate(c->fd, (off_t)size) != 0) {
        int error = errno;
        snprintf(why, why_size, "file cannot be resized: %s", strerror(error));
        return error;
    }
    /* A shared file may be mapped executable on Intel, outside the hardened runtime; Apple Silicon
     * refuses writable code there: no chunks then. */
    int error = file_map_shared(c->fd, size, (uint64_t)c->st.st_ino, (uint64_t)c->st.st_dev, out);
    if (!error && c->fresh && flock(c->fd, LOCK_SH | LOCK_NB) != 0) {
        error = errno;
        munmap((void *)out->address, size);
        out->address = 0;
    }
    if (error) {
        snprintf(why, why_size, "file cannot be mapped: %s", strerror(error));
        return error;
    }
    out->created = c->fresh;
    return 0;
}

/* Tries directory root/first/memory.buffers; on success its setup lock stays held (out->os_handle). */
static int open_in(const char *root, const char *first, bool shared, const char *name, size_t size,
                   vmem_shared *out, char *why, size_t why_size) {
    int rootfd = file_open_root(root, why, why_size);
    if (rootfd < 0) return errno;
    int top = file_open_checked_directory(rootfd, first, shared, why, why_size);
    int dir = top < 0 ? -1 : file_open_checked_directory(top, FILE_LOCATOR_FOLDER, shared, why, why_size);
    if (top >= 0) close(top);
    close(rootfd);
    if (dir < 0) return EACCES;
    int error = file_lock_directory(dir);
    if (error) snprintf(why, why_size, "'%s/" FILE_LOCATOR_FOLDER "' %s", first,
                        error == EWOULDBLOCK ? "stayed locked by another user of it" : strerror(error));
    char file[VMEM_SHARED_PATH_LIMIT];
    chosen c = {.fd = -1};
    if (!error && find_adopted(dir, name, &c, why, why_size)) snprintf(file, sizeof file, "%s", name);
    else if (!error) error = create_first_free(dir, name, &c, file, sizeof file, why, why_size);
    if (!error && (error = map_chosen(&c, size, out, why, why_size)) != 0 && c.fresh) unlinkat(dir, file, 0);
    if (error) {
        if (c.fd >= 0) close(c.fd);
        close(dir);   /* drops the setup lock */
        return error;
    }
    out->os_handle = handle_of(dir, c.fd);
    file_shared_record(out, root, first, file);
    return 0;
}

int vmem_shared_open(const char *name, size_t size, vmem_shared *out) {
    return file_shared_open(name, size, out, open_in);
}

bool vmem_shared_is_live_at(const vmem_shared *shared, uintptr_t address) {
    /* The handle's own view is never evidence (docs/locator-security.md). */
    return address != 0 && address != shared->address &&
           file_mapped_here_at(shared->device, shared->identity, address);
}

void vmem_shared_close(vmem_shared *shared, bool keep_mapping) {
    if (shared->os_handle == -1) return;
    int dir = handle_directory(shared->os_handle), fd = handle_file(shared->os_handle);
    if (!keep_mapping && shared->address) munmap((void *)shared->address, shared->size);
    /* A kept file this call created stays open: its descriptor holds the alive lock for as long as
     * the process lives. Every other descriptor goes. */
    if (!(keep_mapping && shared->created)) close(fd);
    close(dir);   /* drops the setup lock */
    shared->os_handle = -1;
}
