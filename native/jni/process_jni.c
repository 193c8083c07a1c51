/*
 * JNI glue, part three: buffers of another process (buffers_process_open / _get_buffer / _close).
 * A process handle crosses into Java as a positive long; the items it hands out are ordinary item
 * handles, so Buffer's natives (append, position, release, ...) act on them unchanged. Failures
 * follow jni_status.h (-status, reason recorded).
 */
#include "jni_convert.h"
#include "jni_natives.h"
#include "jni_status.h"

static buffers_process *jni_process(jlong handle)
{
    return (buffers_process *)(uintptr_t)handle;
}

jlong jni_process_open(JNIEnv *env, jclass cls, jint pid)
{
    (void)env;
    (void)cls;
    if (pid <= 0) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "process id %d is not positive", (int)pid);
    }
    buffers_process *process = NULL;
    buffers_status status = buffers_process_open((uint32_t)pid, &process);
    return status == BUFFERS_OK ? (jlong)(uintptr_t)process : jni_failed(status);
}

void jni_process_close(JNIEnv *env, jclass cls, jlong process)
{
    (void)env;
    (void)cls;
    buffers_process_close(jni_process(process)); /* null is ignored */
}

jlong jni_process_get_buffer(JNIEnv *env, jclass cls, jlong process, jlong min, jlong max, jint size)
{
    (void)env;
    (void)cls;
    if (process == 0 || size <= 0) {
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "process get buffer: no process handle or size %d",
                        (int)size);
    }
    buffers_search_settings settings;
    if (!jni_range(min, max, &settings.min_address, &settings.max_address)) {
        return jni_fail(BUFFERS_ERROR_NO_SPACE, "min address %#llx is above this process's address space",
                        (unsigned long long)min);
    }
    settings.size = (uint32_t)size;
    buffers_item *item = NULL;
    buffers_status status = buffers_process_get_buffer(jni_process(process), &settings, &item);
    return status == BUFFERS_OK ? jni_handle(item) : jni_failed(status);
}
