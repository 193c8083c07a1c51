/*
 * JNI glue, part two: private memory, code overwrites, reads and the locator. Failures follow
 * jni_status.h (-status or null, reason recorded).
 */
#include <stdlib.h>

#include "jni_convert.h"
#include "jni_natives.h"
#include "jni_status.h"

jlong jni_allocate_private(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jint process_id,
                           jint retry_count, jboolean brute_force, jlongArray out)
{
    (void)cls;
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    if (out == NULL || (*env)->GetArrayLength(env, out) < 3 || size <= 0 || process_id < 0 || retry_count < 1) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "allocate: size %d, process %d or retry count %d is invalid",
                        (int)size, (int)process_id, (int)retry_count);
    }
    if (!jni_range(min, max, &settings.min_address, &settings.max_address)) {
        return jni_fail(BUFFERS_ERROR_NO_SPACE, "allocate: min address %#llx is above this process's address space",
                        (unsigned long long)min);
    }
    settings.size = (uint32_t)size;
    settings.target_process_id = (uint32_t)process_id;
    settings.retry_count = retry_count;
    settings.brute_force = brute_force == JNI_TRUE;
    buffers_private_allocation allocation;
    buffers_status status = buffers_allocate_private_memory(&settings, &allocation);
    if (status != BUFFERS_OK) {
        return jni_failed(status);
    }
    jlong values[3] = {(jlong)allocation.base_address, (jlong)allocation.size, (jlong)allocation.process_id};
    (*env)->SetLongArrayRegion(env, out, 0, 3, values);
    return 0;
}

/* The allocation Java describes; 0 (reason recorded) if it cannot be one. */
static jlong to_allocation(jlong base, jlong size, jint process_id, buffers_private_allocation *out)
{
    if (!jni_address(base, &out->base_address) || base == 0 || size <= 0 || (uint64_t)size > SIZE_MAX) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "private allocation [%#llx, +%lld) is invalid",
                        (unsigned long long)base, (long long)size);
    }
    out->size = (size_t)size;
    out->process_id = (uint32_t)process_id;
    return 0;
}

static buffers_status retire(buffers_private_allocation *allocation)
{
    return buffers_retire_private_memory(allocation);
}

/* Runs fn (free or retire) on the allocation Java describes: 0 or -status. */
static jlong on_allocation(jlong base, jlong size, jint process_id,
                           buffers_status (*fn)(buffers_private_allocation *allocation))
{
    buffers_private_allocation allocation;
    jlong bad = to_allocation(base, size, process_id, &allocation);
    if (bad < 0) {
        return bad;
    }
    buffers_status status = fn(&allocation);
    return status == BUFFERS_OK ? 0 : jni_failed(status);
}

jlong jni_free_private(JNIEnv *env, jclass cls, jlong base, jlong size, jint process_id)
{
    (void)env;
    (void)cls;
    return on_allocation(base, size, process_id, buffers_free_private_memory);
}

jlong jni_retire_private(JNIEnv *env, jclass cls, jlong base, jlong size, jint process_id)
{
    (void)env;
    (void)cls;
    return on_allocation(base, size, process_id, retire);
}

jobject jni_direct_buffer(JNIEnv *env, jclass cls, jlong address, jint capacity)
{
    (void)cls;
    uintptr_t at = 0; /* set by copy_arguments; gcc -O3 cannot see that */
    if (!jni_address(address, &at) || at == 0 || capacity < 0) {
        jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "view of [%#llx, +%d) is invalid", (unsigned long long)address,
                 (int)capacity);
        return NULL;
    }
    jobject view = (*env)->NewDirectByteBuffer(env, (void *)at, (jlong)capacity);
    if (view == NULL) {
        jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "the JVM could not make a direct buffer");
    }
    return view;
}

/* A copy between array[offset, offset + length) and the memory at address: 0 (reason recorded) if
 * there is no array, the range is outside it, or the address cannot name memory here. */
static jlong copy_arguments(JNIEnv *env, const char *what, jbyteArray array, jint offset, jint length, jlong address,
                            uintptr_t *at)
{
    if (array == NULL || length <= 0 || !jni_address(address, at) || *at == 0
        || !jni_in_bounds(offset, length, (*env)->GetArrayLength(env, array))) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: no array, [%d, +%d) outside it or address %#llx", what,
                        (int)offset, (int)length, (unsigned long long)address);
    }
    return 0;
}

