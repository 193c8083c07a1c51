/* The sweep of stale locator files in the directory this process uses (docs/locator-security.md):
 * a file goes only when both tests say nobody uses it -- no process has its PID in our namespace
 * (other implementations of the format hold no locks), and no open of it anywhere holds the alive
 * byte (a process in another PID namespace, or a forked child of a dead holder). */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/vmem.h"
#include "os/linux/locator_file.h"

stale_outcome file_remove_if_stale(int dirfd, const char *entry, bool dry_run, char *why, size_t why_size) {
    int fd = openat(dirfd, entry, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(why, why_size, "cannot be opened: %s", errno == ELOOP ? "it is a symlink" : strerror(errno));
        return STALE_KEPT;
    }
    struct stat st;
    const char *problem = fstat(fd, &st) != 0 ? "cannot be inspected" : file_untrusted_reason(&st);
    if (!problem && file_byte_lock(fd, F_WRLCK, FILE_SETUP_BYTE) != 0) problem = "is being set up by a user of it";
    if (!problem && !file_still_named(dirfd, entry, &st)) problem = "was replaced meanwhile";
    if (!problem && file_held_alive(fd)) problem = "is held alive by a process (another PID namespace?)";
    stale_outcome outcome = problem ? STALE_KEPT : STALE_REMOVED;
    if (problem) snprintf(why, why_size, "%s", problem);
    else if (!dry_run && unlinkat(dirfd, entry, 0) != 0) {
        snprintf(why, why_size, "cannot be removed: %s", strerror(errno));
        outcome = STALE_FAILED;
    }
    file_unlock_close(fd);   /* unlocking a byte we do not hold is harmless */
    return outcome;
}

int vmem_shared_remove_stale(const char *prefix) {
    const char *directory = vmem_shared_directory();
    if (!directory[0]) return 0;
    int dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) return 0;
    DIR *dir = fdopendir(dirfd);
    if (!dir) {
        close(dirfd);
        return 0;
    }
    int removed = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        uint32_t pid;
        bool further;
        char why[128];
        /* Files of other implementations hold no alive lock: a live PID keeps them too. */
        if (!file_locator_name(entry->d_name, prefix, &pid, &further) || vmem_process_alive(pid)) continue;
        if (file_remove_if_stale(dirfd, entry->d_name, false, why, sizeof why) == STALE_REMOVED) removed++;
    }
    closedir(dir);
    return removed;
}
