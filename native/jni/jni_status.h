/*
 * The one failure convention of the JNI glue: a failing native returns -status (or null where it
 * returns an object) and the reason is always recorded, so NativeBuffers.lastError() never shows a
 * stale message. Reasons the glue makes up itself are kept per thread here; a failure reported by
 * the C core clears them, so lastError() then falls through to buffers_last_error().
 */
#ifndef BUFFERS_JNI_STATUS_H
#define BUFFERS_JNI_STATUS_H

#include <jni.h>

#include <reloaded/buffers.h>

#if defined(__MINGW32__) /* MinGW in C11 mode formats with its own C99 printf, not msvcrt's */
#define JNI_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define JNI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define JNI_PRINTF(f, a)
#endif

/* Records "<STATUS_NAME>: <reason>" for a failure the glue found itself; returns -status. */
jlong jni_fail(buffers_status status, const char *format, ...) JNI_PRINTF(2, 3);

/* A failure the C core reported (and recorded): forgets the glue's reason; returns -status. */
jlong jni_failed(buffers_status status);

/* This thread's last failure: the glue's reason if the last one was the glue's, else the C core's. */
const char *jni_last_error(void);

/* A Java string from C text, with bytes outside printable ASCII replaced (modified UTF-8 stays valid). */
jstring jni_ascii_string(JNIEnv *env, const char *text);

/* A Java string from C text that is UTF-8 (paths, process names): passed through whole when it is
 * UTF-8 of 1-3 byte sequences without control characters, else as jni_ascii_string. */
jstring jni_text_string(JNIEnv *env, const char *text);

#endif
