#include "core/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[1024];
static _Thread_local buffers_status last_status = BUFFERS_OK;

const char *errors_status_name(buffers_status status) {
    switch (status) {
    case BUFFERS_OK: return "BUFFERS_OK";
    case BUFFERS_ERROR_INVALID_ARGUMENT: return "BUFFERS_ERROR_INVALID_ARGUMENT";
    case BUFFERS_ERROR_NO_SPACE: return "BUFFERS_ERROR_NO_SPACE";
    case BUFFERS_ERROR_LOCATOR: return "BUFFERS_ERROR_LOCATOR";
    case BUFFERS_ERROR_UNSUPPORTED: return "BUFFERS_ERROR_UNSUPPORTED";
    case BUFFERS_ERROR_OUT_OF_MEMORY: return "BUFFERS_ERROR_OUT_OF_MEMORY";
    case BUFFERS_ERROR_PERMISSION: return "BUFFERS_ERROR_PERMISSION";
    }
    return "BUFFERS_STATUS_UNKNOWN";
}

buffers_status errors_set(buffers_status status, const char *format, ...) {
    last_status = status;
    int used = snprintf(last_error, sizeof last_error, "%s: ", errors_status_name(status));
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

buffers_status errors_last_status(void) {
    return last_status;
}
