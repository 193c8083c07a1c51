/*
 * JNI glue, part one: library facts, shared buffers and one-call writes. Converts arguments, calls
 * the public C API and hands back results; failures follow jni_status.h (-status, reason recorded).
 */
#include <stdlib.h>

#include "jni_convert.h"
#include "jni_natives.h"
#include "jni_status.h"

#define SMALL_COPY 256 /* arrays up to this size are copied to the stack instead of pinned */

jint jni_abi_version(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return JNI_ABI_VERSION;
}

jstring jni_version(JNIEnv *env, jclass cls)
{
    (void)cls;
    return jni_ascii_string(env, buffers_version());
}

jstring jni_last_error_string(JNIEnv *env, jclass cls)
{
    (void)cls;
    return jni_ascii_string(env, jni_last_error());
}

jlong jni_max_address(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jlong)buffers_max_address();
}

jint jni_allocation_granularity(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)buffers_allocation_granularity();
}

/* Search settings from Java values; 0 (reason recorded) if they cannot name memory here. */
static jlong search_settings(jlong min, jlong max, jint size, buffers_search_settings *out)
{
    if (size <= 0) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "size %d is not positive", (int)size);
    }
    if (!jni_range(min, max, &out->min_address, &out->max_address)) {
        return jni_fail(BUFFERS_ERROR_NO_SPACE, "min address %#llx is above this process's address space",
                        (unsigned long long)min);
    }
    out->size = (uint32_t)size;
    return 0;
}

jlong jni_get_buffer(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jint alignment)
{
    (void)env;
    (void)cls;
    buffers_search_settings settings;
    jlong bad = search_settings(min, max, size, &settings);
    if (bad < 0) {
        return bad;
    }
    if (alignment < 0) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "alignment %d is negative", (int)alignment);
    }
    buffers_item *item = NULL;
    buffers_status status = alignment == 0 ? buffers_get_buffer(&settings, &item)
                                           : buffers_get_buffer_aligned(&settings, (uint32_t)alignment, &item);
    return status == BUFFERS_OK ? jni_handle(item) : jni_failed(status);
}

/* The address an append returned, or -status: 0 means the C core refused it, said why and recorded
 * the status (PERMISSION for a write another process's OS refused, INVALID_ARGUMENT for too many
 * bytes...). */
static jlong appended(uintptr_t at)
{
    return at != 0 ? (jlong)at : jni_failed(buffers_last_status());
}

static uintptr_t append_bytes(buffers_item *item, const void *bytes, jint length, jboolean code)
{
    return code ? buffers_item_append_code(item, bytes, (size_t)length)
                : buffers_item_append(item, bytes, (size_t)length);
}

jlong jni_append(JNIEnv *env, jclass cls, jlong item, jbyteArray data, jint offset, jint length, jboolean code)
{
    (void)cls;
    if (item == 0 || data == NULL || length <= 0
        || !jni_in_bounds(offset, length, (*env)->GetArrayLength(env, data))) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "append: no buffer, no data or [%d, +%d) outside the array",
                        (int)offset, (int)length);
    }
    if (length <= SMALL_COPY) {
        jbyte copy[SMALL_COPY];
        (*env)->GetByteArrayRegion(env, data, offset, length, copy); /* in bounds: cannot throw */
        return appended(append_bytes(jni_item(item), copy, length, code));
    }
    jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
    if (bytes == NULL) {
        return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "append: the JVM could not pin the array");
    }
    uintptr_t at = append_bytes(jni_item(item), bytes + offset, length, code); /* never blocks */
    (*env)->ReleasePrimitiveArrayCritical(env, data, bytes, JNI_ABORT);
    return appended(at);
}

/* append of up to 32 bytes given as four words in memory order (JniWrites): no call back into the
 * JVM. Exported too, for the FFM route's critical downcall (NativeRoute, JDK 22+): scalars only, so
 * the Java side allocates nothing per append (a heap segment per append was one more object for
 * escape analysis to remove, and it did not always). */
JNIEXPORT jlong buffers_jni_append_words(jlong item, jlong w0, jlong w1, jlong w2, jlong w3, jint length, jint code)
{
    const jlong words[4] = {w0, w1, w2, w3};
    if (item == 0 || length <= 0 || (size_t)length > sizeof words) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "append: no buffer or %d bytes do not fit in four words",
                        (int)length);
    }
    return appended(append_bytes(jni_item(item), words, length, code != 0));
}

jlong jni_append_words(JNIEnv *env, jclass cls, jlong item, jlong w0, jlong w1, jlong w2, jlong w3, jint length,
                       jboolean code)
{
    (void)env;
    (void)cls;
    return buffers_jni_append_words(item, w0, w1, w2, w3, length, code);
}

jlong jni_append_direct(JNIEnv *env, jclass cls, jlong item, jobject data, jint offset, jint length, jboolean code)
{
    (void)cls;
    unsigned char *base = data == NULL ? NULL : (*env)->GetDirectBufferAddress(env, data);
    jlong capacity = base == NULL ? 0 : (*env)->GetDirectBufferCapacity(env, data);
    if (item == 0 || base == NULL || length <= 0 || offset < 0 || (jlong)offset + length > capacity) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT,
                        "append: no buffer, not a direct buffer, or [%d, +%d) outside its %lld bytes", (int)offset,
                        (int)length, (long long)capacity);
    }
    return appended(append_bytes(jni_item(item), base + offset, length, code));
}

