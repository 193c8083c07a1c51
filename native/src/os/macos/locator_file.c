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
