# Building the JNI library per platform, for scripts/build-natives.sh. Source after common.sh and
# packages.sh.

# The folder holding javac's generated JNI headers; generates them with javac -h from the Java
# sources when Maven has not yet.
jni_generated_headers() {
    local dir="${JNI_HEADERS_DIR:-$REPO_ROOT/target/generated-sources/jni-headers}"
    if ! compgen -G "$dir/*.h" >/dev/null; then
        local sources
        # Only the JDK 17 tree: java/src/main/java22 holds the JDK 22+ classes, which JDK 17 cannot compile.
        sources=$(find "$REPO_ROOT/java/src/main/java" -name '*.java' 2>/dev/null)
        [ -n "$sources" ] || die "no generated JNI headers in $dir and no Java sources (java/src/main) to make them from: run 'mvn compile' or merge the Java facade first"
        command -v javac >/dev/null || die "no javac to generate the JNI headers"
        mkdir -p "$dir" "$REPO_ROOT/build/natives-javac"
        # shellcheck disable=SC2086
        javac -h "$dir" -d "$REPO_ROOT/build/natives-javac" $sources >&2 \
            || die "javac -h could not generate the JNI headers from java/src/main"
    fi
    echo "$dir"
}

# A JDK's include folder (jni.h, the same for every platform).
jdk_include_dir() {
    local home="${JAVA_HOME:-}"
    [ -n "$home" ] || home=$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")
    [ -f "$home/include/jni.h" ] || die "no jni.h: set JAVA_HOME to a JDK (tried '$home')"
    echo "$home/include"
}

# build_static_core PLATFORM: builds libbuffers (static, position independent) for PLATFORM into
# build/natives-core/PLATFORM and prints the static library's path. Its C API stays visible
# (BUFFERS_STATIC_HIDDEN=OFF): the JNI library exports part of it for the FFM route.
build_static_core() {
    local platform="$1" dir="$REPO_ROOT/build/natives-core/$1" toolchain args=()
    toolchain=$(platform_toolchain "$platform")
    [ -n "$toolchain" ] && args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain")
    mkdir -p "$dir"
    cmake -S "$REPO_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUFFERS_BUILD_TESTS=OFF \
        -DBUFFERS_BUILD_EXAMPLES=OFF -DBUFFERS_STATIC_HIDDEN=OFF "${args[@]}" >"$dir.log" 2>&1 \
        && cmake --build "$dir" -j2 --target buffers_static >>"$dir.log" 2>&1 \
        || { tail -30 "$dir.log" >&2; die "the C core did not build for $platform (log: $dir.log)"; }
    find "$dir/native" -maxdepth 1 -name 'libbuffers*.a' | grep -v '\.dll\.a$' | head -1
}

# The C compiler of a platform.
platform_cc() {
    case "$1" in
        linux-x86_64) echo gcc ;;
        linux-x86) echo i686-linux-gnu-gcc ;;
        linux-aarch64) echo aarch64-linux-gnu-gcc ;;
        linux-x86_64-musl) echo musl-gcc ;;
        windows-x86_64) echo x86_64-w64-mingw32-gcc-posix ;;
        windows-x86) echo i686-w64-mingw32-gcc-posix ;;
        macos-x86_64) echo "$ZIG_HOME/x86_64-macos-cc" ;;
        macos-aarch64) echo "$ZIG_HOME/aarch64-macos-cc" ;;
    esac
}

