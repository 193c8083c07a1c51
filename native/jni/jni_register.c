/*
 * Binds NativeBuffers' natives with RegisterNatives when the library is loaded. The class is found
 * by the name the loading class put in the system property "reloaded.buffers.jni.class.<thread id>"
 * (NativeBuffers sets it around its load), so a relocated copy binds its own class; without the
 * property the unrelocated name is used. Only JNI_OnLoad and the C API are exported (exports.map,
 * applied by native/jni/CMakeLists.txt: a version script, a .def file or a Mach-O export list).
 */
#include <stdio.h>

#include "jni_natives.h"

#define DEFAULT_CLASS "reloaded/memory/buffers/NativeBuffers"


static const JNINativeMethod METHODS[] = {
    {"abiVersion", "()I", (void *)jni_abi_version},
    {"version", "()Ljava/lang/String;", (void *)jni_version},
    {"lastError", "()Ljava/lang/String;", (void *)jni_last_error_string},
    {"maxAddress", "()J", (void *)jni_max_address},
    {"allocationGranularity", "()I", (void *)jni_allocation_granularity},
    {"getBuffer", "(JJII)J", (void *)jni_get_buffer},
    {"append", "(J[BIIZ)J", (void *)jni_append},
    {"appendWords", "(JJJJJIZ)J", (void *)jni_append_words},
    {"appendDirect", "(JLjava/nio/ByteBuffer;IIZ)J", (void *)jni_append_direct},
    {"itemBaseAddress", "(J)J", (void *)jni_item_base_address},
    {"itemSize", "(J)I", (void *)jni_item_size},
    {"itemPosition", "(J)I", (void *)jni_item_position},
    {"itemBytesLeft", "(J)I", (void *)jni_item_bytes_left},
    {"release", "(J)V", (void *)jni_release},
    {"write", "(JJI[BIIZ)J", (void *)jni_write},
    {"writeWords", "(JJIJJJJIZ)J", (void *)jni_write_words},
    {"windowHint", "(JJ)J", (void *)jni_window_hint},
    {"allocatePrivate", "(JJIIIZ[J)J", (void *)jni_allocate_private},
    {"freePrivate", "(JJI)J", (void *)jni_free_private},
    {"retirePrivate", "(JJI)J", (void *)jni_retire_private},
    {"directBuffer", "(JI)Ljava/nio/ByteBuffer;", (void *)jni_direct_buffer},
    {"overwriteCode", "([BIIJ)J", (void *)jni_overwrite_code},
    {"read", "(J[BII)J", (void *)jni_read},
    {"locatorAddress", "()J", (void *)jni_locator_address},
    {"locatorDirectory", "()Ljava/lang/String;", (void *)jni_locator_directory},
    {"useSharedRoot", "(Ljava/lang/String;)J", (void *)jni_use_shared_root},
    {"listBuffers", "()[J", (void *)jni_list_buffers},
    {"useRustLayout", "()J", (void *)jni_use_rust_layout},
    {"locatorLayout", "()Ljava/lang/String;", (void *)jni_locator_layout},
    {"selfCheck", "()J", (void *)jni_self_check},
    {"processOpen", "(I)J", (void *)jni_process_open},
    {"processClose", "(J)V", (void *)jni_process_close},
    {"processGetBuffer", "(JJJI)J", (void *)jni_process_get_buffer},
    {"searchWithin", "(J[JI[J)J", (void *)jni_search_within},
    {"searchRel32", "(JI[J)J", (void *)jni_search_rel32},
    {"reserve", "(JI[J)J", (void *)jni_reserve},
    {"unreserve", "(JJ)J", (void *)jni_unreserve},
    {"commitCode", "(JJ)J", (void *)jni_commit_code},
    {"locatorFiles", "(Ljava/lang/String;[Ljava/lang/Object;)J", (void *)jni_locator_files},
    {"locatorFileRead", "(Ljava/lang/String;I[Ljava/lang/Object;)J", (void *)jni_locator_file_read},
    {"locatorFileRemoveStale", "(Ljava/lang/String;Z[Ljava/lang/String;)J", (void *)jni_locator_file_remove_stale},
    {"sharedRoot", "()[B", (void *)jni_shared_root},
    {"useWriteXorExecute", "()J", (void *)jni_use_write_xor_execute},
    {"writeXorExecuteReason", "()Ljava/lang/String;", (void *)jni_write_xor_execute_reason},
    {"noop", "()V", (void *)jni_noop},
    {"bareOpen", "(I)J", (void *)jni_bare_open},
    {"bareWriteWords", "(JJJJJJI)J", (void *)jni_bare_write_words},
    {"hotPathInC", "(JJ[BI)J", (void *)jni_hot_path_in_c},
};

