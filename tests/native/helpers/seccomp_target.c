/* A target for locator creation from outside whose seccomp filter refuses (EPERM) some of the
 * system calls the creating session injects. Installs the filter, prints "ready", then sleeps in
 * clock_nanosleep for good. Modes:
 *     close          every close
 *     munmap         every munmap
 *     close-above-2  close of a descriptor from 3 up (close(-1), a harmless probe, still gets EBADF)
 *     munmap-placed  munmap of any length but 0 (munmap(0, 0), a harmless probe, still gets EINVAL)
 * Linux x86-64 and aarch64, like the tests that use it. Never instrumented: the tests compare its
 * memory map. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define REFUSE BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

typedef struct sock_filter line;
#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define THIS_ARCH AUDIT_ARCH_I386   /* built, not used: 32-bit Linux does not act in other processes */
#else
#error "seccomp_target: x86-64, aarch64 and i386 only"
#endif

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    unsigned number = strncmp(mode, "close", 5) == 0 ? SYS_close : SYS_munmap;
    /* Other architectures and other calls pass; then the mode's judgement of this call. */
    line filter[16] = {
        LOAD(arch),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
        ALLOW,
        LOAD(nr),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, number, 1, 0),
        ALLOW,
    };
    unsigned short n = 6;
    if (strcmp(mode, "close") == 0 || strcmp(mode, "munmap") == 0) {
        filter[n++] = (line)REFUSE;
    } else if (strcmp(mode, "close-above-2") == 0) {   /* refuse 3 <= fd < 65536 */
        filter[n++] = (line)LOAD(args[0]);
        filter[n++] = (line)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 3, 0, 2);
        filter[n++] = (line)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 65536, 1, 0);
        filter[n++] = (line)REFUSE;
        filter[n++] = (line)ALLOW;
    } else if (strcmp(mode, "munmap-placed") == 0) {   /* refuse any length but 0 */
        filter[n++] = (line)LOAD(args[1]);
        filter[n++] = (line)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
        filter[n++] = (line)REFUSE;
        filter[n++] = (line)ALLOW;
    } else {
        fprintf(stderr, "usage: seccomp_target close|munmap|close-above-2|munmap-placed\n");
        return 2;
    }
    struct sock_fprog program = {n, filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        perror("seccomp");
        return 1;
    }
    static const char ready[] = "ready\n";
    if (write(STDOUT_FILENO, ready, sizeof ready - 1) != (ssize_t)sizeof ready - 1) return 1;
    for (;;) {
        struct timespec ten = {10, 0};
        clock_nanosleep(CLOCK_MONOTONIC, 0, &ten, NULL);
    }
}
