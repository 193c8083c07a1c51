/* Linux: mapping, in this process, the locator file another process uses (vmem_shared_open_other).
 * The target named its file as os/linux/shared.c does: <root>/.reloaded/memory.buffers/<name> or
 * the per-user fallback <root>/.reloaded-<uid>/memory.buffers/<name>, or a derived "<name> #n" when
 * the plain name was held by a process of another PID namespace. The right file is the one whose
 * recorded address (its first word) starts a live mapping of that very inode in /proc/<pid>/maps:
 * a file's name alone proves nothing (a dead process's file, one of a namesake in another
 * namespace). The directories must pass the rules our own locator's do (file_open_existing_directory:
 * no symlink, ours or root's, sticky if others may write), checked without changing anything. No lock
 * of the file is taken: the caller neither creates nor decides about it, and holding its "alive" lock
 * would keep the file looking in use after the target exits. The descriptor is kept with the view:
 * the target (or any process of its user) can truncate the file under our mapping, and a touch past
 * the new end would be SIGBUS here, so the caller asks vmem_shared_check_other first. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "os/vmem_other.h"
#include "os/linux/proc_maps.h"
#include "os/linux/locator_file.h"
#include "os/posix/shared_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the look in one place found besides the file: why a place was refused, or a file that pid
 * maps but that belongs to another user. */
typedef struct look {
    char  why[512];
    uid_t foreign_owner;   /* owner of a file pid maps that is not ours; (uid_t)-1 when none */
    char  foreign_path[VMEM_SHARED_PATH_LIMIT];
} look;

/* True if process pid maps the file st describes at the address in its first word. */
static bool mapped_by(uint32_t pid, int fd, const struct stat *st, uintptr_t *recorded) {
    return pread(fd, recorded, sizeof *recorded, 0) == (ssize_t)sizeof *recorded && *recorded &&
           linux_maps_file_at(pid, (uint64_t)st->st_dev, (uint64_t)st->st_ino, *recorded);
}

/* Opens name in dirfd if it is a trusted locator file, at least size bytes long, that pid maps at
 * its recorded address. EACCES: not ours (a live one of another user is noted in l); ENODATA: the
 * live file is shorter than a locator (truncated: a view of it would fault). */
static int try_file(uint32_t pid, int dirfd, const char *dir, const char *name, size_t size, int *out_fd,
                    struct stat *st, uintptr_t *recorded, look *l) {
    int fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno == ELOOP ? EACCES : errno;
    int error = 0;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) error = EACCES;
    else if (file_untrusted_reason(st)) {
        error = EACCES;
        if (st->st_uid != geteuid() && mapped_by(pid, fd, st, recorded)) {
            l->foreign_owner = st->st_uid;
            snprintf(l->foreign_path, sizeof l->foreign_path, "%.700s/%.300s", dir, name);
        }
    } else if (!mapped_by(pid, fd, st, recorded)) error = ENOENT;
    else if ((uintmax_t)st->st_size < size) {
        error = ENODATA;
        snprintf(l->why, sizeof l->why, "the locator file '%.200s/%.120s' of process %u is %jd bytes, shorter than a "
                 "locator (%zu): truncated, by that process or another of its user; not used", dir, name,
                 (unsigned)pid, (intmax_t)st->st_size, size);
    }
    if (error) {
        close(fd);
        return error;
    }
    *out_fd = fd;
    return 0;
}

/* Tries name and its derived names in directory root/first/memory.buffers, opened under the rules
 * our own locator's directories obey (file_open_existing_directory); 0 with fd open on the live one. */
static int find_in(uint32_t pid, int rootfd, const char *root, const char *first, bool shared, const char *name,
                   size_t size, int *fd, struct stat *st, uintptr_t *recorded, look *l) {
    char dir[VMEM_SHARED_PATH_LIMIT], why[256];
    snprintf(dir, sizeof dir, "%s/%s/" FILE_LOCATOR_FOLDER, root, first);
    int top = file_open_existing_directory(rootfd, first, shared, why, sizeof why);
    int dirfd = top >= 0 ? file_open_existing_directory(top, FILE_LOCATOR_FOLDER, shared, why, sizeof why) : top;
    if (top >= 0) close(top);
    if (dirfd < 0) {
        if (dirfd != -ENOENT && !l->why[0]) snprintf(l->why, sizeof l->why, "%s/%s: %s", root, first, why);
        return dirfd == -ENOENT ? ENOENT : -dirfd;
    }
    int error = ENOENT;
    for (int n = 1; n <= VMEM_SHARED_DERIVED_MAX; n++) {
        char file[VMEM_SHARED_PATH_LIMIT];
        int written = n == 1 ? snprintf(file, sizeof file, "%s", name) : snprintf(file, sizeof file, "%s #%d", name, n);
        if (written < 0 || (size_t)written >= sizeof file) {
            error = ENAMETOOLONG;
            break;
        }
        int result = try_file(pid, dirfd, dir, file, size, fd, st, recorded, l);
        if (result == 0 || result == ENODATA) {
            error = result;
            break;
        }
        if (result == EACCES) error = EACCES;   /* remembered: tells "not ours" from "none" */
    }
    close(dirfd);
    return error;
}