jlong jni_item_base_address(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    return (jlong)buffers_item_base_address(jni_item(item));
}

/* The three counters cross as the raw 32 bits; Java reads them unsigned (Buffer.unsigned). */
jint jni_item_size(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    return (jint)buffers_item_size(jni_item(item));
}

jint jni_item_position(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    return (jint)buffers_item_position(jni_item(item));
}

jint jni_item_bytes_left(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    return (jint)buffers_item_bytes_left(jni_item(item));
}

void jni_release(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    buffers_item_release(jni_item(item));
}

/* The address a write returned, or -status (the C core recorded why). */
static jlong written(buffers_status status, uintptr_t at)
{
    return status == BUFFERS_OK ? (jlong)at : jni_failed(status);
}

/* The slow path of a big write: a private copy, then the call that may make a buffer and wait. */
static jlong write_slow(JNIEnv *env, const buffers_search_settings *settings, jbyteArray data, jint offset,
                        jint length, jboolean code)
{
    jbyte *copy = malloc((size_t)length);
    if (copy == NULL) {
        return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "write: no memory for a copy of %d bytes", (int)length);
    }
    (*env)->GetByteArrayRegion(env, data, offset, length, copy); /* in bounds: cannot throw */
    uintptr_t at = 0;
    buffers_status status = code ? buffers_write_code(settings, copy, (size_t)length, &at)
                                 : buffers_write(settings, copy, (size_t)length, &at);
    free(copy);
    return written(status, at);
}

/* The fast path, then the blocking call, on bytes nothing can move or free meanwhile. */
static jlong write_bytes(const buffers_search_settings *settings, const jbyte *bytes, jint length, jboolean code)
{
    uintptr_t at = buffers_try_write(settings->min_address, settings->max_address, settings->size, bytes,
                                     (size_t)length, code);
    if (at != 0) {
        return (jlong)at;
    }
    buffers_status status = code ? buffers_write_code(settings, bytes, (size_t)length, &at)
                                 : buffers_write(settings, bytes, (size_t)length, &at);
    return written(status, at);
}

/*
 * The library's hint slot for the window [min, max] (buffers_window_open, layout 1), which the Java
 * side reads through direct buffers to write without a call (WindowWrites); 0 where the window
 * must always take a call (write-xor-execute, a failure: the call then reports it) and on 32-bit
 * JVMs, whose entry layout the Java side does not read.
 */
jlong jni_window_hint(JNIEnv *env, jclass cls, jlong min, jlong max)
{
    (void)env;
    (void)cls;
    buffers_search_settings settings;
    buffers_window window;
    if (sizeof(void *) != 8 || search_settings(min, max, 1, &settings) < 0
        || buffers_window_open(&settings, 1u, &window) != BUFFERS_OK) {   /* the layout the Java side reads */
        return 0;
    }
    return (jlong)(uintptr_t)window.hint;
}

/*
 * get + append + release of up to 32 bytes passed as four words holding the array's bytes in memory
 * order (JniWrites): no call back into the JVM, whose GetByteArrayRegion and ExceptionCheck each
 * cost a thread-state transition, more than the rest of the write on JDK 17.
 */
jlong jni_write_words(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jlong w0, jlong w1, jlong w2,
                      jlong w3, jint length, jboolean code)
{
    (void)env;
    (void)cls;
    const jlong words[4] = {w0, w1, w2, w3};
    if (length <= 0 || (size_t)length > sizeof words) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "write: %d bytes do not fit in four words", (int)length);
    }
    buffers_search_settings settings;
    jlong bad = search_settings(min, max, size, &settings);
    return bad < 0 ? bad : write_bytes(&settings, (const jbyte *)words, length, code);
}

/*
 * get + append + release. Small arrays (the usual trampoline) are copied to the stack; the JVM
 * checks the bounds while copying, so one exception check replaces a GetArrayLength call. Bigger
 * arrays are pinned only around buffers_try_write, which never blocks (JDK 17's G1 holds off GC
 * while an array is pinned); when no buffer with room is free, they are copied out and
 * buffers_write, which may make a buffer and wait, runs with nothing pinned.
 */
jlong jni_write(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jbyteArray data, jint offset,
                jint length, jboolean code)
{
    (void)cls;
    buffers_search_settings settings;
    jlong bad = search_settings(min, max, size, &settings);
    if (bad < 0) {
        return bad;
    }
    if (data != NULL && length > 0 && length <= SMALL_COPY) {
        jbyte copy[SMALL_COPY];
        (*env)->GetByteArrayRegion(env, data, offset, length, copy);
        if ((*env)->ExceptionCheck(env)) { /* out of bounds: reported like every other failure */
            (*env)->ExceptionClear(env);
            return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "write: [%d, +%d) is outside the array", (int)offset,
                            (int)length);
        }
        return write_bytes(&settings, copy, length, code);
    }
    if (data == NULL || length <= 0 || !jni_in_bounds(offset, length, (*env)->GetArrayLength(env, data))) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "write: no data or [%d, +%d) outside the array",
                        (int)offset, (int)length);
    }
    jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
    if (bytes == NULL) {
        return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "write: the JVM could not pin the array");
    }
    uintptr_t at = buffers_try_write(settings.min_address, settings.max_address, settings.size, bytes + offset,
                                     (size_t)length, code);
    (*env)->ReleasePrimitiveArrayCritical(env, data, bytes, JNI_ABORT);
    return at != 0 ? (jlong)at : write_slow(env, &settings, data, offset, length, code);
}
