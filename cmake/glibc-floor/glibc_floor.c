/* Keeps every shared object we ship loadable on glibc 2.17 (RHEL 7+, Ubuntu 14.04+, Amazon Linux 2).
 *
 * Since glibc 2.33, fstat and fstatat are real libc symbols versioned GLIBC_2.33; before, the headers
 * turned them into calls to __fxstat / __fxstatat with a structure version number. A library built
 * against new headers therefore needs GLIBC_2.33 at load time. Every glibc still exports the old
 * entry points (as compatibility symbols since 2.33), so the link maps fstat -> __wrap_fstat
 * (-Wl,--wrap, see GlibcFloor.cmake) and these wrappers call the old entry points at their oldest
 * version on each architecture. Linked only into glibc builds. Not OS logic: a build-time shim. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#if defined(__x86_64__) && defined(__LP64__)
#define FLOOR_STAT_VER 1 /* _STAT_VER_LINUX */
#define FLOOR_FXSTAT_VERSION "GLIBC_2.2.5"
#define FLOOR_FXSTAT64_VERSION "GLIBC_2.2.5"
#define FLOOR_FXSTATAT_VERSION "GLIBC_2.4"
#define FLOOR_PTHREAD_CREATE_VERSION "GLIBC_2.2.5"
#define FLOOR_PTHREAD_JOIN_VERSION "GLIBC_2.2.5"
#elif defined(__i386__)
#if defined(_FILE_OFFSET_BITS) && _FILE_OFFSET_BITS == 64
#error "glibc_floor.c maps both struct stat layouts itself; build it without _FILE_OFFSET_BITS=64"
#endif
#define FLOOR_STAT_VER 3 /* _STAT_VER_LINUX */
#define FLOOR_FXSTAT_VERSION "GLIBC_2.0"
#define FLOOR_FXSTAT64_VERSION "GLIBC_2.2"
#define FLOOR_FXSTATAT_VERSION "GLIBC_2.4"
#define FLOOR_PTHREAD_CREATE_VERSION "GLIBC_2.1"
#define FLOOR_PTHREAD_JOIN_VERSION "GLIBC_2.0"
#elif defined(__aarch64__)
#define FLOOR_STAT_VER 0 /* _STAT_VER_LINUX of the generic layout */
#define FLOOR_FXSTAT_VERSION "GLIBC_2.17"
#define FLOOR_FXSTAT64_VERSION "GLIBC_2.17"
#define FLOOR_FXSTATAT_VERSION "GLIBC_2.17"
#define FLOOR_PTHREAD_CREATE_VERSION "GLIBC_2.17"
#define FLOOR_PTHREAD_JOIN_VERSION "GLIBC_2.17"
#else
#error "glibc_floor.c: no known __fxstat version for this architecture"
#endif

/* The plain names serve sources built without large-file offsets, the 64 names those built with
 * _FILE_OFFSET_BITS=64 (the locator file code: 64-bit inode numbers on 32-bit builds). */
int __fxstat(int version, int fd, struct stat *out);
int __fxstatat(int version, int dirfd, const char *path, struct stat *out, int flags);
int __fxstat64(int version, int fd, struct stat64 *out);
int __fxstatat64(int version, int dirfd, const char *path, struct stat64 *out, int flags);
__asm__(".symver __fxstat, __fxstat@" FLOOR_FXSTAT_VERSION);
__asm__(".symver __fxstatat, __fxstatat@" FLOOR_FXSTATAT_VERSION);
__asm__(".symver __fxstat64, __fxstat64@" FLOOR_FXSTAT64_VERSION);
__asm__(".symver __fxstatat64, __fxstatat64@" FLOOR_FXSTATAT_VERSION);

#define FLOOR_HIDDEN __attribute__((visibility("hidden")))
int __wrap_fstat(int fd, struct stat *out) FLOOR_HIDDEN;
int __wrap_fstatat(int dirfd, const char *path, struct stat *out, int flags) FLOOR_HIDDEN;
int __wrap_fstat64(int fd, struct stat64 *out) FLOOR_HIDDEN;
int __wrap_fstatat64(int dirfd, const char *path, struct stat64 *out, int flags) FLOOR_HIDDEN;

int __wrap_fstat(int fd, struct stat *out) {
    return __fxstat(FLOOR_STAT_VER, fd, out);
}

int __wrap_fstatat(int dirfd, const char *path, struct stat *out, int flags) {
    return __fxstatat(FLOOR_STAT_VER, dirfd, path, out, flags);
}

int __wrap_fstat64(int fd, struct stat64 *out) {
    return __fxstat64(FLOOR_STAT_VER, fd, out);
}

int __wrap_fstatat64(int dirfd, const char *path, struct stat64 *out, int flags) {
    return __fxstatat64(FLOOR_STAT_VER, dirfd, path, out, flags);
}

/* pthread_create and pthread_join moved from libpthread into libc in glibc 2.34 and got GLIBC_2.34
 * versions there; libc keeps the old versions as compatibility symbols, and before 2.34 libpthread
 * (which the link names as needed: GlibcFloor.cmake) defines them under those same versions. */
int floor_pthread_create(pthread_t *thread, const pthread_attr_t *attributes, void *(*start)(void *), void *arg);
int floor_pthread_join(pthread_t thread, void **result);
__asm__(".symver floor_pthread_create, pthread_create@" FLOOR_PTHREAD_CREATE_VERSION);
__asm__(".symver floor_pthread_join, pthread_join@" FLOOR_PTHREAD_JOIN_VERSION);

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attributes, void *(*start)(void *),
                          void *arg) FLOOR_HIDDEN;
int __wrap_pthread_join(pthread_t thread, void **result) FLOOR_HIDDEN;

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attributes, void *(*start)(void *), void *arg) {
    return floor_pthread_create(thread, attributes, start, arg);
}

int __wrap_pthread_join(pthread_t thread, void **result) {
    return floor_pthread_join(thread, result);
}
