/* The directory rules for locator files on Linux and macOS (os/posix/directories.h). */
#define _DEFAULT_SOURCE
#define _DARWIN_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64   /* 32-bit builds: 64-bit inode numbers in struct stat */

#include "os/posix/directories.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory may be trusted (rules 1-3 of docs/locator-security.md), or why not. may_fix: a
 * per-user directory of ours open to others is tightened to 0700 (our own use); else refused. */
static const char *directory_problem(int fd, bool shared, bool may_fix) {
    struct stat st;
    if (fstat(fd, &st) != 0) return "cannot be inspected";
    if (st.st_uid != geteuid() && st.st_uid != 0) return "is owned by another user";
    if (shared && (st.st_mode & 022) && !(st.st_mode & S_ISVTX)) return "is writable by others and not sticky";
    if (!shared && st.st_uid != geteuid()) return "is not owned by this user";
    if (!shared && (st.st_mode & 077) && (!may_fix || fchmod(fd, 0700) != 0)) return "is open to others";
    return NULL;
}

/* Opens directory name under parent without following a symlink; with may_create, makes it first
 * when missing (mode 01777 when shared, set after mkdir 0700, so it is never world-writable without
 * the sticky bit; else 0700). Its descriptor, or a negative errno with why written. */
static int open_directory(int parent, const char *name, bool shared, bool may_create, char *why, size_t why_size) {
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && may_create) {
        if (mkdirat(parent, name, 0700) == 0) {
            fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0 && shared && fchmod(fd, 01777) != 0) {
                int error = errno;
                close(fd);
                snprintf(why, why_size, "cannot make '%s' shared: %s", name, strerror(error));
                return -error;
            }
        } else if (errno == EEXIST) {
            fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
    }
    if (fd < 0) {
        bool swapped = errno == ELOOP || errno == ENOTDIR;   /* not to be trusted: a refusal */
        int error = swapped ? EACCES : errno;
        snprintf(why, why_size, "'%s' %s", name, swapped ? "is a symlink or not a directory" : strerror(error));
        return -error;
    }
    const char *problem = directory_problem(fd, shared, may_create);
    if (problem) {
        snprintf(why, why_size, "'%s' %s", name, problem);
        close(fd);
        return -EACCES;
    }
    return fd;
}

int file_open_checked_directory(int parent, const char *name, bool shared, char *why, size_t why_size) {
    return open_directory(parent, name, shared, true, why, why_size);
}

int file_open_existing_directory(int parent, const char *name, bool shared, char *why, size_t why_size) {
    return open_directory(parent, name, shared, false, why, why_size);
}
