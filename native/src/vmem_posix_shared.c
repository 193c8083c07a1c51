/* The shared locator mapping on POSIX systems: a real file per process under a directory that other
 * users of the machine may be able to write to, so every step refuses to be redirected:
 *  - directories are opened one component at a time with O_NOFOLLOW and must be owned by us or
 *    root; a shared one that others can write to must be sticky (so nobody else can swap our files);
 *  - the file is created with O_EXCL, mode 0600, O_NOFOLLOW, and must be a regular file we own with
 *    a single link;
 *  - if the shared directory (<root>/.reloaded/memory.buffers) fails any check, the per-user
 *    directory <root>/.reloaded-<uid>/memory.buffers (mode 0700, ours) is used instead. <root> is
 *    /tmp, or $BUFFERS_SHARED_ROOT when set (tests and sandboxes).
 * An exclusive flock on the file serialises the copies of the library in this process while one of
 * them creates or checks the locator. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include "vmem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char chosen_directory[400];

const char *vmem_shared_directory(void) {
    return chosen_directory;
}

static const char *shared_root(void) {
    const char *root = getenv("BUFFERS_SHARED_ROOT");
    return root && *root ? root : "/tmp";
}

/* Opens (creating if missing) directory name under parent and checks it may be trusted. */
static int open_checked_directory(int parent, const char *name, bool shared, char *why, size_t why_size) {
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (mkdirat(parent, name, 0700) == 0) {
            fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            /* Shared: everyone may add their own files; sticky so nobody can touch another's. */
            if (fd >= 0 && shared && fchmod(fd, 01777) != 0) {
                int error = errno;
                close(fd);
                snprintf(why, why_size, "cannot make '%s' shared: %s", name, strerror(error));
                return -1;
            }
        } else if (errno == EEXIST) {
            fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
    }
    if (fd < 0) {
        snprintf(why, why_size, "'%s' %s", name,
                 errno == ELOOP || errno == ENOTDIR ? "is a symlink or not a directory" : strerror(errno));
        return -1;
    }
    struct stat st;
    const char *problem = NULL;
    if (fstat(fd, &st) != 0) problem = "cannot be inspected";
    else if (st.st_uid != geteuid() && st.st_uid != 0) problem = "is owned by another user";
    else if (shared && (st.st_mode & 022) && !(st.st_mode & S_ISVTX)) problem = "is writable by others and not sticky";
    else if (!shared && st.st_uid != geteuid()) problem = "is not owned by this user";
    else if (!shared && (st.st_mode & 077) && fchmod(fd, 0700) != 0) problem = "is open to others";
    if (problem) {
        snprintf(why, why_size, "'%s' %s", name, problem);
        close(fd);
        return -1;
    }
    return fd;
}

/* Opens or creates name in directory dirfd, locks it and maps size bytes of it into *out. */
static int open_locked_file(int dirfd, const char *name, size_t size, vmem_shared *out, char *why, size_t why_size) {
    bool created = true;
    int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        created = false;   /* O_NONBLOCK: a planted FIFO must not hang us */
        fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    }
    if (fd < 0) {
        int error = errno;
        snprintf(why, why_size, "file %s", error == ELOOP ? "is a symlink" : strerror(error));
        return error;
    }
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {}
    struct stat st;
    const char *problem = NULL;
    if (fstat(fd, &st) != 0) problem = "cannot be inspected";
    else if (!S_ISREG(st.st_mode)) problem = "is not a regular file";
    else if (st.st_uid != geteuid()) problem = "is owned by another user";
    else if (st.st_nlink != 1) problem = "has other hard links";
    else if ((size_t)st.st_size != size && ftruncate(fd, (off_t)size) != 0) problem = "cannot be resized";
    if (problem) {
        snprintf(why, why_size, "file %s", problem);
        close(fd);
        return EACCES;
    }
    /* Bytes past the first page hold code chunks, so map executable when there are any (a noexec
     * mount refuses: then the chunks are simply not registered). */
    bool executable = size > 4096;
    void *address = mmap(NULL, size, PROT_READ | PROT_WRITE | (executable ? PROT_EXEC : 0), MAP_SHARED, fd, 0);
    if (address == MAP_FAILED && executable) {
        executable = false;
        address = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    if (address == MAP_FAILED) {
        int error = errno;
        snprintf(why, why_size, "file cannot be mapped: %s", strerror(error));
        close(fd);
        return error;
    }
    out->address = (uintptr_t)address;
    out->size = size;
    out->created = created;
    out->executable = executable;
    out->os_handle = fd;
    out->identity = (uint64_t)st.st_ino;
    out->device = (uint64_t)st.st_dev;
    return 0;
}

