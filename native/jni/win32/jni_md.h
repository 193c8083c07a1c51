/*
 * The machine-dependent half of the JNI header, for Windows (x86 and x86-64), written for libbuffers
 * from the JNI specification. The JDK's jni.h is the same on every platform and includes a
 * "jni_md.h" that must supply exactly these: how exported and imported functions are marked, the
 * calling convention of JNI functions, and the C types of the three Java integer types whose width
 * C does not fix (jbyte 8 bits, jint 32 bits, jlong 64 bits, all signed).
 *
 * On Windows the JVM finds native methods among a DLL's exports, and JNI functions use the
 * standard calling convention (__stdcall, which only matters on 32-bit x86; 64-bit Windows has one
 * convention and the compiler ignores the keyword). A 32-bit DLL should be linked with
 * --kill-at so its exports carry the plain Java_... names.
 */
#ifndef BUFFERS_JNI_MD_WIN32_H
#define BUFFERS_JNI_MD_WIN32_H

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef signed char jbyte;
typedef int jint;         /* 32 bits under every Windows data model */
typedef long long jlong;  /* 64 bits */

#endif
