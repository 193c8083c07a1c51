/* Linux only: starts and drives the warden of one ptrace session (os/linux/remote/warden.h).
 * A tracee belongs to the task that seized it, and the kernel lets go of every tracee of a task
 * that ends, stopped or not, with whatever registers it has then. The warden is a process of its
 * own sharing our memory, so the end of the caller (kill -9, exit, exec) does not end it: it puts
 * the target's registers back and detaches. Where that process may not trace (Yama), a thread. */
#ifndef BUFFERS_VMEM_LINUX_TRACER_H
#define BUFFERS_VMEM_LINUX_TRACER_H

#include <stdbool.h>

#include "os/linux/remote/warden.h"

typedef struct tracer tracer;

/* Starts the warden: a process of its own, or with as_thread a thread of ours (all signals blocked
 * in either). 0 or an errno. */
int tracer_start(tracer **out, bool as_thread);

/* The box the caller fills before tracer_run. */
warden_box *tracer_box(tracer *t);

/* Runs op (an enum warden_op) in the warden and returns box->error; ECANCELED if the warden has
 * ended (killed: the kernel let go of the target). */
int tracer_run(tracer *t, int op);

/* Ends the warden (it ends an open session first) and frees t. Null is ignored. */
void tracer_stop(tracer *t);

#endif
