/* The self-check of builds that no test runs (macOS today; docs/platforms.md, "Self-check"): at the
 * first call that needs buffers, the library proves itself through its own public path before it
 * serves anyone. Compiled in only with BUFFERS_SELF_CHECK (a CMake option, on for macOS builds);
 * elsewhere the hook is an inline OK that costs nothing.
 *
 * self_check.c runs it once per process; self_check_steps.c holds the steps. */
#ifndef BUFFERS_SELF_CHECK_H
#define BUFFERS_SELF_CHECK_H

#include <reloaded/buffers.h>

#ifdef BUFFERS_SELF_CHECK
/* Runs the check once per process (other threads wait for its answer; the thread running it
 * passes through, since the check itself gets buffers). BUFFERS_OK once it passed; otherwise its
 * failure, the same status and text every time, naming the step that failed. */
buffers_status self_check_first_use(void);

/* Why the check failed: the step's name (one of self_check_step_names), a status and a text. */
typedef struct self_check_failure {
    const char    *step;
    buffers_status status;
    char           text[400];
} self_check_failure;

/* Every step, in the order they run; NULL-terminated. */
extern const char *const self_check_step_names[];

/* The steps, each through the public API; false at the first that fails, with *failure filled. */
bool self_check_run_steps(self_check_failure *failure);
#else
static inline buffers_status self_check_first_use(void) {
    return BUFFERS_OK;
}
#endif

#endif
