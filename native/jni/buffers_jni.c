/*
 * JNI glue for reloaded.memory.buffers.NativeBuffers: converts arguments, calls the public C API
 * and hands back results. Failures come back as -buffers_status (or 0 for appends) and the Java side
 * (Status.java) turns them into exceptions. The Java side checks every argument first; the checks
 * here repeat the ones that guard memory, so that no call can crash the JVM.
 */
#include <stdlib.h>
#include <string.h>

#include "jni_convert.h"
#include "reloaded_memory_buffers_NativeBuffers.h"

#define ABI_VERSION 1    /* NativeBuffers.ABI_VERSION */
#define SMALL_COPY 256   /* arrays up to this size are copied to the stack instead of pinned */

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)vm;
    (void)reserved;
    return JNI_VERSION_1_8;
}

JNIEXPORT jint JNICALL Java_reloaded_memory_buffers_NativeBuffers_abiVersion(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return ABI_VERSION;
}

/* A Java string from C text, with bytes outside ASCII replaced (modified UTF-8 must stay valid). */
static jstring ascii_string(JNIEnv *env, const char *text)
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

JNIEXPORT jstring JNICALL Java_reloaded_memory_buffers_NativeBuffers_version(JNIEnv *env, jclass cls)
{
    (void)cls;
    return ascii_string(env, buffers_version());
}

JNIEXPORT jstring JNICALL Java_reloaded_memory_buffers_NativeBuffers_lastError(JNIEnv *env, jclass cls)
{
    (void)cls;
    return ascii_string(env, buffers_last_error());
}

JNIEXPORT jlong JNICALL Java_reloaded_memory_buffers_NativeBuffers_maxAddress(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jlong)buffers_max_address();
}

JNIEXPORT jint JNICALL Java_reloaded_memory_buffers_NativeBuffers_allocationGranularity(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)buffers_allocation_granularity();
}

static buffers_status get_item(jlong min, jlong max, jint size, jint alignment, buffers_item **out)
{
    buffers_search_settings settings;
    if (size <= 0 || alignment < 0) {
        return BUFFERS_ERROR_INVALID_ARGUMENT;
    }
    if (!jni_range(min, max, &settings.min_address, &settings.max_address)) {
        return BUFFERS_ERROR_NO_SPACE; /* the whole range is above this process's address space */
    }
    settings.size = (uint32_t)size;
    return alignment == 0 ? buffers_get_buffer(&settings, out)
                          : buffers_get_buffer_aligned(&settings, (uint32_t)alignment, out);
}

JNIEXPORT jlong JNICALL Java_reloaded_memory_buffers_NativeBuffers_getBuffer(JNIEnv *env, jclass cls, jlong min,
                                                                            jlong max, jint size, jint alignment)
{
    (void)env;
    (void)cls;
    buffers_item *item = NULL;
    buffers_status status = get_item(min, max, size, alignment, &item);
    return status == BUFFERS_OK ? jni_handle(item) : -(jlong)status;
}

/* Appends data[offset, offset + length) to the item; 0 if out of bounds, too long, or out of memory. */
static uintptr_t append_array(JNIEnv *env, buffers_item *item, jbyteArray data, jint offset, jint length,
                              jboolean code)
{
    if (item == NULL || data == NULL || length <= 0 || offset < 0) {
        return 0;
    }
    if (length <= SMALL_COPY) {
        jbyte copy[SMALL_COPY];
        /* checks the bounds itself: out of range leaves an exception pending and copies nothing */
        (*env)->GetByteArrayRegion(env, data, offset, length, copy);
        if ((*env)->ExceptionCheck(env)) {
            return 0;
        }
        return code ? buffers_item_append_code(item, copy, (size_t)length)
                    : buffers_item_append(item, copy, (size_t)length);
    }
    if (!jni_in_bounds(offset, length, (*env)->GetArrayLength(env, data))) {
        return 0;
    }
    jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
    if (bytes == NULL) {
        return 0; /* OutOfMemoryError is pending */
    }
    uintptr_t at = code ? buffers_item_append_code(item, bytes + offset, (size_t)length)
                        : buffers_item_append(item, bytes + offset, (size_t)length);
    (*env)->ReleasePrimitiveArrayCritical(env, data, bytes, JNI_ABORT);
    return at;
}

