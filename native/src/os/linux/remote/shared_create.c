/* Linux: a locator file made for another process that never loaded this library
 * (vmem_shared_create_in_other; docs/external.md, "A target without a locator").
 *
 * The file is made here, where and how the target's own library would have made it (the same root,
 * directory trust rules and name as os/linux/shared.c), its blocks reserved (a full file system is
 * ENOSPC here, before the target is touched, never SIGBUS at the first store), and mapped here.
 * Then one ptrace session in the target: probes that close and munmap are allowed there (a seccomp
 * filter refusing them would keep what the session gives), a scratch page for the path, openat, the
 * "alive" OFD read lock on byte 0 taken by the target's own open of the file (so the file counts as
 * live exactly as long as the target maps it, as for the library's own files), the scratch page
 * unmapped, mmap MAP_SHARED|MAP_FIXED_NOREPLACE at a free address of the target, close. The OFD lock
 * belongs to the target's open file, which its mapping keeps after the descriptor is closed, so
 * nothing is left open in the target. Every step is checked: the descriptor must be our very file
 * (device and inode, through /proc/<pid>/fd: a target in another mount namespace or chroot sees
 * other files), and the target's map must then show that inode at the address. Any failure undoes
 * everything, there and here; what the target refuses to give back is named in the error. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include "os/vmem_other.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pure/address_range.h"
#include "os/linux/proc_maps.h"
#include "os/linux/remote/ptrace.h"
#include "os/linux/remote/memory.h"
#include "os/linux/locator_file.h"
#include "os/posix/shared_root.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef F_OFD_SETLK
#define F_OFD_SETLK 37
#endif

enum { CANDIDATES = 8, OPEN_ATTEMPTS = 8 };

/* ---- the file, here ---- */

typedef struct made_file {
    int         dirfd;
    int         fd;          /* holds the setup lock */
    struct stat st;
    char        path[VMEM_SHARED_PATH_LIMIT + 64];   /* absolute, for the target */
} made_file;

static bool failed(intptr_t result) {
    return result < 0 && result >= -4095;
}

/* Writes why and returns error. */
__attribute__((format(printf, 4, 5))) static int because(int error, char *why, size_t why_size, const char *format,
                                                        ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(why, why_size, format, args);
    va_end(args);
    return error;
}

/* A file under our name that the target (or anyone) still uses: never touched. */
static bool file_is_live(uint32_t pid, int fd, const struct stat *st) {
    uintptr_t recorded = 0;
    if (file_held_alive(fd)) return true;
    return pread(fd, &recorded, sizeof recorded, 0) == (ssize_t)sizeof recorded && recorded &&
           linux_maps_file_at(pid, (uint64_t)st->st_dev, (uint64_t)st->st_ino, recorded);
}

/* Creates name in dirfd with O_EXCL under its setup lock; a stale file there is replaced (a new
 * inode), a live one is EEXIST, an untrusted one EACCES (the target's library would not use it). */
static int create_file(uint32_t pid, made_file *f, const char *name, char *why, size_t why_size) {
    for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
        int fd = openat(f->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        bool fresh = fd >= 0;
        if (!fresh && errno == EEXIST) fd = openat(f->dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            int error = errno;
            if (error == ENOENT) continue;   /* removed between the two opens */
            snprintf(why, why_size, "file '%s' %s", name, error == ELOOP ? "is a symlink" : strerror(error));
            return error == ELOOP ? EACCES : error;
        }
        const char *problem = fstat(fd, &f->st) != 0 ? "cannot be inspected" : file_untrusted_reason(&f->st);
        /* A fresh file is marked as being created for the target before its setup lock is taken, so
         * whoever sees the setup lock held also sees the mark: the target's library, starting
         * meanwhile, waits for the session instead of giving the file up after FILE_SETUP_WAIT_MS. */
        int error = problem ? EACCES : fresh ? file_byte_lock(fd, F_WRLCK, FILE_CREATING_BYTE) : 0;
        if (!error) error = file_lock_setup(fd);
        if (!error && f->st.st_nlink && file_still_named(f->dirfd, name, &f->st)) {
            if (fresh) {
                f->fd = fd;
                return 0;
            }
            if (file_is_live(pid, fd, &f->st)) {
                snprintf(why, why_size, "file '%s' exists and is in use (held alive or mapped by a process): "
                         "left alone", name);
                file_unlock_close(fd);
                return EEXIST;
            }
            unlinkat(f->dirfd, name, 0);   /* stale: replaced, never reset in place */
        } else if (error) {
            if (fresh && !problem) {   /* ours, just made: never leave it behind */
                snprintf(why, why_size, "file '%s' cannot be locked: %s", name, strerror(error));
                unlinkat(f->dirfd, name, 0);
            } else {
                snprintf(why, why_size, "file '%s' %s", name, problem ? problem : "stayed locked by another user of it");
            }
            close(fd);
            return error;
        }
        file_unlock_close(fd);
    }
    snprintf(why, why_size, "file '%s' kept being replaced while it was created", name);
    return EAGAIN;
}

