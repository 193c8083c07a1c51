/* The self-check (native/src/api/self_check.h) forced on in a build the tests run: this program is
 * linked with buffers_self_checked, whose steps can be made to fail (BUFFERS_SELF_CHECK_FAIL=<step>).
 *   self_check_probe pass        the check passes, costs under BUDGET_US once (in the best of three
 *                                fresh processes), and buffers work after
 *   self_check_probe fail STEP   (with BUFFERS_SELF_CHECK_FAIL=STEP) the first call that needs the
 *                                check fails naming STEP, as does every later one; nothing crashes
 *   self_check_probe fail-each   runs "fail STEP" in a fresh process for every step of the mode
 *                                (BUFFERS_WRITE_XOR_EXECUTE=1 adds "write-xor-execute-views")
 * Exit 0 when all held; otherwise 1 after a line saying what did not. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <reloaded/buffers.h>

#include "api/self_check.h"

#ifndef HELPER_LAUNCHER
#define HELPER_LAUNCHER ""
#endif
/* The check's own cost; a sanitizer's runtime multiplies everything by several times. */
#ifndef BUDGET_US
#define BUDGET_US 1000
#endif

static int failures;

static void expect(int holds, const char *what, const char *detail) {
    if (!holds) {
        printf("FAILED: %s (%s)\n", what, detail);
        failures++;
    }
}

static double micros_of(buffers_status (*call)(void), buffers_status *status) {
    struct timespec from, to;
    clock_gettime(CLOCK_MONOTONIC, &from);
    *status = call();
    clock_gettime(CLOCK_MONOTONIC, &to);
    return (double)(to.tv_sec - from.tv_sec) * 1e6 + (double)(to.tv_nsec - from.tv_nsec) / 1e3;
}

static const unsigned char some_bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static buffers_status write_some(uintptr_t *at) {
    buffers_search_settings settings = buffers_search_settings_default();
    return buffers_write(&settings, some_bytes, sizeof some_bytes, at);
}

static int pass(void) {
    /* The locator is opened first: every first use pays for that, with or without the check. */
    expect(buffers_locator_address() != 0, "the locator opens", buffers_last_error());
    buffers_status first, second;
    double first_us = micros_of(buffers_self_check, &first), second_us = micros_of(buffers_self_check, &second);
    expect(first == BUFFERS_OK, "the self-check passes", buffers_last_error());
    expect(second == BUFFERS_OK, "and passes again", buffers_last_error());
    printf("self-check: %.1f us the first time, %.3f us the second (budget %d us)\n", first_us, second_us, BUDGET_US);
    expect(second_us < BUDGET_US / 50.0, "it runs once: the second call costs next to nothing", "see the line above");
    uintptr_t at = 0;
    expect(write_some(&at) == BUFFERS_OK && at && memcmp((const void *)at, some_bytes, sizeof some_bytes) == 0,
           "a write works after the check", buffers_last_error());
    if (failures) return 1;
    if (first_us >= BUDGET_US) return printf("over the budget (see the line above)\n"), 2;
    return 0;
}

/* pass() in fresh processes, up to three: a process descheduled on a busy machine is not the check's
 * cost, so the budget holds for the best of them; any other failure fails at once. */
static int pass_in_fresh_processes(void) {
    for (int attempt = 0; attempt < 3; attempt++) {
        fflush(stdout);
        pid_t child = fork();
        if (child == 0) {
            int result = pass();
            fflush(stdout);
            _exit(result);
        }
        int status = 0;
        if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) {
            printf("FAILED: the check's process did not end normally (status %#x)\n", (unsigned)status);
            return 1;
        }
        if (WEXITSTATUS(status) != 2) return WEXITSTATUS(status);
    }
    printf("FAILED: the check costs under its budget in none of three processes\n");
    return 1;
}

static int fail(const char *step) {
    const char *wanted = getenv("BUFFERS_SELF_CHECK_FAIL");
    if (!wanted || strcmp(wanted, step) != 0) {
        printf("FAILED: run with BUFFERS_SELF_CHECK_FAIL=%s\n", step);
        return 1;
    }
    char named[96];
    snprintf(named, sizeof named, "self-check failed at step '%s'", step);
    uintptr_t at = 0;
    buffers_status status = write_some(&at);   /* the first call that needs buffers */
    expect(status != BUFFERS_OK && at == 0, "the first write is refused", "it succeeded");
    expect(strstr(buffers_last_error(), named) != NULL, "its error names the step", buffers_last_error());
    printf("first call: %s\n", buffers_last_error());
    /* again, through each entry: the windows the check served are no shortcut */
    expect(write_some(&at) != BUFFERS_OK && strstr(buffers_last_error(), named), "a second write is refused too",
           buffers_last_error());
    buffers_item *item = NULL;
    /* the very window the check got its first buffer in (self_check_steps.c): hinted, so the hot path
     * would serve it if the failed check left its hints */
    buffers_search_settings near = buffers_search_settings_from_proximity(0x7FFF0000,
                                                                          (uintptr_t)&self_check_run_steps, 64);
    expect(buffers_get_buffer(&near, &item) != BUFFERS_OK && strstr(buffers_last_error(), named),
           "a get in the check's own window is refused", buffers_last_error());
    buffers_private_allocation allocation;
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    expect(buffers_allocate_private_memory(&settings, &allocation) != BUFFERS_OK && strstr(buffers_last_error(), named),
           "private memory is refused", buffers_last_error());
    expect(buffers_self_check() != BUFFERS_OK && strstr(buffers_last_error(), named),
           "buffers_self_check says the same", buffers_last_error());
    return failures ? 1 : 0;
}

static int fail_each(const char *self) {
    int steps = 0;
    const char *mode = getenv("BUFFERS_WRITE_XOR_EXECUTE");
    bool dual = mode && strcmp(mode, "1") == 0;
    for (const char *const *step = self_check_step_names; *step; step++, steps++) {
        if (!dual && strcmp(*step, "write-xor-execute-views") == 0) {   /* that mode's own step */
            printf("'%s' runs in write-xor-execute mode only: self_check_fails_at_each_step_write_xor_execute\n", *step);
            steps--;
            continue;
        }
        char command[1024];
        snprintf(command, sizeof command, "BUFFERS_SELF_CHECK_FAIL='%s' %s'%s' fail '%s'", *step, HELPER_LAUNCHER, self,
                 *step);
        fflush(stdout);
        int code = system(command);
        expect(code == 0, "a failing step is reported by name", *step);
    }
    printf("%d steps, each failed on purpose in a process of its own\n", steps);
    return failures ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "pass") == 0) return pass_in_fresh_processes();
    if (argc == 3 && strcmp(argv[1], "fail") == 0) return fail(argv[2]);
    if (argc == 2 && strcmp(argv[1], "fail-each") == 0) return fail_each(argv[0]);
    fprintf(stderr, "usage: %s pass | fail STEP | fail-each\n", argv[0]);
    return 2;
}
