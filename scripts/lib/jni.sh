# Building and checking the JNI library per platform, for scripts/build-natives.sh. Source after
# common.sh and packages.sh.

# build_jni_library PLATFORM OUT: the JNI library of PLATFORM into OUT (build/natives/PLATFORM) by the
# one recipe, run the one way: Maven's cmake-configure and cmake-build executions (pom.xml) with
# -Dnative.platform, which configure with that platform's CMake preset (its toolchain file) and build
# the target buffers_jni (native/jni/CMakeLists.txt) against the jni.h of the JDK Maven runs on. The C
# core is built in build/natives-core/PLATFORM, which the consumer tests reuse.
build_jni_library() {
    local platform="$1" out="$2" dir="$REPO_ROOT/build/natives-core/$1"
    [ "$(basename "$out")" = "$platform" ] || { say "build_jni_library: $out is not a folder named $platform"; return 1; }
    need_packages maven
    mkdir -p "$dir" "$out"
    (cd "$REPO_ROOT" && CMAKE_GENERATOR=Ninja mvn -q -B -Dnative.platform="$platform" \
        -Dnative.outputDir="$(dirname "$out")" -Dcmake.buildDir="$dir" \
        exec:exec@cmake-configure exec:exec@cmake-build) >"$dir.log" 2>&1 \
        || { tail -30 "$dir.log" >&2; say "the JNI library did not build for $platform (log: $dir.log)"; return 1; }
}

# The C compiler CMake found for PLATFORM's core (build/natives-core/PLATFORM, after build_jni_library):
# a toolchain file sets it as a plain variable, so it is in CMakeCCompiler.cmake, not in the cache.
platform_cc() {
    local found
    found=$(sed -n 's/^set(CMAKE_C_COMPILER "\(.*\)")$/\1/p' "$REPO_ROOT/build/natives-core/$1"/CMakeFiles/*/CMakeCCompiler.cmake | head -1)
    [ -n "$found" ] || { say "no C compiler recorded in build/natives-core/$1 (build its JNI library first)" >&2; return 1; }
    echo "$found"
}

# check_jni_library PLATFORM OUT: the file exists for the right machine and exports the JNI entry
# points under their plain names.
check_jni_library() {
    local platform="$1" out="$2" file expected exports
    # the file's name and what file(1) must say of it: the platform table (native/platforms.txt)
    file="$out/$(platform_field "$platform" 5)" expected=$(platform_field "$platform" 6)
    need_packages file binutils
    file -b "$file" | grep -E "$expected" >/dev/null || { say "$file is $(file -b "$file")"; return 1; }
    case "$platform" in
        linux-*) exports=$(nm -D --defined-only "$file" | awk '{ print $3 }') ;;
        macos-*) exports=$(llvm-objdump --macho --exports-trie "$file" | awk 'NR > 3 { sub(/^_/, "", $2); print $2 }') ;;
        windows-*) exports=$(objdump -p "$file" | awk '/\[Ordinal\/Name Pointer\] Table/ { t = 1; next } t && NF >= 3 { print $NF } t && NF == 0 { t = 0 }') ;;
    esac
    # JNI_OnLoad binds the natives (RegisterNatives); the C functions are the JDK 22+ FFM route's
    # (native/jni/exports.map), exported on every 64-bit platform.
    grep -qx 'JNI_OnLoad' <<<"$exports" || { say "$file does not export JNI_OnLoad"; return 1; }
    local ffm count
    ffm=$(awk '/global:/ { g = 1; next } /local:/ { g = 0 } g && /buffers_/ { gsub(/[ ;]/, ""); print }' \
          "$REPO_ROOT/native/jni/exports.map" | paste -sd'|')
    count=$(tr '|' '\n' <<<"$ffm" | wc -l)
    case "$platform" in
        *-x86_64|*-aarch64) [ "$(grep -cxE "$ffm" <<<"$exports")" -eq "$count" ] \
            || { say "$file lacks the FFM exports ($ffm)"; return 1; } ;;
    esac
    local extra
    extra=$(grep -vxE "JNI_OnLoad|JNI_OnUnload|$ffm" <<<"$exports" | grep . )
    [ -z "$extra" ] || { say "$file exports more than JNI_OnLoad and the FFM functions: $(tr '\n' ' ' <<<"$extra")"; return 1; }
    case "$platform" in
        *-musl) check_musl_library "$file" || return 1 ;;
        linux-*) check_glibc_floor "$file" || return 1 ;;
        macos-*) check_macos_binary "$file" || return 1 ;;
    esac
    say "$platform: $(basename "$file") $(stat -c %s "$file") bytes, $(wc -l <<<"$exports") exports"
}

# The newest glibc symbol version a shared object asks for must be at most this.
GLIBC_FLOOR=2.17

# check_glibc_floor FILE: no symbol of FILE needs a glibc newer than GLIBC_FLOOR.
check_glibc_floor() {
    local file="$1" newest too_new
    newest=$(objdump -T "$file" | grep -oE '\(?GLIBC_[0-9.]+\)?' | tr -d '()' | sed 's/GLIBC_//' | sort -uV | tail -1)
    [ -n "$newest" ] || { say "$file: objdump -T shows no GLIBC_ symbol version (not a glibc object?)"; return 1; }
    too_new=$(objdump -T "$file" | awk -v floor="$GLIBC_FLOOR" '
        { for (i = 1; i <= NF; i++) if ($i ~ /^\(?GLIBC_[0-9.]+\)?$/) { v = $i; gsub(/[()]|GLIBC_/, "", v);
              if (newer(v, floor)) print $NF "@GLIBC_" v } }
        function newer(a, b,   x, y, n, i) { n = split(a, x, "."); split(b, y, ".");
              for (i = 1; i <= 3; i++) { if ((x[i] + 0) != (y[i] + 0)) return (x[i] + 0) > (y[i] + 0) } return 0 }')
    [ -z "$too_new" ] || { say "$file needs glibc newer than $GLIBC_FLOOR: $(tr '\n' ' ' <<<"$too_new")"; return 1; }
    say "$(basename "$file"): newest glibc symbol version $newest (floor $GLIBC_FLOOR)"
}

# check_musl_library FILE: FILE depends on musl's libc, not glibc's.
check_musl_library() {
    local file="$1" needed
    needed=$(objdump -p "$file" | awk '/NEEDED/ { print $2 }' | tr '\n' ' ')
    grep -q 'libc.so ' <<<"$needed " || { say "$file does not need musl's libc.so (NEEDED: $needed)"; return 1; }
    ! objdump -T "$file" | grep 'GLIBC_' >/dev/null || { say "$file asks for glibc symbol versions: not a musl build"; return 1; }
    say "$(basename "$file"): musl build (NEEDED: $needed)"
}