/* Opens <root>/<first>/FILE_LOCATOR_FOLDER and creates name there; f->path gets the file's full path. */
static int make_in(uint32_t pid, const char *root, const char *first, bool shared, const char *name, made_file *f,
                   char *why, size_t why_size) {
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), error;
    if (rootfd < 0) {
        error = errno;
        snprintf(why, why_size, "'%s': %s", root, strerror(error));
        return error;
    }
    int top = file_open_checked_directory(rootfd, first, shared, why, why_size);
    f->dirfd = top >= 0 ? file_open_checked_directory(top, FILE_LOCATOR_FOLDER, shared, why, why_size) : top;
    error = f->dirfd < 0 ? -f->dirfd : 0;
    char link[64], directory[VMEM_SHARED_PATH_LIMIT];
    snprintf(link, sizeof link, "/proc/self/fd/%d", f->dirfd);
    ssize_t length = f->dirfd >= 0 ? readlink(link, directory, sizeof directory - 1) : -1;
    if (length >= (ssize_t)sizeof directory - 1) error = because(ENAMETOOLONG, why, why_size, "its path is too long");
    else if (f->dirfd >= 0 && length <= 0)
        error = because(length < 0 ? errno : EIO, why, why_size, "its directory's path cannot be read: %s",
                        strerror(length < 0 ? errno : EIO));
    else if (length > 0) {
        directory[length] = 0;   /* absolute: the target's working directory is not ours */
        int written = snprintf(f->path, sizeof f->path, "%s/%s", directory, name);
        error = written < (int)sizeof f->path ? create_file(pid, f, name, why, why_size)
                                              : because(ENAMETOOLONG, why, why_size, "its path is too long");
    }
    if (error && f->dirfd >= 0) close(f->dirfd);
    if (error) f->dirfd = -1;
    if (top >= 0) close(top);
    close(rootfd);
    return error;
}

/* The directory the target's library would pick: the shared one, else the per-user fallback. */
static int make_file(uint32_t pid, const char *name, made_file *f, char *why, size_t why_size) {
    file_folders folders;
    file_locator_folders(&folders);
    const char *root = folders.root;
    char shared_why[512], private_why[512];
    if (file_longest_path(&folders, name) >= VMEM_SHARED_PATH_LIMIT) {
        snprintf(why, why_size, "the locator path under root '%.64s...' would be over %d characters", root,
                 VMEM_SHARED_PATH_LIMIT - 1);
        return ENAMETOOLONG;
    }
    int error = make_in(pid, root, folders.first[0], true, name, f, shared_why, sizeof shared_why);
    if (error == 0 || error == EEXIST) {
        if (error) snprintf(why, why_size, "%s/%s/" FILE_LOCATOR_FOLDER ": %s", root, folders.first[0], shared_why);
        return error;
    }
    error = make_in(pid, root, folders.first[1], false, name, f, private_why, sizeof private_why);
    if (error)
        snprintf(why, why_size, "%s/%s/" FILE_LOCATOR_FOLDER ": %s; fallback %s/%s/" FILE_LOCATOR_FOLDER ": %s", root,
                 folders.first[0], shared_why, root, folders.first[1], private_why);
    return error;
}

