/* Every process's locator files (buffers_locator_files, buffers_locator_file_read,
 * buffers_locator_file_remove_stale) and the root they are under (buffers_shared_root) for the CLI's
 * list, inspect and cleanup. Results go into the
 * Object[] the caller passes: arrays of longs and strings, laid out as NativeBuffers documents. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <reloaded/buffers.h>

#include "jni_natives.h"
#include "jni_status.h"

enum { FILE_LONGS = 5, BLOCK_LONGS = 6, ITEM_LONGS = 5, MAX_ITEMS_PER_BLOCK = 255 };

/* The path of a Java string, or NULL with *failure = -status (recorded) when it is null or the JVM
 * could not copy it. */
static const char *path_of(JNIEnv *env, jstring path, const char *what, jlong *failure)
{
    if (path == NULL) {
        *failure = jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "%s: null path", what);
        return NULL;
    }
    const char *text = (*env)->GetStringUTFChars(env, path, NULL);
    if (text == NULL) {
        (*env)->ExceptionClear(env);
        *failure = jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "%s: the JVM could not copy the path", what);
    }
    return text;
}

/* A long[] of count values into out[index]; false (failure recorded) when the JVM has no memory. */
static int put_longs(JNIEnv *env, jobjectArray out, jsize index, const jlong *values, size_t count)
{
    jlongArray array = (*env)->NewLongArray(env, (jsize)count);
    if (array == NULL) {
        (*env)->ExceptionClear(env);
        jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "locator files: no memory for %zu values", count);
        return 0;
    }
    if (count > 0) (*env)->SetLongArrayRegion(env, array, 0, (jsize)count, values);
    (*env)->SetObjectArrayElement(env, out, index, array);
    return 1;
}

/* out[0]: long[] of pid, owner uid, state, regular, directory length per file; out[1]: String[] paths;
 * out[2]: String[] process names. Returns the count, or -status. */
jlong jni_locator_files(JNIEnv *env, jclass cls, jstring root, jobjectArray out)
{
    (void)cls;
    jlong failure = 0;
    const char *text = root == NULL ? NULL : path_of(env, root, "locator files root", &failure);
    if (failure) return failure;
    size_t count = 0, capacity = 0;
    buffers_locator_file *files = NULL;
    buffers_status status;
    /* Files come and go between calls: retry with room for the new count until it fits. */
    while ((status = buffers_locator_files(text, files, capacity, &count)) == BUFFERS_OK && count > capacity) {
        free(files);
        capacity = count + 16;
        files = malloc(capacity * sizeof *files);
        if (files == NULL) break;
    }
    if (text != NULL) (*env)->ReleaseStringUTFChars(env, root, text);
    if (status != BUFFERS_OK) {
        free(files);
        return jni_failed(status);
    }
    jlong *numbers = files != NULL || count == 0 ? malloc((count ? count : 1) * FILE_LONGS * sizeof *numbers) : NULL;
    jclass string_class = (*env)->FindClass(env, "java/lang/String");
    jobjectArray paths = string_class ? (*env)->NewObjectArray(env, (jsize)count, string_class, NULL) : NULL;
    jobjectArray names = string_class ? (*env)->NewObjectArray(env, (jsize)count, string_class, NULL) : NULL;
    int ok = numbers != NULL && paths != NULL && names != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        jlong *n = numbers + i * FILE_LONGS;
        n[0] = files[i].pid;
        n[1] = files[i].owner_uid == UINT32_MAX ? -1 : (jlong)files[i].owner_uid;
        n[2] = files[i].state;
        n[3] = files[i].regular;
        n[4] = files[i].directory_length;
        jstring path_string = jni_text_string(env, files[i].path), name = jni_text_string(env, files[i].process_name);
        ok = path_string != NULL && name != NULL;
        if (ok) (*env)->SetObjectArrayElement(env, paths, (jsize)i, path_string);
        if (ok) (*env)->SetObjectArrayElement(env, names, (jsize)i, name);
        if (path_string) (*env)->DeleteLocalRef(env, path_string);   /* thousands of files: a local frame holds few */
        if (name) (*env)->DeleteLocalRef(env, name);
    }
    if (!ok) {   /* the JVM is out of memory: its pending error is replaced by our status */
        (*env)->ExceptionClear(env);
        free(numbers);
        free(files);
        return jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "locator files: no memory for %zu entries", count);
    }
    free(files);
    ok = put_longs(env, out, 0, numbers, count * FILE_LONGS);
    free(numbers);
    if (!ok) return -(jlong)BUFFERS_ERROR_OUT_OF_MEMORY;
    (*env)->SetObjectArrayElement(env, out, 1, paths);
    (*env)->SetObjectArrayElement(env, out, 2, names);
    return (jlong)count;
}

/* out[0]: long[] of address, next, item count, pointer size, locked, from file per block; out[1]:
 * long[] of base, size, position, taken, locator per item; out[2]: the note ("" when complete).
 * Returns the block count, or -status. */
