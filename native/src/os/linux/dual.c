/* The object behind a write-xor-execute buffer: memory that can be mapped twice. */
#define _GNU_SOURCE

#include "os/linux/dual.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pure/maps.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1u
#endif

/* Through syscall(): glibc before 2.27 has no memfd_create wrapper. */
static int memfd(void) {
#ifdef SYS_memfd_create
    return (int)syscall(SYS_memfd_create, MAPS_DUAL_MARKER, MFD_CLOEXEC);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/* An unlinked file in directory: only this process holds it. */
static int unlinked_file(const char *directory) {
    char path[64];
    snprintf(path, sizeof path, "%s/" MAPS_DUAL_MARKER ".XXXXXX", directory);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) unlink(path);
    return fd;
}

int linux_dual_object(size_t size, int *out_fd) {
    int fd = memfd();
    if (fd < 0) fd = unlinked_file("/dev/shm");
    if (fd < 0) fd = unlinked_file("/tmp");
    if (fd < 0) return errno;
    /* Blocks allocated now: a sparse object would raise SIGBUS at the first write of a page the
     * system then has no memory for (tmpfs full); this way that is an error here instead. */
    int allocated = fallocate(fd, 0, 0, (off_t)size);
    if (allocated != 0 && errno == EOPNOTSUPP) allocated = ftruncate(fd, (off_t)size);
    if (allocated != 0) {
        int error = errno;
        close(fd);
        return error;
    }
    *out_fd = fd;
    return 0;
}
