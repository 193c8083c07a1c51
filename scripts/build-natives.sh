#!/usr/bin/env bash
# scripts/build-natives.sh [PLATFORM...] — build the JNI library for every platform (default: every
# row of the platform table, native/platforms.txt, which names each one's file) into
# build/natives/<platform>/, where the Maven build picks them up so that one jar carries them all.
# macOS (Zig) is linked, never run here.
# A loop over the platforms: each is built by the one recipe, the CMake target buffers_jni
# (native/jni/CMakeLists.txt) with that platform's toolchain file, then checked (check_jni_library in
# scripts/lib/jni.sh: machine, exports equal to exports.map, glibc 2.17 floor or musl, libSystem).
# Each build is one Maven command (build_jni_library in scripts/lib/jni.sh: mvn -Dnative.platform=PLATFORM
# exec:exec@cmake-configure exec:exec@cmake-build), against the jni.h of the JDK Maven runs on.
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

for platform in "${platforms[@]}"; do
    need_packages $(platform_build_packages "$platform")
    case "$platform" in macos-*) zig_install >/dev/null || exit 1 ;; esac
    out="$REPO_ROOT/build/natives/$platform"
    timed "JNI library for $platform" build_jni_library "$platform" "$out" \
        || die "the JNI library for $platform did not build"
    check_jni_library "$platform" "$out" || die "the JNI library for $platform is not what the loader expects"
done
say "done: $(cd "$REPO_ROOT" && find build/natives -type f \( -name '*.so' -o -name '*.dll' -o -name '*.dylib' \) | sort | tr '\n' ' ')"
