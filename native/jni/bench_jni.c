/*
 * Natives used only by the JMH benchmarks (java/src/bench): the floor of a JNI crossing, and the C
 * hot path (get + append + release) looped inside C so that its cost can be set against the Java
 * paths under identical conditions.
 */
#include "jni_convert.h"
#include "jni_natives.h"
#include "jni_status.h"

void jni_noop(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
}

/* The same floor for the FFM route: an exported C function that does nothing (exports.map). */
JNIEXPORT void buffers_jni_noop(void)
{
}

jlong jni_hot_path_in_c(JNIEnv *env, jclass cls, jlong min, jlong max, jbyteArray data, jint iterations)
{
    (void)cls;
    jbyte bytes[256];
    buffers_search_settings settings;
    jsize length = data == NULL ? 0 : (*env)->GetArrayLength(env, data);
    if (length <= 0 || length > (jsize)sizeof bytes || iterations < 0
        || !jni_range(min, max, &settings.min_address, &settings.max_address)) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "hot path: data of %d bytes or iterations %d is invalid",
                        (int)length, (int)iterations);
    }
    (*env)->GetByteArrayRegion(env, data, 0, length, bytes);
    settings.size = (uint32_t)length;
    uintptr_t last = 0;
    for (jint i = 0; i < iterations; i++) {
        buffers_item *item;
        buffers_status status = buffers_get_buffer(&settings, &item);
        if (status != BUFFERS_OK) {
            return jni_failed(status);
        }
        last = buffers_item_append(item, bytes, (size_t)length);
        buffers_item_release(item);
    }
    return (jlong)last;
}
