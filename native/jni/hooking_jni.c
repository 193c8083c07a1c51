/*
 * JNI glue, part four: what hooking libraries use (reach settings, reserve/unreserve, commit).
 * Results go out through long arrays; failures follow jni_status.h (-status, reason recorded).
 */
#include <stdlib.h>

#include "jni_convert.h"
#include "jni_natives.h"
#include "jni_status.h"

/* Stores min and max in out[0], out[1]. */
static jlong put_window(JNIEnv *env, jlongArray out, const buffers_search_settings *settings)
{
    jlong values[2] = {(jlong)settings->min_address, (jlong)settings->max_address};
    (*env)->SetLongArrayRegion(env, out, 0, 2, values);
    return 0;
}

static int holds_two(JNIEnv *env, jlongArray out)
{
    return out != NULL && (*env)->GetArrayLength(env, out) >= 2;
}

jlong jni_search_within(JNIEnv *env, jclass cls, jlong distance, jlongArray targets, jint size, jlongArray out)
{
    (void)cls;
    if (targets == NULL || !holds_two(env, out) || size <= 0) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "within: targets, out or size %d is invalid", (int)size);
    }
    jsize count = (*env)->GetArrayLength(env, targets);
    uintptr_t *wanted = malloc(sizeof *wanted * (count ? (size_t)count : 1));
    jlong *values = (*env)->GetLongArrayElements(env, targets, NULL);
    if (!wanted || !values) {
        free(wanted);
        if (values) (*env)->ReleaseLongArrayElements(env, targets, values, JNI_ABORT);
        return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "within: no memory for %d targets", (int)count);
    }
    jsize beyond = -1;
    for (jsize i = 0; i < count && beyond < 0; i++) {
        if (!jni_address(values[i], &wanted[i])) beyond = i;
    }
    jlong first_beyond = beyond >= 0 ? values[beyond] : 0;
    (*env)->ReleaseLongArrayElements(env, targets, values, JNI_ABORT);
    if (beyond >= 0) {
        free(wanted);
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "within: target %#llx (index %d) is above this process's "
                        "address space", (unsigned long long)first_beyond, (int)beyond);
    }
    /* A distance wider than the address space reaches all of it. */
    size_t reach = (uint64_t)distance > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)(uint64_t)distance;
    buffers_search_settings settings;
    buffers_status status = buffers_search_settings_within(reach, wanted, (size_t)count, (uint32_t)size, &settings);
    free(wanted);
    return status == BUFFERS_OK ? put_window(env, out, &settings) : jni_failed(status);
}

jlong jni_search_rel32(JNIEnv *env, jclass cls, jlong jump, jint size, jlongArray out)
{
    (void)cls;
    uintptr_t at;
    if (!holds_two(env, out) || size <= 0 || !jni_address(jump, &at)) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "rel32: jump address %#llx or size %d is invalid",
                        (unsigned long long)jump, (int)size);
    }
    buffers_search_settings settings = buffers_search_settings_rel32(at, (uint32_t)size);
    return put_window(env, out, &settings);
}

jlong jni_reserve(JNIEnv *env, jclass cls, jlong item, jint size, jlongArray out)
{
    (void)cls;
    if (!holds_two(env, out) || size <= 0) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "reserve: out or size %d is invalid", (int)size);
    }
    uintptr_t address;
    void *writable;
    buffers_status status = buffers_item_reserve(jni_item(item), (size_t)size, &address, &writable);
    if (status != BUFFERS_OK) {
        return jni_failed(status);
    }
    jlong values[2] = {(jlong)address, (jlong)(uintptr_t)writable};
    (*env)->SetLongArrayRegion(env, out, 0, 2, values);
    return 0;
}

jlong jni_unreserve(JNIEnv *env, jclass cls, jlong item, jlong address)
{
    (void)env;
    (void)cls;
    uintptr_t at;
    if (!jni_address(address, &at)) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "unreserve: %#llx is not an address here",
                        (unsigned long long)address);
    }
    buffers_status status = buffers_item_unreserve(jni_item(item), at);
    return status == BUFFERS_OK ? 0 : jni_failed(status);
}

jlong jni_commit_code(JNIEnv *env, jclass cls, jlong address, jlong size)
{
    (void)env;
    (void)cls;
    uintptr_t at;
    if (!jni_address(address, &at) || size <= 0 || (uint64_t)size > (uint64_t)SIZE_MAX) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "commit: %lld bytes at %#llx is not a range here",
                        (long long)size, (unsigned long long)address);
    }
    buffers_status status = buffers_commit_code(at, (size_t)size);
    return status == BUFFERS_OK ? 0 : jni_failed(status);
}

jlong jni_use_write_xor_execute(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    buffers_status status = buffers_use_write_xor_execute();
    return status == BUFFERS_OK ? 0 : jni_failed(status);
}

jstring jni_write_xor_execute_reason(JNIEnv *env, jclass cls)
{
    (void)cls;
    return jni_ascii_string(env, buffers_write_xor_execute_reason());
}