/* Removes the file this call made (if the name is still it) and closes it. */
static void unmake_file(made_file *f, const char *name) {
    if (file_still_named(f->dirfd, name, &f->st)) unlinkat(f->dirfd, name, 0);
    file_unlock_close(f->fd);
    close(f->dirfd);
}

/* ---- where it goes in the target ---- */

typedef struct placement {
    size_t    size;
    uintptr_t target;
    size_t    count;
    uintptr_t starts[CANDIDATES];
    uintptr_t distances[CANDIDATES];
} placement;

/* Keeps the best start of each free gap, the CANDIDATES nearest the target, nearest first. */
static bool on_gap(uintptr_t start, uintptr_t end, void *context) {
    placement *p = context;
    uintptr_t best;
    if (!range_best_start(start, end, vmem_min_address(), vmem_max_address(), p->size, vmem_page_size(), p->target,
                          &best))
        return false;
    uintptr_t distance = range_distance(best + p->size / 2, p->target);
    size_t at = p->count < CANDIDATES ? p->count : CANDIDATES;
    while (at > 0 && p->distances[at - 1] > distance) at--;
    if (at >= CANDIDATES) return false;
    size_t moved = (p->count < CANDIDATES ? p->count : CANDIDATES - 1) - at;
    memmove(&p->starts[at + 1], &p->starts[at], moved * sizeof p->starts[0]);
    memmove(&p->distances[at + 1], &p->distances[at], moved * sizeof p->distances[0]);
    p->starts[at] = best;
    p->distances[at] = distance;
    if (p->count < CANDIDATES) p->count++;
    return false;
}

/* ---- the session in the target ---- */

typedef struct remote_steps {
    ptrace_session session;
    bool           ended;     /* a call could not be run (the session failed): nothing more is tried */
    uintptr_t      scratch;   /* a page of the target holding the path and the lock record; 0: none */
    intptr_t       fd;        /* the target's descriptor of the file; -1: none */
    uintptr_t      address;   /* the file's mapping in the target; 0: none */
} remote_steps;

/* One system call in the stopped target, taken back by undo(result, a1) if this process ends before
 * the session (0: nothing to take back); its result or -errno. A session failure is -that errno. */
static intptr_t call_undone_by(remote_steps *s, long undo, long number, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                               uintptr_t a3, uintptr_t a4, uintptr_t a5) {
    const uintptr_t args[6] = {a0, a1, a2, a3, a4, a5};
    intptr_t result = 0;
    int error = s->ended ? ESRCH : ptrace_session_syscall(&s->session, number, args, undo, a1, &result);
    if (error) s->ended = true;
    return error ? -(intptr_t)error : result;
}

/* A call with nothing to take back: a probe, or itself the undo of an earlier one (which it settles). */
static intptr_t call(remote_steps *s, long number, uintptr_t a0, uintptr_t a1, uintptr_t a2, uintptr_t a3,
                     uintptr_t a4, uintptr_t a5) {
    return call_undone_by(s, 0, number, a0, a1, a2, a3, a4, a5);
}

/* Appends to why. */
__attribute__((format(printf, 3, 4))) static void add_to(char *why, size_t why_size, const char *format, ...) {
    size_t used = strlen(why);
    if (used + 1 >= why_size) return;
    va_list args;
    va_start(args, format);
    vsnprintf(why + used, why_size - used, format, args);
    va_end(args);
}

/* A target whose filter (seccomp) refuses close or munmap would keep what a session gives it, so
 * both are asked first with arguments that change nothing: close(-1) must say EBADF, munmap(0, 0)
 * EINVAL. A filter that judges by the arguments is caught after the fact (steps_in_target). */
