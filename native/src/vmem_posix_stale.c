/* The sweep of stale locator files in the directory this process uses (docs/locator-security.md):
 * a file goes only when both tests say nobody uses it -- no process has its PID in our namespace
 * (other implementations of the format hold no locks), and no open of it anywhere holds the alive
 * byte (a process in another PID namespace, or a forked child of a dead holder). */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmem.h"
#include "vmem_posix_file.h"

/* True for "<prefix><decimal pid>" and "<prefix><decimal pid> #<decimal n>"; *pid gets the pid. */
static bool locator_file_name(const char *entry, const char *prefix, uint32_t *pid) {
    size_t prefix_length = strlen(prefix);
    if (strncmp(entry, prefix, prefix_length) != 0) return false;
    char *end;
    const char *digits = entry + prefix_length;
    if (*digits < '0' || *digits > '9') return false;
    unsigned long long value = strtoull(digits, &end, 10);
    if (value > UINT32_MAX || end - digits > 10) return false;
    if (*end == ' ' && end[1] == '#' && end[2] >= '0' && end[2] <= '9') (void)strtoul(end + 2, &end, 10);
    *pid = (uint32_t)value;
    return *end == '\0';
}

/* Removes entry if it is ours and stale: no process of that PID in our namespace, and nobody in any
 * namespace holds it alive. One non-blocking attempt at its setup lock: a busy file is left alone. */
static bool remove_if_stale(int dirfd, const char *entry) {
    int fd = openat(dirfd, entry, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    struct stat st;
    bool removed = false;
    if (fstat(fd, &st) == 0 && !file_untrusted_reason(&st) && file_byte_lock(fd, F_WRLCK, FILE_SETUP_BYTE) == 0) {
        if (file_still_named(dirfd, entry, &st) && !file_held_alive(fd)) removed = unlinkat(dirfd, entry, 0) == 0;
    }
    file_unlock_close(fd);   /* unlocking a byte we do not hold is harmless */
    return removed;
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
        /* Files of other implementations hold no alive lock: a live PID keeps them too. */
        if (!locator_file_name(entry->d_name, prefix, &pid) || vmem_process_alive(pid)) continue;
        if (remove_if_stale(dirfd, entry->d_name)) removed++;
    }
    closedir(dir);
    return removed;
}
