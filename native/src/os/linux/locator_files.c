/* Every process's locator files, for tools (os/locator_files.h): listed, classified and read as
 * bytes, never mapped; a stale one removed by the sweep's rules (os/linux/stale.c). Anything under
 * a locator's name may be planted: entries are opened with O_NOFOLLOW | O_NONBLOCK and checked to be
 * regular files before a byte is read. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "os/locator_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/linux/locator_file.h"
#include "os/linux/proc_maps.h"
#include "os/posix/shared_root.h"

vmem_file_state vmem_locator_file_state(const char *path, uint32_t pid) {
    struct stat st;
    bool alive = vmem_process_alive(pid);
    /* fstatat, not stat/lstat: the glibc 2.17 floor of the shipped libraries maps it (cmake/glibc-floor). */
    if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
        return alive ? VMEM_FILE_LIVE : VMEM_FILE_STALE;
    if (alive) return linux_maps_file(pid, (uint64_t)st.st_dev, (uint64_t)st.st_ino) == 0 ? VMEM_FILE_PID_REUSED
                                                                                   : VMEM_FILE_LIVE;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    bool held = fd >= 0 && file_held_alive(fd);
    if (fd >= 0) close(fd);
    return held ? VMEM_FILE_FOREIGN : VMEM_FILE_STALE;
}

static void process_name(uint32_t pid, char *out, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%u/comm", (unsigned)pid);
    snprintf(out, size, "?");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t got = read(fd, out, size - 1);
    close(fd);
    if (got <= 0) {
        snprintf(out, size, "?");
        return;
    }
    out[got] = '\0';
    out[strcspn(out, "\n")] = '\0';
}

/* Reports every first-locator entry of directory (root/first/memory.buffers); true when fn stopped. */
static bool walk_directory(const char *root, const char *first, const char *prefix, vmem_locator_file_fn fn,
                           void *context) {
    vmem_locator_file file;
    memset(&file, 0, sizeof file);
    int length = snprintf(file.path, sizeof file.path, "%s/%s/" FILE_LOCATOR_FOLDER, root, first);
    if (length < 0 || (size_t)length >= sizeof file.path) return false;
    file.directory_length = (size_t)length;
    int dirfd = open(file.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *dir = dirfd >= 0 ? fdopendir(dirfd) : NULL;
    if (!dir) {
        if (dirfd >= 0) close(dirfd);
        return false;
    }
    bool stopped = false;
    for (struct dirent *entry; !stopped && (entry = readdir(dir)) != NULL;) {
        bool further;
        if (!file_locator_name(entry->d_name, prefix, &file.pid, &further) || further) continue;
        if ((size_t)snprintf(file.path + file.directory_length, sizeof file.path - file.directory_length, "/%s",
                             entry->d_name) >= sizeof file.path - file.directory_length)
            continue;
        struct stat st;
        bool known = fstatat(dirfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
        file.owner_uid = known ? (uint32_t)st.st_uid : UINT32_MAX;
        file.regular = known && S_ISREG(st.st_mode);
        file.state = vmem_locator_file_state(file.path, file.pid);
        process_name(file.pid, file.process_name, sizeof file.process_name);
        stopped = fn(&file, context);
    }
    closedir(dir);
    return stopped;
}

int vmem_locator_files_walk(const char *root, const char *prefix, vmem_locator_file_fn fn, void *context) {
    struct stat st;
    if (fstatat(AT_FDCWD, root, &st, 0) != 0) return errno;
    if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    if (walk_directory(root, FILE_SHARED_FIRST, prefix, fn, context)) return 0;
    DIR *dir = opendir(root);
    if (!dir) return 0;   /* an unreadable root hides only the per-user folders */
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        if (strncmp(entry->d_name, FILE_PER_USER_PREFIX, strlen(FILE_PER_USER_PREFIX)) == 0 &&
            walk_directory(root, entry->d_name, prefix, fn, context))
            break;
    }
    closedir(dir);
    return 0;
}

int vmem_locator_file_read(const char *path, void *out, size_t size, size_t *out_read) {
    *out_read = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st;
    int error = fstat(fd, &st) != 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
    while (!error && *out_read < size) {
        ssize_t got = pread(fd, (char *)out + *out_read, size - *out_read, (off_t)*out_read);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) error = errno;
        if (got <= 0) break;
        *out_read += (size_t)got;
    }
    close(fd);
    return error;
}

int vmem_locator_memory_read(uint32_t pid, uintptr_t address, void *out, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%u/mem", (unsigned)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    /* /proc/PID/mem takes the address as the file offset; one above the off_t range is not mapped. */
    ssize_t got = address > (uintptr_t)INT64_MAX ? -1 : pread(fd, out, size, (off_t)address);
    int error = got == (ssize_t)size ? 0 : got < 0 && address <= (uintptr_t)INT64_MAX ? errno : EFAULT;
    close(fd);
    return error;
}

uint32_t vmem_process_pointer_size(uint32_t pid) {
    char path[64];
    unsigned char ident[5];
    snprintf(path, sizeof path, "/proc/%u/exe", (unsigned)pid);
    size_t got;
    if (vmem_locator_file_read(path, ident, sizeof ident, &got) != 0 || got != sizeof ident) return 0;
    if (memcmp(ident, "\x7f" "ELF", 4) != 0) return 0;
    return ident[4] == 1 ? 4 : ident[4] == 2 ? 8 : 0;
}

int vmem_locator_file_remove_stale(const char *path, const char *prefix, bool dry_run, bool *removed, char *why,
                                   size_t why_size) {
    *removed = false;
    const char *slash = strrchr(path, '/');
    uint32_t pid;
    bool further;
    if (!slash || !file_locator_name(slash + 1, prefix, &pid, &further)) {
        snprintf(why, why_size, "is not named like a locator file");
        return EINVAL;
    }
    if (vmem_process_alive(pid)) {
        snprintf(why, why_size, "process %u runs", (unsigned)pid);
        return 0;
    }
    char directory[VMEM_SHARED_PATH_LIMIT];
    snprintf(directory, sizeof directory, "%.*s", (int)(slash - path), path);
    int dirfd = open(slash == path ? "/" : directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) {
        snprintf(why, why_size, "its directory cannot be opened: %s", strerror(errno));
        return 0;
    }
    stale_outcome outcome = file_remove_if_stale(dirfd, slash + 1, dry_run, why, why_size);
    int error = outcome == STALE_FAILED ? EIO : 0;
    close(dirfd);
    *removed = outcome == STALE_REMOVED;
    return error;
}