static int check_undo_allowed(uint32_t pid, remote_steps *s, char *why, size_t why_size) {
    static const struct {
        long        number;
        uintptr_t   first;
        int         expected;
        const char *text;
    } probes[] = {{SYS_close, (uintptr_t)-1, EBADF, "close(-1)"}, {SYS_munmap, 0, EINVAL, "munmap(0, 0)"}};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        intptr_t got = call(s, probes[i].number, probes[i].first, 0, 0, 0, 0, 0);
        if (got == -(intptr_t)probes[i].expected) continue;
        int error = failed(got) ? (int)-got : EPROTO;
        if (s->ended) return because(error, why, why_size, "the session in process %u failed: %s", (unsigned)pid,
                                     strerror(error));
        return because(error, why, why_size, "process %u refuses %s (it gave '%s', not '%s': a seccomp filter?), "
                       "so what a session gives it could not be taken back; nothing was done there", (unsigned)pid,
                       probes[i].text, failed(got) ? strerror(error) : "success", strerror(probes[i].expected));
    }
    return 0;
}

/* The scratch page: the file's path, then the "alive" lock record after it. */
static int write_scratch(uint32_t pid, remote_steps *s, const char *path, uintptr_t *lock_record) {
    intptr_t got = call_undone_by(s, SYS_munmap, SYS_mmap, 0, vmem_page_size(), PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, (uintptr_t)-1, 0);
    if (failed(got)) return (int)-got;
    s->scratch = (uintptr_t)got;
    struct flock alive;
    memset(&alive, 0, sizeof alive);   /* l_pid 0, as OFD locks require */
    alive.l_type = F_RDLCK;
    alive.l_whence = SEEK_SET;
    alive.l_start = FILE_ALIVE_BYTE;
    alive.l_len = 1;
    size_t path_size = strlen(path) + 1;
    *lock_record = s->scratch + ((path_size + 15) & ~(size_t)15);
    int error = vmem_write_other(pid, s->scratch, path, path_size);
    return error ? error : vmem_write_other(pid, *lock_record, &alive, sizeof alive);
}

/* True if the target's descriptor fd is our very file (not one its mount namespace or root shows). */
static bool same_file_there(uint32_t pid, intptr_t fd, const struct stat *ours) {
    char link[64];
    struct stat there;
    snprintf(link, sizeof link, "/proc/%u/fd/%ld", (unsigned)pid, (long)fd);
    return fstatat(AT_FDCWD, link, &there, 0) == 0 && there.st_dev == ours->st_dev && there.st_ino == ours->st_ino;
}

/* The locator's first word, "this header's address", written before the target maps the file at
 * address: the rest of an empty locator made from outside is zero (locator_initialize_in with no
 * chunks), so the file is a whole locator from the instant the target maps it, and a caller ending
 * after the session but before it writes the header leaves nothing half-made. */
static int record_address(const made_file *f, uintptr_t address) {
    return pwrite(f->fd, &address, sizeof address, 0) == (ssize_t)sizeof address ? 0 : errno ? errno : EIO;
}

/* mmap of the file at the first candidate that is free in the target (EEXIST: taken meanwhile). */
static int map_there(remote_steps *s, const made_file *f, const placement *p) {
    int error = ENOMEM;
    for (size_t i = 0; i < p->count; i++) {
        if ((error = record_address(f, p->starts[i])) != 0) return error;
        intptr_t got = call_undone_by(s, SYS_munmap, SYS_mmap, p->starts[i], p->size, PROT_READ | PROT_WRITE,
                                      MAP_SHARED | MAP_FIXED_NOREPLACE, (uintptr_t)s->fd, 0);
        if (!failed(got) && (uintptr_t)got == p->starts[i]) {
            s->address = (uintptr_t)got;
            return 0;
        }
        if (!failed(got) && failed(call(s, SYS_munmap, (uintptr_t)got, p->size, 0, 0, 0, 0)))   /* a pre-4.17 hint */
            s->address = (uintptr_t)got;   /* stays: the caller undoes, and reports it */
        error = failed(got) ? (int)-got : EEXIST;
        if (error != EEXIST || s->address) return error;
    }
    return error;
}