JNIEXPORT jlong JNICALL Java_reloaded_memory_buffers_NativeBuffers_append(JNIEnv *env, jclass cls, jlong item,
                                                                         jbyteArray data, jint offset, jint length,
                                                                         jboolean code)
{
    (void)cls;
    return (jlong)append_array(env, jni_item(item), data, offset, length, code);
}

JNIEXPORT jlong JNICALL Java_reloaded_memory_buffers_NativeBuffers_appendDirect(JNIEnv *env, jclass cls, jlong item,
                                                                               jobject data, jint offset,
                                                                               jint length, jboolean code)
{
    (void)cls;
    if (item == 0 || data == NULL || length <= 0) {
        return 0;
    }
    unsigned char *base = (*env)->GetDirectBufferAddress(env, data);
    jlong capacity = (*env)->GetDirectBufferCapacity(env, data);
    if (base == NULL || offset < 0 || (jlong)offset + length > capacity) {
        return 0;
    }
    return (jlong)(code ? buffers_item_append_code(jni_item(item), base + offset, (size_t)length)
                        : buffers_item_append(jni_item(item), base + offset, (size_t)length));
}

JNIEXPORT jlong JNICALL Java_reloaded_memory_buffers_NativeBuffers_itemBaseAddress(JNIEnv *env, jclass cls,
                                                                                  jlong item)
{
    (void)env;
    (void)cls;
    return (jlong)buffers_item_base_address(jni_item(item));
}

JNIEXPORT jint JNICALL Java_reloaded_memory_buffers_NativeBuffers_itemSize(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    return (jint)buffers_item_size(jni_item(item));
}

JNIEXPORT jint JNICALL Java_reloaded_memory_buffers_NativeBuffers_itemPosition(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    return (jint)buffers_item_position(jni_item(item));
}

JNIEXPORT jint JNICALL Java_reloaded_memory_buffers_NativeBuffers_itemBytesLeft(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    return (jint)buffers_item_bytes_left(jni_item(item));
}

JNIEXPORT void JNICALL Java_reloaded_memory_buffers_NativeBuffers_release(JNIEnv *env, jclass cls, jlong item)
{
    (void)env;
    (void)cls;
    buffers_item_release(jni_item(item));
}

JNIEXPORT jlong JNICALL Java_reloaded_memory_buffers_NativeBuffers_write(JNIEnv *env, jclass cls, jlong min,
                                                                        jlong max, jint size, jbyteArray data,
                                                                        jint offset, jint length, jboolean code)
{
    (void)cls;
    if (data == NULL || length <= 0 || offset < 0 || size < length) {
        return -(jlong)BUFFERS_ERROR_INVALID_ARGUMENT; /* append_array checks the array's bounds */
    }
    buffers_item *item = NULL;
    buffers_status status = get_item(min, max, size, 0, &item);
    if (status != BUFFERS_OK) {
        return -(jlong)status;
    }
    uintptr_t at = append_array(env, item, data, offset, length, code);
    buffers_item_release(item);
    return at != 0 ? (jlong)at : -(jlong)BUFFERS_ERROR_OUT_OF_MEMORY;
}

JNIEXPORT jint JNICALL Java_reloaded_memory_buffers_NativeBuffers_allocatePrivate(JNIEnv *env, jclass cls, jlong min,
                                                                                 jlong max, jint size,
                                                                                 jint process_id, jint retry_count,
                                                                                 jboolean brute_force, jlongArray out)
{
    (void)cls;
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    if (out == NULL || (*env)->GetArrayLength(env, out) < 3 || size <= 0 || process_id < 0 || retry_count < 1) {
        return BUFFERS_ERROR_INVALID_ARGUMENT;
    }
    if (!jni_range(min, max, &settings.min_address, &settings.max_address)) {
        return BUFFERS_ERROR_NO_SPACE;
    }
    settings.size = (uint32_t)size;
    settings.target_process_id = (uint32_t)process_id;
    settings.retry_count = retry_count;
    settings.brute_force = brute_force == JNI_TRUE;
    buffers_private_allocation allocation;
    buffers_status status = buffers_allocate_private_memory(&settings, &allocation);
    if (status == BUFFERS_OK) {
        jlong values[3] = {(jlong)allocation.base_address, (jlong)allocation.size, (jlong)allocation.process_id};
        (*env)->SetLongArrayRegion(env, out, 0, 3, values);
    }
    return (jint)status;
}

