/* The shared locator mapping on Linux: a real file per process under a directory that other users of
 * the machine may be able to write to, and whose PID-based name may be reused by a later process or
 * repeated by a process in another PID namespace. So (docs/locator-security.md has the reasons):
 *  - directories are opened one component at a time with O_NOFOLLOW and must be owned by us or
 *    root; a shared one that others can write to must be sticky (so nobody else can swap our files);
 *  - the file is created with O_EXCL, mode 0600, O_NOFOLLOW; an existing one must be a regular file
 *    we own, not writable by others, with one link -- checked before any lock is taken;
 *  - if the shared directory (<root>/.reloaded/memory.buffers) fails, the per-user directory
 *    <root>/.reloaded-<uid>/memory.buffers (mode 0700, ours) is used instead. <root> is /tmp, or
 *    $BUFFERS_SHARED_ROOT when set (tests and sandboxes);
 *  - two Linux OFD byte locks on the file: byte 0 "alive" (shared, held by every process that keeps
 *    the locator mapped: the lock belongs to the open file, which the mapping keeps open, so it lasts
 *    exactly as long as some process maps the file) and byte 1 "setup" (exclusive, taken with
 *    bounded non-blocking attempts while a copy of the library decides about the file). OFD locks
 *    belong to each open of the file, so copies of the library in one process exclude each other;
 *  - a file nobody holds alive is stale and is replaced (unlink + exclusive create: a new inode, so
 *    a mapping somebody might still have keeps its bytes); a file held alive by a process that is not
 *    us (same PID number in another PID namespace, or a dead holder's forked child) is left alone and
 *    the derived name "<name> #2", "#3", ... is used. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64   /* 32-bit builds: 64-bit inode numbers in struct stat */

#include "os/vmem.h"
#include "os/linux/locator_file.h"
#include "os/posix/shared_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
/* The setup lock hands the locator from the copy that initialised it to the copy that adopts it;
 * ThreadSanitizer cannot see file locks, so the hand-over is annotated on the locator's address. */
void __tsan_acquire(void *address);
void __tsan_release(void *address);
#define HAND_OVER_ACQUIRE(address) __tsan_acquire((void *)(address))
#define HAND_OVER_RELEASE(address) __tsan_release((void *)(address))
#else
#define HAND_OVER_ACQUIRE(address) ((void)(address))
#define HAND_OVER_RELEASE(address) ((void)(address))
#endif

enum { OPEN_ATTEMPTS = 8 };

/* ---- one candidate file ---- */

typedef enum file_state {
    FILE_FRESH,     /* created by this call: nobody maps it */
    FILE_ADOPT,     /* another copy of the library in this process maps it at its recorded address */
    FILE_FOREIGN,   /* some other process keeps it mapped: not ours, never touched */
    FILE_STALE      /* nobody maps it */
} file_state;

typedef struct candidate {
    int         fd;          /* holds the setup lock */
    struct stat st;
    file_state  state;
    uintptr_t   recorded;    /* its first word: where its creator mapped it */
} candidate;

static void candidate_close(candidate *c) {
    if (c->fd < 0) return;
    file_unlock_close(c->fd);
    c->fd = -1;
}

static void classify(candidate *c) {
    uintptr_t recorded = 0;
    if (pread(c->fd, &recorded, sizeof recorded, 0) != (ssize_t)sizeof recorded) recorded = 0;
    /* Evidence is a mapping of this inode made by someone else: this call has mapped nothing yet. It
     * comes first: a locator made in this process by another implementation of the format (the
     * upstream C# and Rust libraries) is live without ever holding our "alive" lock. */
    vmem_shared probe;
    memset(&probe, 0, sizeof probe);
    probe.identity = (uint64_t)c->st.st_ino;
    probe.device = (uint64_t)c->st.st_dev;
    c->recorded = recorded;
    if (recorded && vmem_shared_is_live_at(&probe, recorded)) c->state = FILE_ADOPT;
    else c->state = file_held_alive(c->fd) ? FILE_FOREIGN : FILE_STALE;
}