/* The steps in the target, in order; stops at the first failure (the caller undoes). The lock is
 * taken and the scratch page let go before the file is mapped, so a refused munmap leaves no mapping
 * of the file; every result is checked. */
static int steps_in_target(uint32_t pid, remote_steps *s, const made_file *f, const placement *p, char *why,
                           size_t why_size) {
    unsigned id = (unsigned)pid;
    uintptr_t lock_record = 0;
    int error = check_undo_allowed(pid, s, why, why_size);
    if (error) return error;
    if ((error = write_scratch(pid, s, f->path, &lock_record)) != 0)
        return because(error, why, why_size, "no scratch page in process %u: %s", id, strerror(error));
    s->fd = call_undone_by(s, SYS_close, SYS_openat, (uintptr_t)AT_FDCWD, s->scratch, O_RDWR | O_CLOEXEC | O_NOFOLLOW,
                           0, 0, 0);
    if (failed(s->fd)) {
        error = (int)-s->fd;
        s->fd = -1;
        return because(error, why, why_size, "process %u cannot open '%s': %s", id, f->path, strerror(error));
    }
    if (!same_file_there(pid, s->fd, &f->st))
        return because(EXDEV, why, why_size, "'%s' is another file in process %u (another mount namespace or "
                       "root directory)", f->path, id);
    /* The lock belongs to the target's open of the file, which its mapping keeps after the close. */
    intptr_t done = call(s, SYS_fcntl, (uintptr_t)s->fd, F_OFD_SETLK, lock_record, 0, 0, 0);
    if (failed(done))
        return because((int)-done, why, why_size, "process %u cannot lock its locator file: %s", id,
                       strerror((int)-done));
    if (failed(done = call(s, SYS_munmap, s->scratch, vmem_page_size(), 0, 0, 0, 0)))
        return because((int)-done, why, why_size, "process %u refused to unmap the session's scratch page: %s", id,
                       strerror((int)-done));
    s->scratch = 0;
    if ((error = map_there(s, f, p)) != 0)
        return because(error, why, why_size, "process %u cannot map its locator file: %s", id, strerror(error));
    if (failed(done = call(s, SYS_close, (uintptr_t)s->fd, 0, 0, 0, 0, 0)))
        return because((int)-done, why, why_size, "process %u refused to close its descriptor %ld of the locator "
                       "file: %s", id, (long)s->fd, strerror((int)-done));
    s->fd = -1;
    if (!linux_maps_file_at(pid, (uint64_t)f->st.st_dev, (uint64_t)f->st.st_ino, s->address))
        return because(EFAULT, why, why_size, "the map of process %u does not show its locator file at %#lx", id,
                       (unsigned long)s->address);
    return 0;
}

/* Undoes whatever of the steps was done (munmap drops the lock with the last reference) and adds
 * to why whatever the target refused to give back. A session that failed is not tried again: the
 * target ended, or its thread can no longer be driven. */
static void undo_in_target(remote_steps *s, size_t size, char *why, size_t why_size) {
    if (s->address && failed(call(s, SYS_munmap, s->address, size, 0, 0, 0, 0)) && !s->ended)
        add_to(why, why_size, "; its mapping of the file at %#lx stays (munmap refused)", (unsigned long)s->address);
    if (s->fd >= 0 && failed(call(s, SYS_close, (uintptr_t)s->fd, 0, 0, 0, 0, 0)) && !s->ended)
        add_to(why, why_size, "; its descriptor %ld of the (removed) file stays open (close refused)", (long)s->fd);
    if (s->scratch && failed(call(s, SYS_munmap, s->scratch, vmem_page_size(), 0, 0, 0, 0)) && !s->ended)
        add_to(why, why_size, "; the session's scratch page at %#lx stays mapped (munmap refused)",
               (unsigned long)s->scratch);
    s->address = s->scratch = 0;
    s->fd = -1;
}

