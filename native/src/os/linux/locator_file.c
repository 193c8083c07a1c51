#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64   /* 32-bit builds: 64-bit inode numbers in struct stat */
#define _LARGEFILE64_SOURCE    /* struct flock64 for the OFD lock record */
#define _GNU_SOURCE            /* fallocate */

#include "os/linux/locator_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef F_OFD_GETLK   /* Linux 3.15; older C libraries do not name them */
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#endif

/* The OFD commands take a lock record with 64-bit offsets. They go through the raw system call
 * (fcntl64 on 32-bit), not the C library's fcntl, which large-file builds turn into fcntl64@GLIBC_2.28
 * and so would break the glibc 2.17 floor of the shipped libraries (docs/platforms.md). */
#if defined(SYS_fcntl64)
typedef struct flock64 ofd_record;
#define OFD_FCNTL SYS_fcntl64
#else
typedef struct flock ofd_record;
#define OFD_FCNTL SYS_fcntl
#endif

static ofd_record one_byte(int type, int byte) {
    ofd_record lock;
    memset(&lock, 0, sizeof lock);   /* l_pid must be 0 for OFD locks */
    lock.l_type = (short)type;
    lock.l_whence = SEEK_SET;
    lock.l_start = byte;
    lock.l_len = 1;
    return lock;
}

static int ofd_fcntl(int fd, int command, ofd_record *lock) {
    return syscall(OFD_FCNTL, fd, command, lock) == 0 ? 0 : errno;
}

int file_byte_lock(int fd, int type, int byte) {
    ofd_record lock = one_byte(type, byte);
    return ofd_fcntl(fd, F_OFD_SETLK, &lock);
}

static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* 1 while some other open of the file holds a lock on byte, 0 if none does, -1 if it cannot be told. */
static int byte_held(int fd, int byte) {
    ofd_record probe = one_byte(F_WRLCK, byte);
    if (ofd_fcntl(fd, F_OFD_GETLK, &probe) != 0) return -1;
    return probe.l_type != F_UNLCK;
}

int file_lock_setup(int fd) {
    long long start = monotonic_ms();
    for (;;) {
        int error = file_byte_lock(fd, F_WRLCK, FILE_SETUP_BYTE);
        if (error != EAGAIN && error != EACCES && error != EINTR) return error;
        long long waited = monotonic_ms() - start;
        if (waited >= FILE_CREATION_WAIT_MS ||
            (waited >= FILE_SETUP_WAIT_MS && byte_held(fd, FILE_CREATING_BYTE) != 1))
            return EWOULDBLOCK;
        struct timespec millisecond = {0, 1000000};
        nanosleep(&millisecond, NULL);
    }
}

void file_unlock_close(int fd) {
    file_byte_lock(fd, F_UNLCK, FILE_CREATING_BYTE);   /* the mapping keeps the open: drop it by hand */
    file_byte_lock(fd, F_UNLCK, FILE_SETUP_BYTE);
    close(fd);
}

bool file_held_alive(int fd) {
    return byte_held(fd, FILE_ALIVE_BYTE) != 0;   /* cannot tell: never treat it as stale */
}

const char *file_untrusted_reason(const struct stat *st) {
    if (!S_ISREG(st->st_mode)) return "is not a regular file";
    if (st->st_uid != geteuid()) return "is owned by another user";
    if (st->st_mode & 022) return "is writable by other users";
    if (st->st_nlink > 1) return "has other hard links";   /* 0: just removed, the caller looks again */
    return NULL;
}

int file_reserve(int fd, off_t size) {
    int error;
    do error = fallocate(fd, 0, 0, size) == 0 ? 0 : errno;
    while (error == EINTR);
    return error == EOPNOTSUPP || error == ENOSYS ? file_reserve_by_writing(fd, size) : error;
}

int file_reserve_by_writing(int fd, off_t size) {
    static const char zeros[4096];
    struct stat st;
    if (fstat(fd, &st) != 0) return errno;
    for (off_t at = st.st_size; at < size;) {
        size_t chunk = size - at < (off_t)sizeof zeros ? (size_t)(size - at) : sizeof zeros;
        ssize_t written = pwrite(fd, zeros, chunk, at);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) return errno;
        if (written == 0) return ENOSPC;
        at += written;
    }
    return 0;
}

bool file_still_named(int dirfd, const char *name, const struct stat *st) {
    struct stat now;
    return fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == st->st_ino &&
           now.st_dev == st->st_dev;
}



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

bool file_locator_name(const char *entry, const char *prefix, uint32_t *pid, bool *further) {
    size_t prefix_length = strlen(prefix), infix_length = strlen(FURTHER_INFIX);
    if (strncmp(entry, prefix, prefix_length) != 0) return false;
    const char *digits = entry + prefix_length, *at = digits;
    if (!skip_digits(&at, false, 10)) return false;
    unsigned long long value = strtoull(digits, NULL, 10);
    if (value > UINT32_MAX) return false;
    *further = strncmp(at, FURTHER_INFIX, infix_length) == 0;
    if (*further) {
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