/* Opens name (creating it if may_create), checks it, takes its setup lock and classifies it. */
static int open_candidate(int dirfd, const char *name, bool may_create, candidate *c, char *why, size_t why_size) {
    for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
        int fd = may_create ? openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
        bool created = fd >= 0;
        if (fd < 0 && (!may_create || errno == EEXIST)) /* O_NONBLOCK: a planted FIFO must not hang us */
            fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            int error = errno;
            if (error == ENOENT && may_create) continue;   /* removed between the two opens */
            snprintf(why, why_size, "file '%.200s' %s", name, error == ELOOP ? "is a symlink" : strerror(error));
            return error;
        }
        const char *problem = fstat(fd, &c->st) != 0 ? "cannot be inspected" : file_untrusted_reason(&c->st);
        if (!problem && c->st.st_nlink == 0) {   /* replaced by a copy since we opened it: look again */
            close(fd);
            continue;
        }
        int error = problem ? EACCES : file_lock_setup(fd);
        if (error) {
            if (!problem) problem = error == EWOULDBLOCK ? "stayed locked by another user of it" : strerror(error);
            snprintf(why, why_size, "file '%.200s' %s", name, problem);
            close(fd);
            return error;
        }
        if (!file_still_named(dirfd, name, &c->st)) {
            file_unlock_close(fd);
            continue;
        }
        c->fd = fd;
        c->recorded = 0;
        /* A file this call made is set up while the other copies wait: on a busy disk its blocks can
         * take longer than FILE_SETUP_WAIT_MS, and a copy that gave up would use a locator of its own. */
        if (created) file_byte_lock(fd, F_WRLCK, FILE_CREATING_BYTE);
        if (created) c->state = FILE_FRESH;
        else classify(c);
        return 0;
    }
    snprintf(why, why_size, "file '%.200s' kept being replaced while it was opened", name);
    return EAGAIN;
}

/* Replaces the stale file c (setup lock held) by a new one, never touching the old inode's bytes. */
static int replace_stale(int dirfd, const char *name, candidate *c, char *why, size_t why_size) {
    if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT) {
        int error = errno;
        snprintf(why, why_size, "stale file '%s' cannot be removed: %s", name, strerror(error));
        return error;
    }
    candidate replacement;
    int error = open_candidate(dirfd, name, true, &replacement, why, why_size);
    candidate_close(c);
    if (!error) *c = replacement;
    return error;
}

static void derived_name(char *out, size_t size, const char *name, int n) {
    snprintf(out, size, "%s #%d", name, n);
}

/* Looks for a derived file another copy of the library in this process already uses. */
static bool find_ours_among_derived(int dirfd, const char *name, candidate *out, char *out_name, size_t size) {
    char why[256];
    for (int n = 2; n <= VMEM_SHARED_DERIVED_MAX; n++) {
        derived_name(out_name, size, name, n);
        if (open_candidate(dirfd, out_name, false, out, why, sizeof why) != 0) continue;
        if (out->state == FILE_ADOPT) return true;
        candidate_close(out);
    }
    return false;
}

/* The first derived name that is free, stale (replaced) or ours. */
static int open_derived(int dirfd, const char *name, candidate *out, char *out_name, size_t size, char *why,
                        size_t why_size) {
    for (int n = 2; n <= VMEM_SHARED_DERIVED_MAX; n++) {
        derived_name(out_name, size, name, n);
        int error = open_candidate(dirfd, out_name, true, out, why, why_size);
        if (!error && out->state == FILE_STALE) error = replace_stale(dirfd, out_name, out, why, why_size);
        if (error) continue;
        if (out->state == FILE_FRESH || out->state == FILE_ADOPT) return 0;
        candidate_close(out);
    }
    snprintf(why, why_size, "'%s' and its derived names up to #%d are all held by other processes", name,
             VMEM_SHARED_DERIVED_MAX);
    return EBUSY;
}

/* Picks the file this process uses in directory dirfd; *out_name is its name. Holds the base name's
 * setup lock throughout, so the copies of the library in this process decide one after another. */