static int map_in_target(uint32_t pid, const made_file *f, size_t size, uintptr_t *out, char *why, size_t why_size) {
    placement p = {size, range_midpoint(vmem_min_address(), vmem_max_address()), 0, {0}, {0}};
    int error = vmem_walk_free(pid, vmem_min_address(), vmem_max_address(), VMEM_WALK_REGIONS, on_gap, &p);
    if (!error && p.count == 0) error = ENOMEM;
    if (error)
        return because(error, why, why_size, "no free %zu bytes found in process %u: %s", size, (unsigned)pid,
                       strerror(error));
    remote_steps s = {.ended = false, .scratch = 0, .fd = -1, .address = 0};
    error = remote_session_open(pid, &s.session, why, why_size);
    if (error) {
        if (!why[0]) snprintf(why, why_size, "ptrace of process %u failed: %s", (unsigned)pid, strerror(error));
        return error;
    }
    error = steps_in_target(pid, &s, f, &p, why, why_size);
    if (error) undo_in_target(&s, size, why, why_size);
    int ended = remote_session_close(&s.session);
    if (!error && ended) snprintf(why, why_size, "process %u ended during the session", (unsigned)pid);
    *out = s.address;
    return error ? error : ended;
}

/* ---- os/vmem.h ---- */

/* The target's effective user must be ours: its library trusts only its own user's files. */
static int check_owner(uint32_t pid, char *why, size_t why_size) {
    char path[32], line[256];
    snprintf(path, sizeof path, "/proc/%u/status", (unsigned)pid);
    FILE *status = fopen(path, "re");
    if (!status) return because(ESRCH, why, why_size, "no such process: %u", (unsigned)pid);
    unsigned real = 0, effective = UINT32_MAX;
    while (fgets(line, sizeof line, status) && sscanf(line, "Uid: %u %u", &real, &effective) != 2) {
    }
    fclose(status);
    if (effective == geteuid()) return 0;
    return because(EPERM, why, why_size, "process %u runs as user %u; its library would trust no locator file of "
                   "user %u (this process): run as user %u", (unsigned)pid, effective, (unsigned)geteuid(),
                   effective);
}

int vmem_shared_create_in_other(uint32_t pid, const char *name, size_t size, vmem_shared *out,
                                uintptr_t *out_remote_address) {
    memset(out, 0, sizeof *out);
    out->os_handle = -1;
    if (!remote_supported()) {
        snprintf(out->where, sizeof out->where, "this build can act in other processes only on x86-64 and aarch64");
        return VMEM_UNSUPPORTED;
    }
    uintptr_t rounded = 0;
    if (!range_round_up(size, vmem_page_size(), &rounded)) return EINVAL;
    char why[2 * VMEM_SHARED_PATH_LIMIT];
    why[0] = 0;
    made_file f = {.dirfd = -1, .fd = -1};
    int error = check_owner(pid, why, sizeof why);
    if (!error) error = make_file(pid, name, &f, why, sizeof why);
    if (!error && (error = file_reserve(f.fd, (off_t)rounded)) != 0)   /* never a sparse block: SIGBUS here */
        because(error, why, sizeof why, "%s: the new file's %zu bytes cannot be reserved: %s", f.path, (size_t)rounded,
                strerror(error));
    void *view = error ? MAP_FAILED : mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_SHARED, f.fd, 0);
    if (!error && view == MAP_FAILED)
        error = because(errno, why, sizeof why, "the new file cannot be mapped: %s", strerror(errno));
    uintptr_t remote = 0;
    if (!error) error = map_in_target(pid, &f, rounded, &remote, why, sizeof why);
    if (error) {
        if (view != MAP_FAILED) munmap(view, rounded);
        if (f.fd >= 0) unmake_file(&f, name);
        snprintf(out->where, sizeof out->where, "%s", why);
        return error;
    }
    close(f.dirfd);
    out->address = (uintptr_t)view;
    out->size = rounded;
    out->created = true;
    out->os_handle = f.fd;
    out->identity = (uint64_t)f.st.st_ino;
    out->device = (uint64_t)f.st.st_dev;
    snprintf(out->where, sizeof out->where, "%s", f.path);
    *out_remote_address = remote;
    return 0;
}
