/* Checks and byte locks on locator files, for os/linux/shared.c (open), os/linux/stale.c (the
 * sweep of stale files) and os/linux/remote/ (the files of another process), with the directory
 * rules (os/posix/directories.h, shared with macOS). The locks are Linux OFD byte locks (3.15+): they belong to
 * one open of the file, so copies of the library in one process exclude each other, and they last
 * until the last descriptor and mapping of that open go.
 * Every file including this header defines _FILE_OFFSET_BITS 64 first (struct stat must agree). */
#ifndef BUFFERS_VMEM_POSIX_FILE_H
#define BUFFERS_VMEM_POSIX_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "os/posix/directories.h"   /* the directory rules, shared with macOS */

enum {
    FILE_ALIVE_BYTE = 0,    /* shared, held for as long as a process maps the file */
    FILE_SETUP_BYTE = 1,    /* exclusive, held while a copy of the library decides about the file */
    FILE_CREATING_BYTE = 2, /* exclusive, held with the setup lock while a file is being created: by
                               a process creating it for another (vmem_shared_create_in_other: a
                               ptrace session, which can take seconds when the target's thread is
                               slow to stop), or by the copy that just made it (reserving its blocks
                               can stall on a busy disk) */
    FILE_SETUP_WAIT_MS = 500,
    FILE_CREATION_WAIT_MS = 10000
};


/* One non-blocking attempt: type F_RDLCK, F_WRLCK or F_UNLCK on byte. 0 or errno. */
int file_byte_lock(int fd, int type, int byte);

/* The setup lock, waited for at most FILE_SETUP_WAIT_MS (a copy holds it for microseconds), or up
 * to FILE_CREATION_WAIT_MS while FILE_CREATING_BYTE is held (a creation for this process is in
 * flight: giving up would leave its mapping unused and the locator unshared); 0, EWOULDBLOCK when
 * it stayed held, or another errno. */
int file_lock_setup(int fd);

/* Drops the setup and creating locks and closes fd. */
void file_unlock_close(int fd);

/* True while any open of the file (in any process, any PID namespace) holds the alive byte. */
bool file_held_alive(int fd);

/* Why a file may not be used (type, owner, mode, links), or NULL. Judged before any lock, so no
 * stranger's file is ever waited on. */
const char *file_untrusted_reason(const struct stat *st);

/* Makes the file size bytes long with every block of it reserved, so that no store through a shared
 * mapping of it can meet a block the file system cannot give (the kernel answers such a store with
 * SIGBUS). fallocate; where the file system has none (EOPNOTSUPP), the bytes from the file's end up
 * to size are written as zeros through fd. Bytes already in the file are never changed. 0, or the
 * errno (ENOSPC, EDQUOT, EFBIG, ...): the caller then maps nothing and removes a file it made. */
int file_reserve(int fd, off_t size);

/* The fallback of file_reserve, on its own for the tests: zeros written from the file's end to size. */
int file_reserve_by_writing(int fd, off_t size);

/* True if name in dirfd still is the file st describes (it may be replaced while we wait). */
bool file_still_named(int dirfd, const char *name, const struct stat *st);

/* True for "<prefix><pid>", "<prefix><pid>, after 0x<hex>" (a further locator; *further set),
 * "<prefix><pid>, write-xor-execute" (that chain's first) and any of them with " #<n>" after it;
 * *pid gets the decimal pid. */
bool file_locator_name(const char *entry, const char *prefix, uint32_t *pid, bool *further);

/* What file_remove_if_stale did. */
typedef enum stale_outcome { STALE_KEPT, STALE_REMOVED, STALE_FAILED } stale_outcome;

/* Removes entry of dirfd if it is ours and stale: trusted (file_untrusted_reason), its setup lock
 * free (one non-blocking attempt: a busy file is left alone), still named so, and nobody in any
 * namespace holds it alive. The caller has checked that no process has its PID. With dry_run it
 * only says so. why gets the reason when kept or failed. */
stale_outcome file_remove_if_stale(int dirfd, const char *entry, bool dry_run, char *why, size_t why_size);

#endif
