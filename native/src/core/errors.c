#include "core/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[1024];

buffers_status errors_set(buffers_status status, const char *format, ...) {
    int used = snprintf(last_error, sizeof last_error, "%s: ", buffers_status_name(status));
    if (used < 0) used = 0;
    if ((size_t)used < sizeof last_error) {
        va_list args;
        va_start(args, format);
        vsnprintf(last_error + used, sizeof last_error - (size_t)used, format, args);
        va_end(args);
    }
    return status;
}

void errors_append(const char *format, ...) {
    size_t used = strlen(last_error);
    if (used + 2 >= sizeof last_error) return;
    memcpy(last_error + used, "; ", 3);
    used += 2;
    va_list args;
    va_start(args, format);
    vsnprintf(last_error + used, sizeof last_error - used, format, args);
    va_end(args);
}

const char *errors_last(void) {
    return last_error;
}
