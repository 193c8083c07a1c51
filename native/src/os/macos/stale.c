/* The sweep of stale locator files in the directory this process uses: a file goes only when no
 * process has the PID in its name (other implementations of the format hold no locks) and no open of
 * it holds the alive lock (a forked child of a dead creator). Done under the directory's setup lock,
 * so it never races with a copy of the library deciding about a file. */
#define _DARWIN_C_SOURCE

#include "os/vmem.h"
#include "os/macos/locator_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The PID of a file named "<prefix><pid>", "<prefix><pid>, after 0x<hex>" (a further locator) or
 * either with " #<n>" (a derived name); 0 for any other name. */
static uint32_t pid_in_name(const char *entry, const char *prefix) {
    size_t length = strlen(prefix);
    if (strncmp(entry, prefix, length) != 0 || entry[length] < '1' || entry[length] > '9') return 0;
    char *rest;
    unsigned long long pid = strtoull(entry + length, &rest, 10);
    bool known_tail = *rest == '\0' || strncmp(rest, ", after 0x", 10) == 0 || strncmp(rest, " #", 2) == 0;
    return known_tail && pid <= UINT32_MAX && rest - (entry + length) <= 10 ? (uint32_t)pid : 0;
}

static bool remove_if_stale(int dirfd, const char *entry) {
    int fd = openat(dirfd, entry, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    struct stat st;
    bool stale = fstat(fd, &st) == 0 && !file_untrusted_reason(&st) && !file_held_alive(fd);
    close(fd);
    return stale && unlinkat(dirfd, entry, 0) == 0;
}

int vmem_shared_remove_stale(const char *prefix) {
    const char *directory = vmem_shared_directory();
    if (!directory[0]) return 0;
    int dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) return 0;
    int listing = dup(dirfd);   /* fdopendir owns its descriptor; the lock stays on ours */
    DIR *dir = listing >= 0 && file_lock_directory(dirfd) == 0 ? fdopendir(listing) : NULL;
    int removed = 0;
    if (dir) {
        for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
            uint32_t pid = pid_in_name(entry->d_name, prefix);
            if (pid && !vmem_process_alive(pid) && remove_if_stale(dirfd, entry->d_name)) removed++;
        }
        closedir(dir);
    } else if (listing >= 0) {
        close(listing);
    }
    close(dirfd);   /* drops the setup lock */
    return removed;
}