static int choose_file(int dirfd, const char *name, candidate *out, char *out_name, size_t size, char *why,
                       size_t why_size) {
    candidate base;
    int error = open_candidate(dirfd, name, true, &base, why, why_size);
    if (error) return error;
    snprintf(out_name, size, "%s", name);
    if (base.state == FILE_ADOPT) {
        *out = base;
        return 0;
    }
    if (find_ours_among_derived(dirfd, name, out, out_name, size)) {
        if (base.state == FILE_FRESH) unlinkat(dirfd, name, 0);   /* made for nothing; nobody maps it */
        candidate_close(&base);
        return 0;
    }
    snprintf(out_name, size, "%s", name);
    if (base.state == FILE_STALE) error = replace_stale(dirfd, name, &base, why, why_size);
    if (!error && base.state != FILE_FOREIGN && base.state != FILE_STALE) {
        *out = base;
        return 0;
    }
    if (!error) error = open_derived(dirfd, name, out, out_name, size, why, why_size);
    candidate_close(&base);
    return error;
}

/* Maps the chosen file; a fresh one is also marked alive for as long as the mapping lasts. */
static int map_candidate(candidate *c, size_t size, vmem_shared *out, char *why, size_t why_size) {
    /* Blocks first: a store into a sparse block the file system cannot give would be SIGBUS. An
     * adopted file is another copy's, already in use: only a short one is extended. */
    int reserved = c->state == FILE_FRESH || (size_t)c->st.st_size < size ? file_reserve(c->fd, (off_t)size) : 0;
    if (reserved) {
        snprintf(why, why_size, "the file's %zu bytes cannot be reserved: %s", size, strerror(reserved));
        return reserved;
    }
    int error = file_map_shared(c->fd, size, (uint64_t)c->st.st_ino, (uint64_t)c->st.st_dev, out);
    if (!error && c->state == FILE_FRESH && (error = file_byte_lock(c->fd, F_RDLCK, FILE_ALIVE_BYTE)) != 0) {
        munmap((void *)out->address, size);
        out->address = 0;
    }
    if (error) {
        snprintf(why, why_size, "file cannot be mapped: %s", strerror(error));
        return error;
    }
    if (c->state == FILE_ADOPT) HAND_OVER_ACQUIRE(c->recorded);
    out->created = c->state == FILE_FRESH;
    out->os_handle = c->fd;
    return 0;
}

/* Tries directory root/first/memory.buffers; on success records it as the chosen directory. */
static int open_in(const char *root, const char *first, bool shared, const char *name, size_t size,
                   vmem_shared *out, char *why, size_t why_size) {
    int rootfd = file_open_root(root, why, why_size);
    if (rootfd < 0) return errno;
    char file_name[VMEM_SHARED_PATH_LIMIT];
    int top = file_open_checked_directory(rootfd, first, shared, why, why_size), error = top < 0 ? -top : 0;
    if (top >= 0) {
        int dir = file_open_checked_directory(top, FILE_LOCATOR_FOLDER, shared, why, why_size);
        if (dir < 0) error = -dir;
        if (dir >= 0) {
            candidate chosen;
            error = choose_file(dir, name, &chosen, file_name, sizeof file_name, why, why_size);
            if (!error && (error = map_candidate(&chosen, size, out, why, why_size)) != 0) {
                /* A file made by this call goes again: nothing half-made is left for the next user. */
                if (chosen.state == FILE_FRESH && file_still_named(dir, file_name, &chosen.st))
                    unlinkat(dir, file_name, 0);
                candidate_close(&chosen);
            }
            close(dir);
        }
        close(top);
    }
    close(rootfd);
    if (!error) file_shared_record(out, root, first, file_name);
    return error;
}

int vmem_shared_open(const char *name, size_t size, vmem_shared *out) {
    return file_shared_open(name, size, out, open_in);
}

void vmem_shared_close(vmem_shared *shared, bool keep_mapping) {
    if (!keep_mapping && shared->address) munmap((void *)shared->address, shared->size);
    if (shared->os_handle >= 0) {
        if (keep_mapping) HAND_OVER_RELEASE(shared->address);
        /* The mapping keeps the file open, and with it the alive lock; only setup is dropped. */
        file_unlock_close((int)shared->os_handle);
    }
    shared->os_handle = -1;
}
