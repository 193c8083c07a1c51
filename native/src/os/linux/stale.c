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

#include "os/vmem.h"
#include "os/linux/locator_file.h"

/* LOCATOR_FURTHER_INFIX of core/locator.h, which the OS layer does not include (nothing below calls
 * up); test_locator_files.cc sweeps files named in the format docs/format.md gives. */
#define FURTHER_INFIX ", after 0x"
#define DUAL_SUFFIX ", write-xor-execute"   /* LOCATOR_DUAL_SUFFIX: the write-xor-execute chain's first */

/* Skips "<digits>" at *at (at most max of them, at least one); false if there are none. */
static bool skip_digits(const char **at, bool hex, size_t max) {
    const char *start = *at;
    while ((size_t)(*at - start) < max &&
           ((**at >= '0' && **at <= '9') || (hex && **at >= 'a' && **at <= 'f')))
        (*at)++;
    return *at > start;
}

/* True for "<prefix><pid>", "<prefix><pid>, after 0x<hex>" (a further locator), "<prefix><pid>,
 * write-xor-execute" (that chain's first) and any of them with
 * " #<n>" after it; *pid gets the decimal pid. */
static bool locator_file_name(const char *entry, const char *prefix, uint32_t *pid) {
    size_t prefix_length = strlen(prefix), infix_length = strlen(FURTHER_INFIX);
    if (strncmp(entry, prefix, prefix_length) != 0) return false;
    const char *digits = entry + prefix_length, *at = digits;
    if (!skip_digits(&at, false, 10)) return false;
    unsigned long long value = strtoull(digits, NULL, 10);
    if (value > UINT32_MAX) return false;
    if (strncmp(at, FURTHER_INFIX, infix_length) == 0) {
        at += infix_length;
        if (!skip_digits(&at, true, 2 * sizeof(uint64_t))) return false;
    } else if (strncmp(at, DUAL_SUFFIX, strlen(DUAL_SUFFIX)) == 0) {
        at += strlen(DUAL_SUFFIX);
    }
    if (at[0] == ' ' && at[1] == '#') {
        at += 2;
        if (!skip_digits(&at, false, 10)) return false;
    }
    *pid = (uint32_t)value;
    return *at == '\0';
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
