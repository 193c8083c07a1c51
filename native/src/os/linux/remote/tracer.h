/* Linux only: a thread of its own that runs the steps of one ptrace session (os/linux/remote/ptrace.c).
 * A tracee belongs to the thread that seized it, and the kernel detaches every tracee of a thread
 * that exits, stopped or not, whereas PTRACE_DETACH works only on a stopped one. So a session
 * whose target never stopped in time is still let go when its tracer thread ends, and the
 * caller's thread never stays a tracer. */
#ifndef BUFFERS_VMEM_LINUX_TRACER_H
#define BUFFERS_VMEM_LINUX_TRACER_H

typedef struct tracer tracer;
typedef int (*tracer_job)(void *arg);

/* Starts the thread (all signals blocked in it). 0 or an errno. */
int tracer_start(tracer **out);

/* Runs job(arg) on the thread and returns its result. */
int tracer_run(tracer *t, tracer_job job, void *arg);

/* Ends the thread, which lets go of its tracees, and frees t. Null is ignored. */
void tracer_stop(tracer *t);

#endif
