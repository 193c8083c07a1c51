/* A thread for one ptrace session: see os/linux/remote/tracer.h. The hand-offs are futex words, not
 * semaphores: sem_* (like pthread_create, see cmake/glibc-floor) carry GLIBC_2.34 versions when
 * built on a new glibc, and the shipped libraries must load on glibc 2.17. */
#define _GNU_SOURCE

#include "os/linux/remote/tracer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's futex operations (linux/futex.h, which musl's toolchain does not ship). */
#define TRACER_FUTEX_WAIT_PRIVATE 128   /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define TRACER_FUTEX_WAKE_PRIVATE 129   /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

/* A one-way signal between two threads: post sets it and wakes the waiter; wait blocks until it is
 * set, then clears it. */
typedef struct flag {
    _Atomic(int) set;
} flag;

static void post(flag *f) {
    atomic_store_explicit(&f->set, 1, memory_order_release);
    syscall(SYS_futex, &f->set, TRACER_FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void wait_for(flag *f) {
    while (!atomic_exchange_explicit(&f->set, 0, memory_order_acquire))
        syscall(SYS_futex, &f->set, TRACER_FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);   /* returns at once if set */
}

struct tracer {
    pthread_t  thread;
    flag       go, finished;   /* a job (or the end: job NULL) is posted; it is done */
    tracer_job job;
    void      *arg;
    int        result;
};

static void *serve(void *context) {
    tracer *t = context;
    for (;;) {
        wait_for(&t->go);
        if (!t->job) return NULL;
        t->result = t->job(t->arg);
        post(&t->finished);
    }
}

int tracer_start(tracer **out) {
    tracer *t = calloc(1, sizeof *t);
    if (!t) return ENOMEM;
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);   /* this thread's mask (as pthread_sigmask, whose symbol is
                                               GLIBC_2.32); the new thread inherits it */
    int error = pthread_create(&t->thread, NULL, serve, t);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (error) {
        free(t);
        return error == EAGAIN ? ENOMEM : error;
    }
    *out = t;
    return 0;
}

int tracer_run(tracer *t, tracer_job job, void *arg) {
    t->job = job, t->arg = arg;
    post(&t->go);
    wait_for(&t->finished);
    return t->result;
}

void tracer_stop(tracer *t) {
    if (!t) return;
    t->job = NULL;
    post(&t->go);
    pthread_join(t->thread, NULL);
    free(t);
}