jlong jni_locator_file_read(JNIEnv *env, jclass cls, jstring path, jint max_blocks, jobjectArray out)
{
    (void)cls;
    if (max_blocks < 1 || max_blocks > BUFFERS_LOCATOR_CHAIN_MAX)
        return jni_fail(BUFFERS_ERROR_INVALID_ARGUMENT, "locator file: max locators %d, not 1 to %d", (int)max_blocks,
                        BUFFERS_LOCATOR_CHAIN_MAX);
    jlong failure = 0;
    const char *text = path_of(env, path, "locator file", &failure);
    if (text == NULL) return failure;
    size_t capacity = max_blocks < 16 ? (size_t)max_blocks : 16, blocks_read = 0, items_read = 0;
    buffers_status status;
    buffers_locator_block *blocks = NULL;
    buffers_buffer_info *items = NULL;
    char note[512];
    for (;;) {   /* a longer chain than room for: read again with twice the room, up to max_blocks */
        blocks = malloc(capacity * sizeof *blocks);
        items = malloc(capacity * MAX_ITEMS_PER_BLOCK * sizeof *items);
        if (blocks == NULL || items == NULL) {
            jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "locator file: no memory for %zu locators", capacity);
            status = BUFFERS_ERROR_OUT_OF_MEMORY;
            break;
        }
        status = buffers_locator_file_read(text, blocks, capacity, &blocks_read, items, capacity * MAX_ITEMS_PER_BLOCK,
                                           &items_read, note, sizeof note);
        if (status != BUFFERS_OK) jni_failed(status);
        bool longer = status == BUFFERS_OK && blocks_read == capacity && blocks[capacity - 1].next_address != 0 &&
                      note[0] == '\0' && capacity < (size_t)max_blocks;
        if (!longer) break;
        free(blocks);
        free(items);
        capacity = capacity * 2 < (size_t)max_blocks ? capacity * 2 : (size_t)max_blocks;
    }
    (*env)->ReleaseStringUTFChars(env, path, text);
    jlong result = -(jlong)status;
    if (status == BUFFERS_OK) {
        jlong *numbers = malloc((blocks_read * BLOCK_LONGS + items_read * ITEM_LONGS + 1) * sizeof *numbers);
        if (numbers == NULL) {
            result = jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "locator file: no memory for %zu items", items_read);
        } else {
            jlong *item_numbers = numbers + blocks_read * BLOCK_LONGS;
            for (size_t i = 0; i < blocks_read; i++) {
                jlong *n = numbers + i * BLOCK_LONGS;
                n[0] = (jlong)blocks[i].address;
                n[1] = (jlong)blocks[i].next_address;
                n[2] = blocks[i].item_count;
                n[3] = blocks[i].pointer_size;
                n[4] = blocks[i].locked;
                n[5] = blocks[i].from_file;
            }
            for (size_t i = 0; i < items_read; i++) {
                jlong *n = item_numbers + i * ITEM_LONGS;
                n[0] = (jlong)items[i].base_address;
                n[1] = items[i].size;
                n[2] = items[i].position;
                n[3] = items[i].taken;
                n[4] = (jlong)items[i].locator_address;
            }
            jstring note_string = jni_ascii_string(env, note);
            if (note_string == NULL || !put_longs(env, out, 0, numbers, blocks_read * BLOCK_LONGS) ||
                !put_longs(env, out, 1, item_numbers, items_read * ITEM_LONGS)) {
                (*env)->ExceptionClear(env);
                result = jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "locator file: no memory for the result");
            } else {
                (*env)->SetObjectArrayElement(env, out, 2, note_string);
                result = (jlong)blocks_read;
            }
            free(numbers);
        }
    }
    free(blocks);
    free(items);
    return result;
}

/* 1 removed (or would be, dry run), 0 kept with why[0] saying why, or -status. */
jlong jni_locator_file_remove_stale(JNIEnv *env, jclass cls, jstring path, jboolean dry_run, jobjectArray why)
{
    (void)cls;
    jlong failure = 0;
    const char *text = path_of(env, path, "stale locator file", &failure);
    if (text == NULL) return failure;
    bool removed = false;
    char reason[256] = "";
    buffers_status status = buffers_locator_file_remove_stale(text, dry_run != JNI_FALSE, &removed, reason,
                                                              sizeof reason);
    (*env)->ReleaseStringUTFChars(env, path, text);
    if (status != BUFFERS_OK) return jni_failed(status);
    if (!removed && why != NULL && (*env)->GetArrayLength(env, why) > 0)
        (*env)->SetObjectArrayElement(env, why, 0, jni_ascii_string(env, reason));
    return removed ? 1 : 0;
}

/* buffers_shared_root as its bytes (a path need not be ASCII; Java decodes them), or null with
 * -OUT_OF_MEMORY recorded when the JVM has no room for them. */
jbyteArray jni_shared_root(JNIEnv *env, jclass cls)
{
    (void)cls;
    const char *root = buffers_shared_root();
    size_t length = strlen(root);
    jbyteArray bytes = (*env)->NewByteArray(env, (jsize)length);
    if (bytes == NULL) {
        (*env)->ExceptionClear(env);
        jni_fail(BUFFERS_ERROR_OUT_OF_MEMORY, "shared root: no memory for %zu bytes", length);
        return NULL;
    }
    (*env)->SetByteArrayRegion(env, bytes, 0, (jsize)length, (const jbyte *)root);
    return bytes;
}
