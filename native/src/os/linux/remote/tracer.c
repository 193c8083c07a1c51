/* The warden of one ptrace session, started and driven: see os/linux/remote/tracer.h. The hand-offs
 * are futex waits on the box's request word, not semaphores: sem_* (like pthread_create, see
 * cmake/glibc-floor) carry GLIBC_2.34 versions when built on a new glibc, and the shipped libraries
 * must load on glibc 2.17. */
#define _GNU_SOURCE

#include "os/linux/remote/tracer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The kernel's futex operations (linux/futex.h, which musl's toolchain does not ship). */
#define TRACER_FUTEX_WAIT_PRIVATE 128   /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define TRACER_FUTEX_WAKE_PRIVATE 129   /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

/* The box, a guard page, then the warden process's stack, in one mapping of its own: it stays
 * mapped while the warden runs, even after the caller's threads have all ended. */
enum { BOX_SPACE = 4096, GUARD = 4096, STACK = 64 * 1024, MAPPING = BOX_SPACE + GUARD + STACK };
_Static_assert(sizeof(warden_box) <= BOX_SPACE, "the box fits its page");

struct tracer {
    warden_box *box;        /* at the start of the mapping */
    bool        as_thread;
    pthread_t   thread;
    long        process;    /* the warden process's id */
};

static void *serve_thread(void *box) {
    warden_serve(box);
    return NULL;
}

static int start(tracer *t) {
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);   /* this thread's mask (as pthread_sigmask, whose symbol is
                                               GLIBC_2.32); the warden inherits it */
    int error = 0;
    if (t->as_thread) {
        error = pthread_create(&t->thread, NULL, serve_thread, t->box);
        if (error == EAGAIN) error = ENOMEM;
    } else {
        t->box->creator = (int)getpid();
        t->process = warden_clone(t->box, (char *)t->box + MAPPING);
        if (t->process < 0) error = (int)-t->process;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return error;
}

int tracer_start(tracer **out, bool as_thread) {
    tracer *t = calloc(1, sizeof *t);
    if (!t) return ENOMEM;
    void *mapping = mmap(NULL, MAPPING, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) {
        free(t);
        return ENOMEM;
    }
    mprotect((char *)mapping + BOX_SPACE, GUARD, PROT_NONE);
    t->box = mapping;
    t->as_thread = as_thread;
    int error = start(t);
    if (error) {
        munmap(mapping, MAPPING);
        free(t);
        return error;
    }
    *out = t;
    return 0;
}

warden_box *tracer_box(tracer *t) {
    return t->box;
}

static bool warden_alive(const tracer *t) {
    return t->as_thread || atomic_load_explicit(&t->box->warden_tid, memory_order_acquire) != 0;
}

/* Waits until the warden has taken up and done the request posted; false if it ended first. */
static bool wait_done(tracer *t, int posted) {
    struct timespec tick = {0, 10 * 1000 * 1000};
    while (atomic_load_explicit(&t->box->request, memory_order_acquire) == posted) {
        if (!warden_alive(t)) return false;
        syscall(SYS_futex, &t->box->request, TRACER_FUTEX_WAIT_PRIVATE, posted, &tick, NULL, 0);
    }
    return true;
}

static void post(tracer *t, int op) {
    atomic_store_explicit(&t->box->request, op, memory_order_release);
    syscall(SYS_futex, &t->box->request, TRACER_FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int tracer_run(tracer *t, int op) {
    if (!warden_alive(t)) return ECANCELED;
    post(t, op);
    return wait_done(t, op) ? t->box->error : ECANCELED;
}

void tracer_stop(tracer *t) {
    if (!t) return;
    post(t, WARDEN_QUIT);
    if (t->as_thread) {
        pthread_join(t->thread, NULL);
    } else {
        struct timespec tick = {0, 1000 * 1000};
        while (atomic_load_explicit(&t->box->warden_tid, memory_order_acquire) != 0) nanosleep(&tick, NULL);
        /* Reaped here (it sends no signal at its end); another thread that reaps every kind of
         * child (__WALL) may have taken it already. */
        while (waitpid((pid_t)t->process, NULL, __WCLONE) < 0 && errno == EINTR) {
        }
    }
    munmap(t->box, MAPPING);
    free(t);
}