/* True (and the exception cleared) if the last JNI call threw. */
static int threw(JNIEnv *env)
{
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        return 1;
    }
    return 0;
}

/* System.getProperty(key) as a Java string, or NULL (no exception left pending). */
static jstring system_property(JNIEnv *env, const char *key)
{
    jclass system = (*env)->FindClass(env, "java/lang/System");
    if (threw(env) || system == NULL) {
        return NULL;
    }
    jmethodID get = (*env)->GetStaticMethodID(env, system, "getProperty", "(Ljava/lang/String;)Ljava/lang/String;");
    if (threw(env) || get == NULL) {
        return NULL;
    }
    jstring name = (*env)->NewStringUTF(env, key);
    if (threw(env) || name == NULL) {
        return NULL;
    }
    jstring value = (jstring)(*env)->CallStaticObjectMethod(env, system, get, name);
    return threw(env) ? NULL : value;
}

/* Thread.currentThread().getId(), or -1. */
static jlong current_thread_id(JNIEnv *env)
{
    jclass thread = (*env)->FindClass(env, "java/lang/Thread");
    if (threw(env) || thread == NULL) {
        return -1;
    }
    jmethodID current = (*env)->GetStaticMethodID(env, thread, "currentThread", "()Ljava/lang/Thread;");
    jmethodID get_id = threw(env) || current == NULL ? NULL : (*env)->GetMethodID(env, thread, "getId", "()J");
    if (threw(env) || get_id == NULL) {
        return -1;
    }
    jobject self = (*env)->CallStaticObjectMethod(env, thread, current);
    if (threw(env) || self == NULL) {
        return -1;
    }
    jlong id = (*env)->CallLongMethod(env, self, get_id);
    return threw(env) ? -1 : id;
}

/* The class to bind: the one named for this thread, in JNI's slash form, else the default. */
static jclass target_class(JNIEnv *env)
{
    char key[96];
    snprintf(key, sizeof key, "reloaded.buffers.jni.class.%lld", (long long)current_thread_id(env));
    jstring named = system_property(env, key);
    char name[512] = DEFAULT_CLASS;
    if (named) {
        jsize length = (*env)->GetStringUTFLength(env, named); /* cannot throw on a live string */
        if (length > 0 && (size_t)length < sizeof name) {
            jsize chars = (*env)->GetStringLength(env, named);
            (*env)->GetStringUTFRegion(env, named, 0, chars, name);
            if (threw(env)) {
                return NULL;
            }
            name[length] = '\0';
            for (char *c = name; *c; c++) {
                if (*c == '.') {
                    *c = '/';
                }
            }
        }
    }
    jclass cls = (*env)->FindClass(env, name);
    return threw(env) ? NULL : cls;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    /* No class found: nothing is bound and the loader's first call (abiVersion) reports it. */
    jclass cls = target_class(env);
    if (cls != NULL && (*env)->RegisterNatives(env, cls, METHODS, sizeof METHODS / sizeof METHODS[0]) != 0) {
        threw(env);
    }
    return JNI_VERSION_1_8;
}