# link_jni_library PLATFORM CORE HEADERS JDK_INCLUDE OUT: compiles native/jni/*.c and links them with
# the core into OUT/libbuffers_jni.so or OUT/buffers_jni.dll.
link_jni_library() {
    local platform="$1" core="$2" headers="$3" jdk="$4" out="$5" cc flags=()
    cc=$(platform_cc "$platform")
    flags=(-std=c11 -O2 -Wall -Wextra -I"$REPO_ROOT/native/include" -I"$REPO_ROOT/native/jni" -I"$headers"
           -I"$jdk")
    case "$platform" in
        linux-*)
            # glibc builds route fstat/fstatat through the core's wrappers (cmake/GlibcFloor.cmake).
            local floor=()
            [[ "$platform" == *-musl ]] || floor=(-Wl,--wrap=fstat -Wl,--wrap=fstatat -Wl,--wrap=fstat64 -Wl,--wrap=fstatat64 -Wl,--wrap=pthread_create -Wl,--wrap=pthread_join -Wl,--push-state,--no-as-needed -l:libpthread.so.0 -Wl,--pop-state)
            "$cc" "${flags[@]}" -I"$jdk/linux" -fPIC -fvisibility=hidden -shared \
                -o "$out/libbuffers_jni.so" "$REPO_ROOT"/native/jni/*.c "$core" \
                -Wl,--version-script="$REPO_ROOT/native/jni/exports.map" -Wl,-z,noexecstack -Wl,--no-undefined \
                "${floor[@]}" -lpthread ;;
        windows-*)
            # Static runtime (no MinGW DLLs beside it); --kill-at gives 32-bit exports their plain names.
            "$cc" "${flags[@]}" -I"$REPO_ROOT/native/jni/win32" -shared -static -Wl,--kill-at \
                -o "$out/buffers_jni.dll" "$REPO_ROOT"/native/jni/*.c "$core" ;;
        macos-*)
            # Compiled by Zig's clang, linked by ld64.lld with the exports of exports.map (the
            # TARGET-ld wrapper of scripts/lib/zig.sh says why). The JDK's Linux jni_md.h defines what
            # macOS's does (JNIEXPORT as default visibility, LP64 types).
            local objects="$out/objects" source
            rm -rf "$objects" && mkdir -p "$objects"
            for source in "$REPO_ROOT"/native/jni/*.c; do
                "$cc" "${flags[@]}" -Werror -I"$jdk/linux" -fPIC -fvisibility=hidden -c \
                    -o "$objects/$(basename "$source" .c).o" "$source" || return 1
            done
            awk '/global:/ { g = 1; next } /local:/ { g = 0 } g { gsub(/[ ;]/, ""); if ($0 != "") print "_" $0 }' \
                "$REPO_ROOT/native/jni/exports.map" >"$objects/exports.txt"
            "${cc%-cc}-ld" -dylib -dead_strip -install_name @rpath/libbuffers_jni.dylib \
                -exported_symbols_list "$objects/exports.txt" -o "$out/libbuffers_jni.dylib" "$objects"/*.o "$core" \
                && rm -rf "$objects" ;;
    esac
}

# check_jni_library PLATFORM OUT: the file exists for the right machine and exports the JNI entry
# points under their plain names.
check_jni_library() {
    local platform="$1" out="$2" file expected exports
    case "$platform" in
        linux-x86_64) file="$out/libbuffers_jni.so" expected="ELF 64-bit.*x86-64" ;;
        linux-x86) file="$out/libbuffers_jni.so" expected="ELF 32-bit.*Intel 80386" ;;
        linux-aarch64) file="$out/libbuffers_jni.so" expected="ELF 64-bit.*ARM aarch64" ;;
        linux-x86_64-musl) file="$out/libbuffers_jni.so" expected="ELF 64-bit.*x86-64" ;;
        windows-x86_64) file="$out/buffers_jni.dll" expected="PE32\+ executable \(DLL\).*x86-64" ;;
        windows-x86) file="$out/buffers_jni.dll" expected="PE32 executable \(DLL\).*Intel 80386" ;;
        macos-x86_64) file="$out/libbuffers_jni.dylib" expected="Mach-O 64-bit x86_64 dynamically linked shared library" ;;
        macos-aarch64) file="$out/libbuffers_jni.dylib" expected="Mach-O 64-bit arm64 dynamically linked shared library" ;;
    esac
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
