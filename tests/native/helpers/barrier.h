/* pthread barriers for the helper programs: the C library's on Linux; macOS has none, so there a
 * small one of a mutex and a condition variable with the same calls (only what the helpers use). */
#ifndef BUFFERS_TEST_BARRIER_H
#define BUFFERS_TEST_BARRIER_H

#include <pthread.h>

#if defined(__APPLE__)
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t  all_here;
    unsigned        count, waiting, round;
} pthread_barrier_t;

static inline int pthread_barrier_init(pthread_barrier_t *b, const void *attributes, unsigned count) {
    (void)attributes;
    b->count = count;
    b->waiting = b->round = 0;
    pthread_mutex_init(&b->lock, NULL);
    return pthread_cond_init(&b->all_here, NULL);
}

static inline int pthread_barrier_wait(pthread_barrier_t *b) {
    pthread_mutex_lock(&b->lock);
    unsigned round = b->round;
    if (++b->waiting == b->count) {
        b->waiting = 0;
        b->round++;
        pthread_cond_broadcast(&b->all_here);
    } else {
        while (round == b->round) pthread_cond_wait(&b->all_here, &b->lock);
    }
    pthread_mutex_unlock(&b->lock);
    return 0;
}

static inline int pthread_barrier_destroy(pthread_barrier_t *b) {
    pthread_cond_destroy(&b->all_here);
    return pthread_mutex_destroy(&b->lock);
}
#endif

#endif
