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

/* Whether text is UTF-8 that modified UTF-8 reads the same: sequences of 1 to 3 bytes (no 4-byte
 * ones, which Java writes as two 3-byte halves), none overlong, no surrogate halves, no control
 * characters but tab and newline. */
static int plain_utf8(const unsigned char *text)
{
    while (*text != 0) {
        unsigned char c = *text;
        if (c < 0x80) {
            if (c < 0x20 && c != '\n' && c != '\t') return 0;
            text++;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if ((text[1] & 0xC0) != 0x80) return 0;
            text += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if ((text[1] & 0xC0) != 0x80 || (text[2] & 0xC0) != 0x80) return 0;
            if (c == 0xE0 && text[1] < 0xA0) return 0;   /* overlong */
            if (c == 0xED && text[1] >= 0xA0) return 0;  /* a surrogate half */
            text += 3;
        } else {
            return 0;
        }
    }
    return 1;
}

jstring jni_text_string(JNIEnv *env, const char *text)
{
    return text != NULL && plain_utf8((const unsigned char *)text) ? (*env)->NewStringUTF(env, text)
                                                                   : jni_ascii_string(env, text);
}
