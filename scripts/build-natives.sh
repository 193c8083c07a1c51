#!/usr/bin/env bash
# scripts/build-natives.sh [PLATFORM...] — build the JNI library for every platform (default: all
# eight) into build/natives/<platform>/, where the Maven build picks them up so that one jar carries
# them all:
#   linux-x86_64/libbuffers_jni.so  linux-x86/libbuffers_jni.so  linux-aarch64/libbuffers_jni.so
#   linux-x86_64-musl/libbuffers_jni.so
#   windows-x86_64/buffers_jni.dll  windows-x86/buffers_jni.dll
#   macos-x86_64/libbuffers_jni.dylib  macos-aarch64/libbuffers_jni.dylib (Zig; linked, never run here)
# The glibc ones are checked to need no symbol newer than GLIBC_2.17, the musl one to need musl's libc
# (check_jni_library in scripts/lib/jni.sh).
# Each is the JNI glue (native/jni/*.c) linked with that platform's static C core, built with the
# toolchains of scripts/cross-test.sh. Needs the JNI headers javac generates (mvn compile writes them
# to target/generated-sources/jni-headers; override with JNI_HEADERS_DIR) and a JDK's jni.h.
set -uo pipefail
SCRIPT_NAME=build-natives
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/scripts/lib/jni.sh"
source "$REPO_ROOT/scripts/lib/zig.sh"
source "$REPO_ROOT/scripts/lib/macos.sh"

platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || read -r -a platforms <<<"$BUFFERS_PLATFORMS"
for p in "${platforms[@]}"; do is_platform "$p" || die "unknown platform '$p' (one of: $BUFFERS_PLATFORMS)"; done

# What the JNI library is made of, or a clear message naming what is missing.
shopt -s nullglob
glue=("$REPO_ROOT"/native/jni/*.c)
[ ${#glue[@]} -gt 0 ] || die "no JNI glue: native/jni/*.c is missing (it comes from the Java facade, branch java-facade; merge it first)"
headers=$(jni_generated_headers) || exit 1
jdk_include=$(jdk_include_dir) || exit 1
say "JNI glue: ${glue[*]#$REPO_ROOT/}"
say "generated headers: $headers; jni.h from $jdk_include"

for platform in "${platforms[@]}"; do
    need_packages $(platform_build_packages "$platform")
    case "$platform" in macos-*) zig_install >/dev/null || exit 1 ;; esac
    core=$(build_static_core "$platform") || exit 1
    out="$REPO_ROOT/build/natives/$platform"
    mkdir -p "$out"
    timed "JNI library for $platform" link_jni_library "$platform" "$core" "$headers" "$jdk_include" "$out" \
        || die "the JNI library for $platform did not build"
    check_jni_library "$platform" "$out" || die "the JNI library for $platform is not what the loader expects"
done
say "done: $(cd "$REPO_ROOT" && find build/natives -type f \( -name '*.so' -o -name '*.dll' -o -name '*.dylib' \) | sort | tr '\n' ' ')"
