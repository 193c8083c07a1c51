#include "jni_status.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char glue_reason[512];

jlong jni_fail(buffers_status status, const char *format, ...)
{
    int used = snprintf(glue_reason, sizeof glue_reason, "%s: ", buffers_status_name(status));
    if (used > 0 && (size_t)used < sizeof glue_reason) {
        va_list args;
        va_start(args, format);
        vsnprintf(glue_reason + used, sizeof glue_reason - (size_t)used, format, args);
        va_end(args);
    }
    return -(jlong)status;
}

jlong jni_failed(buffers_status status)
{
    glue_reason[0] = '\0';
    return -(jlong)status;
}

const char *jni_last_error(void)
{
    return glue_reason[0] != '\0' ? glue_reason : buffers_last_error();
}

jstring jni_ascii_string(JNIEnv *env, const char *text)
{
    char buffer[1024];
    size_t n = 0;
    for (; text != NULL && text[n] != '\0' && n + 1 < sizeof buffer; n++) {
        unsigned char c = (unsigned char)text[n];
        buffer[n] = (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' ? (char)c : '?';
    }
    buffer[n] = '\0';
    return (*env)->NewStringUTF(env, buffer);
}
