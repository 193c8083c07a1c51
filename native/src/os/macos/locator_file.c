/* Locks, trust checks and liveness of the macOS locator file (os/macos/locator_file.h). */
#define _DARWIN_C_SOURCE

#include "os/macos/locator_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libproc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/proc_info.h>
#include <time.h>
#include <unistd.h>


static int open_directory(int parent, const char *name) {
    return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* What is wrong with directory fd, or NULL (a private one is narrowed to 0700 on the way). */
static const char *directory_problem(int fd, bool shared) {
    struct stat st;
    if (fstat(fd, &st) != 0) return "cannot be inspected";
    if (st.st_uid != geteuid() && st.st_uid != 0) return "is owned by another user";
    if (shared) return (st.st_mode & 022) && !(st.st_mode & S_ISVTX) ? "is writable by others and not sticky" : NULL;
    if (st.st_uid != geteuid()) return "is not owned by this user";
    return (st.st_mode & 077) && fchmod(fd, 0700) != 0 ? "is open to others" : NULL;
}

int file_open_checked_directory(int parent, const char *name, bool shared, char *why, size_t why_size) {
    int fd = open_directory(parent, name);
    if (fd < 0 && errno == ENOENT && (mkdirat(parent, name, 0700) == 0 || errno == EEXIST)) {
        fd = open_directory(parent, name);
        /* Shared: everyone may add files; sticky, so nobody can remove or rename another's. */
        if (fd >= 0 && shared && fchmod(fd, 01777) != 0) {
            close(fd);
            snprintf(why, why_size, "cannot make '%s' shared: %s", name, strerror(errno));
            return -1;
        }
    }
    if (fd < 0) {
        snprintf(why, why_size, "'%s' %s", name,
                 errno == ELOOP || errno == ENOTDIR ? "is a symlink or not a directory" : strerror(errno));
        return -1;
    }
    const char *problem = directory_problem(fd, shared);
    if (problem) {
        snprintf(why, why_size, "'%s' %s", name, problem);
        close(fd);
        return -1;
    }
    return fd;
}

int file_lock_directory(int dirfd) {
    for (int waited_ms = 0;; waited_ms++) {
        if (flock(dirfd, LOCK_EX | LOCK_NB) == 0) return 0;
        if (errno != EWOULDBLOCK && errno != EINTR) return errno;
        if (waited_ms >= FILE_SETUP_WAIT_MS) return EWOULDBLOCK;
        struct timespec millisecond = {0, 1000000};
        nanosleep(&millisecond, NULL);
    }
}

bool file_held_alive(int fd) {
    /* Our own descriptor: an exclusive lock is granted only if no open of the file holds one. */
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
        return false;
    }
    return true;   /* held, or cannot tell: never treat it as stale */
}

const char *file_untrusted_reason(const struct stat *st) {
    if (!S_ISREG(st->st_mode)) return "is not a regular file";
    if (st->st_uid != geteuid()) return "is owned by another user";
    if (st->st_mode & 022) return "is writable by other users";
    if (st->st_nlink != 1) return "has other hard links or none";
    return NULL;
}

bool file_mapped_here_at(uint64_t device, uint64_t inode, uintptr_t address) {
    /* The region at or above address, with the file behind it: macOS's answer to /proc/self/maps. */
    struct proc_regionwithpathinfo region;
    memset(&region, 0, sizeof region);
    int got = proc_pidinfo(getpid(), PROC_PIDREGIONPATHINFO, (uint64_t)address, &region, (int)sizeof region);
    return got == (int)sizeof region && region.prp_prinfo.pri_address == (uint64_t)address &&
           region.prp_vip.vip_vi.vi_stat.vst_ino == inode && region.prp_vip.vip_vi.vi_stat.vst_dev == (uint32_t)device;
}
