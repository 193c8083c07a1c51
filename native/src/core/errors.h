/* The per-thread last-error text behind buffers_last_error(). */
#ifndef BUFFERS_ERRORS_H
#define BUFFERS_ERRORS_H

#include <reloaded/buffers.h>

#if defined(__MINGW32__)   /* MinGW in C11 mode formats with its own C99 printf, not msvcrt's */
#define BUFFERS_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define BUFFERS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BUFFERS_PRINTF(f, a)
#endif

/* Records "<STATUS_NAME>: <formatted message>" as this thread's last error and returns status. */
buffers_status errors_set(buffers_status status, const char *format, ...) BUFFERS_PRINTF(2, 3);

/* Appends "; <formatted text>" to this thread's last error (for context added by callers). */
void errors_append(const char *format, ...) BUFFERS_PRINTF(1, 2);

const char *errors_last(void);

/* The status errors_set recorded last on this thread (BUFFERS_OK before any). */
buffers_status errors_last_status(void);

/* "BUFFERS_ERROR_NO_SPACE" for BUFFERS_ERROR_NO_SPACE; "BUFFERS_STATUS_UNKNOWN" for others. */
const char *errors_status_name(buffers_status status);

#endif