jlong jni_overwrite_code(JNIEnv *env, jclass cls, jbyteArray source, jint offset, jint length, jlong target)
{
    (void)cls;
    uintptr_t at = 0; /* set by copy_arguments; gcc -O3 cannot see that */
    jlong bad = copy_arguments(env, "overwrite", source, offset, length, target, &at);
    if (bad < 0) {
        return bad;
    }
    jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, source, NULL);
    if (bytes == NULL) {
        return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "overwrite: the JVM could not pin the array");
    }
    buffers_overwrite_allocated_code(bytes + offset, (void *)at, (size_t)length); /* never blocks */
    (*env)->ReleasePrimitiveArrayCritical(env, source, bytes, JNI_ABORT);
    return 0;
}

jlong jni_read(JNIEnv *env, jclass cls, jlong address, jbyteArray destination, jint offset, jint length)
{
    (void)cls;
    uintptr_t at = 0; /* set by copy_arguments; gcc -O3 cannot see that */
    jlong bad = copy_arguments(env, "read", destination, offset, length, address, &at);
    if (bad < 0) {
        return bad;
    }
    (*env)->SetByteArrayRegion(env, destination, offset, length, (const jbyte *)at);
    return 0;
}

jlong jni_locator_address(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    uintptr_t address = buffers_locator_address();
    return address != 0 ? (jlong)address : jni_failed(BUFFERS_ERROR_LOCATOR);
}

jstring jni_locator_directory(JNIEnv *env, jclass cls)
{
    (void)cls;
    return jni_ascii_string(env, buffers_locator_directory());
}

jlong jni_use_rust_layout(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    buffers_status status = buffers_use_rust_layout();
    return status == BUFFERS_OK ? 0 : jni_failed(status);
}

jlong jni_self_check(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    buffers_status status = buffers_self_check();
    return status == BUFFERS_OK ? 0 : jni_failed(status);
}

jstring jni_locator_layout(JNIEnv *env, jclass cls)
{
    (void)cls;
    return jni_ascii_string(env, buffers_locator_layout());
}

/* Five longs per buffer: base, size, position, taken, locator. */
static jlongArray to_java(JNIEnv *env, const buffers_buffer_info *infos, size_t count)
{
    jlongArray result = (*env)->NewLongArray(env, (jsize)(count * 5));
    int thrown = (*env)->ExceptionCheck(env); /* OutOfMemoryError */
    jlong *values = count > 0 ? malloc(count * 5 * sizeof *values) : NULL;
    if (thrown || result == NULL || (count > 0 && values == NULL)) {
        free(values);
        (*env)->ExceptionClear(env);
        jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "list: no memory for %zu entries", count);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        values[i * 5] = (jlong)infos[i].base_address;
        values[i * 5 + 1] = (jlong)infos[i].size;
        values[i * 5 + 2] = (jlong)infos[i].position;
        values[i * 5 + 3] = infos[i].taken ? 1 : 0;
        values[i * 5 + 4] = (jlong)infos[i].locator_address;
    }
    if (count > 0) {
        (*env)->SetLongArrayRegion(env, result, 0, (jsize)(count * 5), values);
    }
    free(values);
    return result;
}

jlongArray jni_list_buffers(JNIEnv *env, jclass cls)
{
    (void)cls;
    size_t count = 0;
    buffers_status status = buffers_list_buffers(NULL, 0, &count);
    while (status == BUFFERS_OK) { /* the list only grows: retry with room for the new count until it fits */
        size_t capacity = count + 16;
        buffers_buffer_info *infos = malloc(capacity * sizeof *infos);
        if (infos == NULL) {
            jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "list: no memory for %zu entries", capacity);
            return NULL;
        }
        status = buffers_list_buffers(infos, capacity, &count);
        if (status == BUFFERS_OK && count <= capacity) {
            jlongArray result = to_java(env, infos, count);
            free(infos);
            return result;
        }
        free(infos);
    }
    jni_failed(status);
    return NULL;
}

jlong jni_use_shared_root(JNIEnv *env, jclass cls, jstring directory)
{
    (void)cls;
    if (directory == NULL) return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "shared root: null");
    const char *text = (*env)->GetStringUTFChars(env, directory, NULL);
    if (text == NULL) return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "shared root: the JVM could not copy the path");
    buffers_status status = buffers_use_shared_root(text);
    (*env)->ReleaseStringUTFChars(env, directory, text);
    return status == BUFFERS_OK ? 0 : jni_failed(status);
}