/* Tries directory root/first/memory.buffers; on success records it as the chosen directory. */
static int open_in(const char *root, const char *first, bool shared, const char *name, size_t size,
                   vmem_shared *out, char *why, size_t why_size) {
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        int error = errno;
        snprintf(why, why_size, "'%s': %s", root, strerror(error));
        return error;
    }
    int error = EACCES;
    int top = open_checked_directory(rootfd, first, shared, why, why_size);
    if (top >= 0) {
        int dir = open_checked_directory(top, "memory.buffers", shared, why, why_size);
        if (dir >= 0) {
            error = open_locked_file(dir, name, size, out, why, why_size);
            close(dir);
        }
        close(top);
    }
    close(rootfd);
    if (!error) {
        snprintf(chosen_directory, sizeof chosen_directory, "%s/%s/memory.buffers", root, first);
        snprintf(out->where, sizeof out->where, "%s/%s", chosen_directory, name);
    }
    return error;
}

int vmem_shared_open(const char *name, size_t size, vmem_shared *out) {
    memset(out, 0, sizeof *out);
    out->os_handle = -1;
    const char *root = shared_root();
    char shared_why[200], private_why[200];
    if (open_in(root, ".reloaded", true, name, size, out, shared_why, sizeof shared_why) == 0) return 0;
    char per_user[32];
    snprintf(per_user, sizeof per_user, ".reloaded-%u", (unsigned)geteuid());
    int error = open_in(root, per_user, false, name, size, out, private_why, sizeof private_why);
    if (error)
        snprintf(out->where, sizeof out->where, "%s/.reloaded/memory.buffers: %s; fallback %s/%s/memory.buffers: %s",
                 root, shared_why, root, per_user, private_why);
    return error;
}

int vmem_shared_reset(vmem_shared *shared) {
    int fd = (int)shared->os_handle;
    if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)shared->size) != 0) return errno;
    return 0;
}

void vmem_shared_close(vmem_shared *shared, bool keep_mapping) {
    if (!keep_mapping && shared->address) munmap((void *)shared->address, shared->size);
    if (shared->os_handle >= 0) {
        /* Unlock explicitly: a kept mapping holds the open file, so close alone would keep the lock. */
        flock((int)shared->os_handle, LOCK_UN);
        close((int)shared->os_handle);
    }
    shared->os_handle = -1;
}

/* The pid in "<prefix><decimal pid>", or 0 if the rest is not a plain decimal number. */
static uint32_t pid_after_prefix(const char *entry, const char *prefix) {
    size_t prefix_length = strlen(prefix);
    if (strncmp(entry, prefix, prefix_length) != 0) return 0;
    const char *digits = entry + prefix_length;
    uint64_t pid = 0;
    if (!*digits) return 0;
    for (const char *c = digits; *c; c++) {
        if (*c < '0' || *c > '9' || c - digits >= 10) return 0;
        pid = pid * 10 + (uint64_t)(*c - '0');
    }
    return pid <= UINT32_MAX ? (uint32_t)pid : 0;
}

int vmem_shared_remove_stale(const char *prefix) {
    if (!chosen_directory[0]) return 0;
    int dirfd = open(chosen_directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) return 0;
    DIR *dir = fdopendir(dirfd);
    if (!dir) {
        close(dirfd);
        return 0;
    }
    int removed = 0;
    uint32_t own = vmem_current_process_id();
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        uint32_t pid = pid_after_prefix(entry->d_name, prefix);
        if (pid == 0 || pid == own || vmem_process_alive(pid)) continue;
        struct stat st;
        if (fstatat(dirfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) continue;
        if (unlinkat(dirfd, entry->d_name, 0) == 0) removed++;
    }
    closedir(dir);
    return removed;
}
