/* Linux: mapping, in this process, the locator file another process uses (vmem_shared_open_other).
 * The target named its file as os/linux/shared.c does: <root>/.reloaded/memory.buffers/<name> or
 * the per-user fallback <root>/.reloaded-<uid>/memory.buffers/<name>, or a derived "<name> #n" when
 * the plain name was held by a process of another PID namespace. The right file is the one whose
 * recorded address (its first word) starts a live mapping of that very inode in /proc/<pid>/maps:
 * a file's name alone proves nothing (a dead process's file, one of a namesake in another
 * namespace). No lock of the file is taken: the caller neither creates nor decides about it, and
 * holding its "alive" lock would keep the file looking in use after the target exits. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "os/vmem_other.h"
#include "os/linux/proc_maps.h"
#include "os/linux/locator_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path if it is a trusted locator file that pid maps at its recorded address. */
static int try_file(uint32_t pid, const char *path, int *out_fd, struct stat *st, uintptr_t *recorded) {
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno;
    int error = 0;
    if (fstat(fd, st) != 0 || file_untrusted_reason(st)) error = EACCES;
    else if (pread(fd, recorded, sizeof *recorded, 0) != (ssize_t)sizeof *recorded || !*recorded) error = ENOENT;
    else if (!linux_maps_file_at(pid, (uint64_t)st->st_dev, (uint64_t)st->st_ino, *recorded)) error = ENOENT;
    if (error) {
        close(fd);
        return error;
    }
    *out_fd = fd;
    return 0;
}

/* Tries name and its derived names in directory dir; 0 with fd open on the live one. */
static int find_in(uint32_t pid, const char *dir, const char *name, int *fd, struct stat *st, uintptr_t *recorded) {
    char path[VMEM_SHARED_PATH_LIMIT + 64];
    int error = ENOENT;
    for (int n = 1; n <= VMEM_SHARED_DERIVED_MAX; n++) {
        int written = n == 1 ? snprintf(path, sizeof path, "%s/%s", dir, name)
                             : snprintf(path, sizeof path, "%s/%s #%d", dir, name, n);
        if (written < 0 || (size_t)written >= sizeof path) return ENAMETOOLONG;
        int result = try_file(pid, path, fd, st, recorded);
        if (result == 0) return 0;
        if (result == EACCES) error = EACCES;   /* remembered: tells "not ours" from "none" */
    }
    return error;
}

int vmem_shared_open_other(uint32_t pid, const char *name, size_t size, vmem_shared *out, uintptr_t *out_recorded) {
    memset(out, 0, sizeof *out);
    out->os_handle = -1;
    const char *root = file_shared_root();
    char shared_dir[VMEM_SHARED_PATH_LIMIT], user_dir[VMEM_SHARED_PATH_LIMIT];
    snprintf(shared_dir, sizeof shared_dir, "%s/.reloaded/memory.buffers", root);
    snprintf(user_dir, sizeof user_dir, "%s/.reloaded-%u/memory.buffers", root, (unsigned)geteuid());
    int fd = -1;
    struct stat st;
    uintptr_t recorded = 0;
    int error = find_in(pid, shared_dir, name, &fd, &st, &recorded);
    if (error) {
        int second = find_in(pid, user_dir, name, &fd, &st, &recorded);
        if (second != ENOENT || error == ENOENT) error = second;
    }
    if (error) {
        snprintf(out->where, sizeof out->where, "no file '%s' (or '%s #n') in %s or %s is mapped by process %u%s",
                 name, name, shared_dir, user_dir, (unsigned)pid,
                 error == EACCES ? " (a file was found but is not owned by this user)" : "");
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
    close(fd);   /* the mapping keeps the file */
    out->address = (uintptr_t)address;
    out->size = size;
    out->identity = (uint64_t)st.st_ino;
    out->device = (uint64_t)st.st_dev;
    *out_recorded = recorded;
    return 0;
}

void vmem_shared_close_other(vmem_shared *shared) {
    if (shared->address) munmap((void *)shared->address, shared->size);
    shared->address = 0;
}