/* Why nothing was mapped, in out->where. */
static void explain(vmem_shared *out, int error, uint32_t pid, const file_folders *f, const char *name,
                    const look *l) {
    if (l->foreign_owner != (uid_t)-1)
        snprintf(out->where, sizeof out->where, "process %u has a locator file of user %u ('%s'), which this library "
                 "does not use (it uses only files of its own user, %u, and writes into no other user's): run as "
                 "user %u", (unsigned)pid, (unsigned)l->foreign_owner, l->foreign_path, (unsigned)geteuid(),
                 (unsigned)l->foreign_owner);
    else if (error == ENODATA)
        snprintf(out->where, sizeof out->where, "%s", l->why);
    else
        snprintf(out->where, sizeof out->where, "no file '%s' (or '%s #n') in %s/%s/" FILE_LOCATOR_FOLDER " or "
                 "%s/%s/" FILE_LOCATOR_FOLDER " is mapped by process %u%s%s%s", name, name, f->root, f->first[0],
                 f->root, f->first[1], (unsigned)pid, error == EACCES ? " (a file was found but is not owned by "
                 "this user)" : "", l->why[0] ? "; refused: " : "", l->why);
}

int vmem_shared_open_other(uint32_t pid, const char *name, size_t size, vmem_shared *out, uintptr_t *out_recorded) {
    memset(out, 0, sizeof *out);
    out->os_handle = -1;
    file_folders f;
    file_locator_folders(&f);
    const char *root = f.root;
    look l;
    memset(&l, 0, sizeof l);
    l.foreign_owner = (uid_t)-1;
    int fd = -1, error = ENOENT;
    struct stat st;
    uintptr_t recorded = 0;
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd >= 0) {
        error = find_in(pid, rootfd, root, f.first[0], true, name, size, &fd, &st, &recorded, &l);
        if (error && error != ENODATA) {
            int second = find_in(pid, rootfd, root, f.first[1], false, name, size, &fd, &st, &recorded, &l);
            if (second != ENOENT || error == ENOENT) error = second;
        }
        close(rootfd);
    }
    if (error && l.foreign_owner != (uid_t)-1) error = EACCES;
    if (error) {
        explain(out, error, pid, &f, name, &l);
        return error;
    }
    void *address = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (address == MAP_FAILED) {
        error = errno;
        close(fd);
        snprintf(out->where, sizeof out->where, "the locator file of process %u cannot be mapped: %s", (unsigned)pid,
                 strerror(error));
        return error;
    }
    out->address = (uintptr_t)address;
    out->size = size;
    out->os_handle = fd;   /* kept: vmem_shared_check_other asks it for the file's size */
    out->identity = (uint64_t)st.st_ino;
    out->device = (uint64_t)st.st_dev;
    *out_recorded = recorded;
    return 0;
}

int vmem_shared_check_other(const vmem_shared *shared, char *why, size_t why_size) {
    struct stat st;
    if (shared->os_handle < 0) return 0;   /* a view without its descriptor: see vmem_other.h */
    /* The size alone, without an fstat's copy of every field (90 against 165 ns here: it runs before
     * every remote get and release); the descriptor serves only this and the mapping, so its offset is free. */
    off_t end = lseek((int)shared->os_handle, 0, SEEK_END);
    if (end >= 0 && (uintmax_t)end >= shared->size) return 0;
    if (fstat((int)shared->os_handle, &st) != 0) {
        int error = errno;
        snprintf(why, why_size, "its locator file cannot be inspected: %s", strerror(error));
        return error;
    }
    if ((uintmax_t)st.st_size >= shared->size) return 0;
    snprintf(why, why_size, "its locator file (inode %ju) is %jd bytes now, shorter than the %zu mapped here: "
             "truncated, by that process or another of its user; not touched", (uintmax_t)st.st_ino,
             (intmax_t)st.st_size, shared->size);
    return ENODATA;
}

void vmem_shared_close_other(vmem_shared *shared) {
    if (shared->address) munmap((void *)shared->address, shared->size);
    if (shared->os_handle >= 0) close((int)shared->os_handle);
    shared->address = 0;
    shared->os_handle = -1;
}
