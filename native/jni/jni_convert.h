/*
 * Argument conversion shared by the JNI glue files: Java longs are unsigned addresses, and on a
 * 32-bit JVM an address above the pointer range cannot name memory. Header-only, static inline.
 */
#ifndef BUFFERS_JNI_CONVERT_H
#define BUFFERS_JNI_CONVERT_H

#include <jni.h>
#include <stdint.h>

#include <reloaded/buffers.h>

/* The Java address as a pointer-sized value; 0 if it does not fit (32-bit JVM). */
static inline int jni_address(jlong value, uintptr_t *out)
{
    uint64_t v = (uint64_t)value;
    if (v > (uint64_t)UINTPTR_MAX) {
        return 0;
    }
    *out = (uintptr_t)v;
    return 1;
}

/* A search range from Java: min must fit a pointer, max is clamped to the pointer range. */
static inline int jni_range(jlong min, jlong max, uintptr_t *out_min, uintptr_t *out_max)
{
    if (!jni_address(min, out_min)) {
        return 0;
    }
    if (!jni_address(max, out_max)) {
        *out_max = UINTPTR_MAX;
    }
    return 1;
}

/* Whether [offset, offset + length) is inside an array of array_length elements. */
static inline int jni_in_bounds(jint offset, jint length, jsize array_length)
{
    return offset >= 0 && length >= 0 && offset <= array_length - length;
}

/* Handles cross into Java as positive longs, failures as -status. */
static inline jlong jni_handle(buffers_item *item)
{
    return (jlong)(uintptr_t)item;
}

static inline buffers_item *jni_item(jlong handle)
{
    return (buffers_item *)(uintptr_t)handle;
}

#endif
