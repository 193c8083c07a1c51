/* A thread for one ptrace session: see vmem_linux_tracer.h. */
#define _GNU_SOURCE

#include "vmem_linux_tracer.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>

struct tracer {
    pthread_t  thread;
    sem_t      go, finished;   /* a job (or the end: job NULL) is posted; it is done */
    tracer_job job;
    void      *arg;
    int        result;
};

static void wait_for(sem_t *semaphore) {
    while (sem_wait(semaphore) != 0 && errno == EINTR) {
    }
}

static void *serve(void *context) {
    tracer *t = context;
    for (;;) {
        wait_for(&t->go);
        if (!t->job) return NULL;
        t->result = t->job(t->arg);
        sem_post(&t->finished);
    }
}

int tracer_start(tracer **out) {
    tracer *t = calloc(1, sizeof *t);
    if (!t) return ENOMEM;
    sem_init(&t->go, 0, 0);
    sem_init(&t->finished, 0, 0);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);   /* the thread inherits it: signals go to the caller's */
    int error = pthread_create(&t->thread, NULL, serve, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (error) {
        sem_destroy(&t->go);
        sem_destroy(&t->finished);
        free(t);
        return error == EAGAIN ? ENOMEM : error;
    }
    *out = t;
    return 0;
}

int tracer_run(tracer *t, tracer_job job, void *arg) {
    t->job = job, t->arg = arg;
    sem_post(&t->go);
    wait_for(&t->finished);
    return t->result;
}

void tracer_stop(tracer *t) {
    if (!t) return;
    t->job = NULL;
    sem_post(&t->go);
    pthread_join(t->thread, NULL);
    sem_destroy(&t->go);
    sem_destroy(&t->finished);
    free(t);
}
