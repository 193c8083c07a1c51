/*
 * Natives used only by the benchmarks (java/src/bench): the floor of a JNI crossing, the C bare
 * model reached through each Java route, and the C hot path (get + append + release) looped inside
 * C so that its cost can be set against the Java paths under identical conditions.
 */
#include <stdlib.h>
#include <string.h>

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

/* The C benchmarks' bare model (tests/bench/bench_support.h), one per process: the least a write of
 * the format does (check one item, take it with a compare-and-swap, copy, bump, release), over
 * memory of its own, prefaulted by jni_bare_open. The Java benchmarks call it through each route to
 * measure the route's floor for a write. */
static struct {
    uintptr_t base;
    uint32_t taken;
    uint32_t size;
    uint32_t position;
} bare;

/* The bare model's write: the address written at, or 0 (full, outside [min, max], or taken). */
static uintptr_t bare_write(uintptr_t min, uintptr_t max, const void *data, size_t length)
{
    uint32_t at = __atomic_load_n(&bare.position, __ATOMIC_RELAXED);
    if (bare.size - at < length || bare.base + at < min || bare.base + bare.size - 1 > max) {
        return 0;
    }
    uint32_t expected = 0;
    if (!__atomic_compare_exchange_n(&bare.taken, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        return 0;
    }
    memcpy((void *)(bare.base + at), data, length);
    __atomic_store_n(&bare.position, at + (uint32_t)length, __ATOMIC_RELAXED);
    __atomic_store_n(&bare.taken, 0, __ATOMIC_RELEASE);
    return bare.base + at;
}

/* Gives the bare model bytes of fresh, prefaulted memory (once per process): its base, or -status. */
jlong jni_bare_open(JNIEnv *env, jclass cls, jint bytes)
{
    (void)env;
    (void)cls;
    if (bare.base != 0 || bytes <= 0) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "bare model: opened already, or %d bytes", (int)bytes);
    }
    void *memory = malloc((size_t)bytes);
    if (memory == NULL) {
        return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "bare model: no memory for %d bytes", (int)bytes);
    }
    memset(memory, 0, (size_t)bytes);
    bare.base = (uintptr_t)memory;
    bare.size = (uint32_t)bytes;
    return (jlong)bare.base;
}

/* The bare model's write of up to 32 bytes passed as the routes pass small arrays (JniWrites): four
 * words in memory order, scalars only, so neither route allocates. Exported for the FFM route's
 * critical downcall; the JNI native below calls it. The address written at, 0 when full, or -status. */
JNIEXPORT jlong buffers_jni_bare_write_words(jlong min, jlong max, jlong w0, jlong w1, jlong w2, jlong w3, jint length)
{
    const jlong words[4] = {w0, w1, w2, w3};
    if (length <= 0 || (size_t)length > sizeof words) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "bare model: %d bytes do not fit in four words", (int)length);
    }
    return (jlong)bare_write((uintptr_t)min, (uintptr_t)max, words, (size_t)length);
}

jlong jni_bare_write_words(JNIEnv *env, jclass cls, jlong min, jlong max, jlong w0, jlong w1, jlong w2, jlong w3,
                           jint length)
{
    (void)env;
    (void)cls;
    return buffers_jni_bare_write_words(min, max, w0, w1, w2, w3, length);
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