JNIEXPORT jint JNICALL Java_reloaded_memory_buffers_NativeBuffers_freePrivate(JNIEnv *env, jclass cls, jlong base,
                                                                             jlong size, jint process_id)
{
    (void)env;
    (void)cls;
    buffers_private_allocation allocation;
    if (!jni_address(base, &allocation.base_address) || size <= 0 || (uint64_t)size > SIZE_MAX) {
        return BUFFERS_ERROR_INVALID_ARGUMENT;
    }
    allocation.size = (size_t)size;
    allocation.process_id = (uint32_t)process_id;
    return (jint)buffers_free_private_memory(&allocation);
}

JNIEXPORT jobject JNICALL Java_reloaded_memory_buffers_NativeBuffers_directBuffer(JNIEnv *env, jclass cls,
                                                                                 jlong address, jint capacity)
{
    (void)cls;
    uintptr_t at;
    if (!jni_address(address, &at) || at == 0 || capacity < 0) {
        return NULL;
    }
    return (*env)->NewDirectByteBuffer(env, (void *)at, (jlong)capacity);
}

JNIEXPORT void JNICALL Java_reloaded_memory_buffers_NativeBuffers_overwriteCode(JNIEnv *env, jclass cls,
                                                                               jbyteArray source, jint offset,
                                                                               jint length, jlong target)
{
    (void)cls;
    uintptr_t at;
    if (source == NULL || length <= 0 || !jni_address(target, &at) || at == 0
        || !jni_in_bounds(offset, length, (*env)->GetArrayLength(env, source))) {
        return;
    }
    jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, source, NULL);
    if (bytes == NULL) {
        return;
    }
    buffers_overwrite_allocated_code(bytes + offset, (void *)at, (size_t)length);
    (*env)->ReleasePrimitiveArrayCritical(env, source, bytes, JNI_ABORT);
}

JNIEXPORT void JNICALL Java_reloaded_memory_buffers_NativeBuffers_read(JNIEnv *env, jclass cls, jlong address,
                                                                      jbyteArray destination, jint offset,
                                                                      jint length)
{
    (void)cls;
    uintptr_t at;
    if (destination == NULL || length <= 0 || !jni_address(address, &at) || at == 0
        || !jni_in_bounds(offset, length, (*env)->GetArrayLength(env, destination))) {
        return;
    }
    (*env)->SetByteArrayRegion(env, destination, offset, length, (const jbyte *)at);
}

JNIEXPORT jlong JNICALL Java_reloaded_memory_buffers_NativeBuffers_locatorAddress(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jlong)buffers_locator_address();
}

JNIEXPORT jstring JNICALL Java_reloaded_memory_buffers_NativeBuffers_locatorDirectory(JNIEnv *env, jclass cls)
{
    (void)cls;
    return ascii_string(env, buffers_locator_directory());
}

JNIEXPORT jlongArray JNICALL Java_reloaded_memory_buffers_NativeBuffers_listBuffers(JNIEnv *env, jclass cls)
{
    (void)cls;
    size_t count = 0;
    if (buffers_list_buffers(NULL, 0, &count) != BUFFERS_OK) {
        return NULL;
    }
    for (;;) { /* the list only grows: retry with room for the new count until it fits */
        size_t capacity = count + 16;
        buffers_buffer_info *infos = malloc(capacity * sizeof *infos);
        if (infos == NULL) {
            return NULL;
        }
        if (buffers_list_buffers(infos, capacity, &count) != BUFFERS_OK) {
            free(infos);
            return NULL;
        }
        if (count <= capacity) {
            jlongArray result = (*env)->NewLongArray(env, (jsize)(count * 5));
            if (result != NULL && count > 0) {
                jlong *values = malloc(count * 5 * sizeof *values);
                if (values == NULL) {
                    free(infos);
                    return NULL;
                }
                for (size_t i = 0; i < count; i++) {
                    values[i * 5] = (jlong)infos[i].base_address;
                    values[i * 5 + 1] = (jlong)infos[i].size;
                    values[i * 5 + 2] = (jlong)infos[i].position;
                    values[i * 5 + 3] = infos[i].taken ? 1 : 0;
                    values[i * 5 + 4] = (jlong)infos[i].locator_address;
                }
                (*env)->SetLongArrayRegion(env, result, 0, (jsize)(count * 5), values);
                free(values);
            }
            free(infos);
            return result;
        }
        free(infos);
    }
}
