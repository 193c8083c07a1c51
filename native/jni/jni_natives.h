/*
 * Every native method of reloaded.memory.buffers.NativeBuffers, bound by RegisterNatives
 * (jni_register.c) rather than by exported Java_* names, so that a relocated (shaded) copy of the
 * classes binds too. The Java side checks every argument first; the glue repeats the checks that
 * guard memory, so that no call can crash the JVM. Failures follow jni_status.h.
 */
#ifndef BUFFERS_JNI_NATIVES_H
#define BUFFERS_JNI_NATIVES_H

#include <jni.h>

#define JNI_ABI_VERSION 12 /* NativeBuffers.ABI_VERSION */

/* buffers_jni.c: library facts, shared buffers, one-call writes */
jint jni_abi_version(JNIEnv *env, jclass cls);
jstring jni_version(JNIEnv *env, jclass cls);
jstring jni_last_error_string(JNIEnv *env, jclass cls);
jlong jni_max_address(JNIEnv *env, jclass cls);
jint jni_allocation_granularity(JNIEnv *env, jclass cls);
jlong jni_get_buffer(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jint alignment);
jlong jni_append(JNIEnv *env, jclass cls, jlong item, jbyteArray data, jint offset, jint length, jboolean code);
jlong jni_append_direct(JNIEnv *env, jclass cls, jlong item, jobject data, jint offset, jint length,
                        jboolean code);
jlong jni_item_base_address(JNIEnv *env, jclass cls, jlong item);
jint jni_item_size(JNIEnv *env, jclass cls, jlong item);
jint jni_item_position(JNIEnv *env, jclass cls, jlong item);
jint jni_item_bytes_left(JNIEnv *env, jclass cls, jlong item);
void jni_release(JNIEnv *env, jclass cls, jlong item);
jlong jni_write(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jbyteArray data, jint offset,
                jint length, jboolean code);
jlong jni_append_words(JNIEnv *env, jclass cls, jlong item, jlong w0, jlong w1, jlong w2, jlong w3, jint length,
                       jboolean code);
jlong jni_window_hint(JNIEnv *env, jclass cls, jlong min, jlong max);
jlong jni_write_words(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jlong w0, jlong w1, jlong w2,
                      jlong w3, jint length, jboolean code);

/* private_jni.c: private memory, code overwrites, reads, the locator */
jlong jni_allocate_private(JNIEnv *env, jclass cls, jlong min, jlong max, jint size, jint process_id,
                           jint retry_count, jboolean brute_force, jlongArray out);
jlong jni_free_private(JNIEnv *env, jclass cls, jlong base, jlong size, jint process_id);
jlong jni_retire_private(JNIEnv *env, jclass cls, jlong base, jlong size, jint process_id);
jobject jni_direct_buffer(JNIEnv *env, jclass cls, jlong address, jint capacity);
jlong jni_overwrite_code(JNIEnv *env, jclass cls, jbyteArray source, jint offset, jint length, jlong target);
jlong jni_read(JNIEnv *env, jclass cls, jlong address, jbyteArray destination, jint offset, jint length);
jlong jni_locator_address(JNIEnv *env, jclass cls);
jstring jni_locator_directory(JNIEnv *env, jclass cls);
jlong jni_use_shared_root(JNIEnv *env, jclass cls, jstring directory);
jlongArray jni_list_buffers(JNIEnv *env, jclass cls);
jlong jni_use_rust_layout(JNIEnv *env, jclass cls);
jstring jni_locator_layout(JNIEnv *env, jclass cls);
jlong jni_self_check(JNIEnv *env, jclass cls);
jlong jni_use_write_xor_execute(JNIEnv *env, jclass cls);
jstring jni_write_xor_execute_reason(JNIEnv *env, jclass cls);

/* process_jni.c: buffers of another process */
jlong jni_process_open(JNIEnv *env, jclass cls, jint pid);
void jni_process_close(JNIEnv *env, jclass cls, jlong process);
jlong jni_process_get_buffer(JNIEnv *env, jclass cls, jlong process, jlong min, jlong max, jint size);

/* hooking_jni.c: reach settings, reserve/unreserve, commit */
jlong jni_search_within(JNIEnv *env, jclass cls, jlong distance, jlongArray targets, jint size, jlongArray out);
jlong jni_search_rel32(JNIEnv *env, jclass cls, jlong jump, jint size, jlongArray out);
jlong jni_reserve(JNIEnv *env, jclass cls, jlong item, jint size, jlongArray out);
jlong jni_unreserve(JNIEnv *env, jclass cls, jlong item, jlong address);
jlong jni_commit_code(JNIEnv *env, jclass cls, jlong address, jlong size);

/* locator_files_jni.c: every process's locator files (the CLI's list, inspect, cleanup) */
jlong jni_locator_files(JNIEnv *env, jclass cls, jstring root, jobjectArray out);
jlong jni_locator_file_read(JNIEnv *env, jclass cls, jstring path, jint max_blocks, jobjectArray out);
jlong jni_locator_file_remove_stale(JNIEnv *env, jclass cls, jstring path, jboolean dry_run, jobjectArray why);
jbyteArray jni_shared_root(JNIEnv *env, jclass cls);

/* bench_jni.c */
void jni_noop(JNIEnv *env, jclass cls);
jlong jni_bare_open(JNIEnv *env, jclass cls, jint bytes);
jlong jni_bare_write_words(JNIEnv *env, jclass cls, jlong min, jlong max, jlong w0, jlong w1, jlong w2, jlong w3,
                           jint length);
jlong jni_hot_path_in_c(JNIEnv *env, jclass cls, jlong min, jlong max, jbyteArray data, jint iterations);

#endif
