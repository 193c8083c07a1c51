/* The locator file on macOS, shared by os/macos/shared.c (open, close) and os/macos/stale.c (the
 * sweep). Linux's OFD byte locks do not exist on macOS, and its POSIX fcntl locks belong to the
 * process (copies of the library in one process would not exclude each other, and closing any
 * descriptor of the file drops them all). flock() locks belong to one open of a file, like OFD locks,
 * but lock the whole file and conflict with fcntl locks on it, so one file cannot carry both the
 * exclusive "setup" lock and the shared "alive" lock. Hence two objects:
 *  - setup: an exclusive flock on the memory.buffers directory, held while a copy of the library
 *    decides about and initialises a file (microseconds), waited for at most FILE_SETUP_WAIT_MS;
 *  - alive: a shared flock on the locator file, taken by the process that created the file on a
 *    descriptor it keeps open for as long as it maps the file (all its life for a kept locator). A
 *    forked child shares that open file, and the lock, as on Linux; exec closes it (O_CLOEXEC).
 * macOS has no PID namespaces, so only an exec'd image of the same process or a reused PID can meet
 * a file named after its PID that it did not make. */
#ifndef BUFFERS_OS_MACOS_LOCATOR_FILE_H
#define BUFFERS_OS_MACOS_LOCATOR_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "os/posix/directories.h"   /* the directory rules, shared with Linux */

enum { FILE_SETUP_WAIT_MS = 500 };


/* The setup lock on directory fd: 0, EWOULDBLOCK when it stayed held, or another errno. */
int file_lock_directory(int dirfd);

/* True while some open of the file (any process) holds the alive lock; true when unsure. */
bool file_held_alive(int fd);

/* Why a file may not be used (type, owner, mode, links), or NULL. */
const char *file_untrusted_reason(const struct stat *st);

/* True if this process maps the file (device, inode) in a region starting exactly at address. */
bool file_mapped_here_at(uint64_t device, uint64_t inode, uintptr_t address);

#endif
