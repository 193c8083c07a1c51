# Google Test for cross builds, compiled from Debian's sources (/usr/src/googletest, package
# googletest) with the platform's own toolchain: nothing is downloaded. Source after common.sh.

# gtest_dir PLATFORM: prints the GTest_DIR (CMake package folder) to configure the project with,
# building and installing Google Test into build/PLATFORM/googletest first if needed. The build
# machine's own platform uses Debian's libgtest-dev and prints nothing.
gtest_dir() {
    local platform="$1" toolchain build install
    toolchain=$(platform_toolchain "$platform")
    [ -z "$toolchain" ] && return 0
    [ -f /usr/src/googletest/CMakeLists.txt ] || die "no /usr/src/googletest (install the googletest package)"
    build="$REPO_ROOT/build/$platform/googletest-build"
    install="$REPO_ROOT/build/$platform/googletest"
    local stamp="$install/.built-from" source_version
    source_version="$(dpkg-query -W -f='${Version}' googletest 2>/dev/null) $(sha1sum "$toolchain" | cut -c1-12)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$source_version" ]; then
        rm -rf "$build" "$install"
        mkdir -p "$REPO_ROOT/build/$platform"
        say "building Google Test $source_version for $platform" >&2
        timed "googletest build for $platform" bash -c '
            cmake -S /usr/src/googletest -B "$1" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$2" \
                -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$3" -DBUILD_GMOCK=ON \
                -DCMAKE_INSTALL_LIBDIR=lib >"$1.log" 2>&1 \
            && cmake --build "$1" -j2 >>"$1.log" 2>&1 \
            && cmake --install "$1" >>"$1.log" 2>&1' _ "$build" "$toolchain" "$install" >&2 \
            || die "Google Test did not build for $platform; see $build.log"
        echo "$source_version" >"$stamp"
    fi
    echo "$install/lib/cmake/GTest"
}
