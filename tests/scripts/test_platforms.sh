#!/usr/bin/env bash
# The platform table (native/platforms.txt) is the one home of the list of platforms: the scripts read
# it (scripts/lib/common.sh, jni.sh, runners.sh, macos-build.sh) and the Java loader's naming is
# checked against it (PlatformTest). This checks what the others cannot: every row is whole, names a
# known runner, has its toolchain file (but the build machine's own platform), has a row in
# docs/platforms.md's first table and, where Maven can tell it, a host profile in pom.xml; and every
# toolchain file of a platform is in the table.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh
source scripts/lib/packages.sh
source scripts/lib/runners.sh

failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

[ -n "$BUFFERS_PLATFORMS" ] || fail "no platforms read from $PLATFORM_TABLE"
docs_rows=$(awk '/^\| platform \|/ { t = 1; next } t && /^\|/ { print } t && !/^\|/ { exit }' docs/platforms.md)
for p in $BUFFERS_PLATFORMS; do
    row=$(grep -E "^$p[ |]" "$PLATFORM_TABLE")
    [ "$(awk -F'|' '{ print NF }' <<<"$row")" -eq 8 ] || fail "$p: the row has not 8 columns: $row"
    for n in 2 3 4 5 6 7 8; do [ -n "$(platform_field "$p" $n)" ] || fail "$p: column $n is empty"; done
    case "$(platform_field "$p" 7)" in native|i686-loader|qemu-user|wine64|wine32|none) ;;
        *) fail "$p: unknown runner '$(platform_field "$p" 7)'" ;; esac
    toolchain=$(platform_toolchain "$p")
    [ -z "$toolchain" ] || [ -f "$toolchain" ] || fail "$p: no toolchain file $toolchain"
    grep -qE "^\| ([a-z0-9_, -]*[ ,])?$p[ ,|]" <<<"$docs_rows" || fail "$p: no row in docs/platforms.md's platform table"
done
# pom.xml's host-<platform> profiles make the host's platform the default native.platform: each row
# has one on its os.arch, but a musl row, whose JVM reports the os.name and os.arch of the glibc row
# (the loader tells them apart at run time by the C library mapped), so Maven cannot choose it.
host_profile() { awk -v id="<id>host-$1</id>" 'index($0, id) { p = 1 } p { print } p && /<\/profile>/ { exit }' pom.xml; }
for p in $BUFFERS_PLATFORMS; do
    arch=$(platform_field "$p" 3) profile=$(host_profile "$p")
    if [ "$(platform_field "$p" 4)" = musl ]; then
        [ -z "$profile" ] || fail "$p: pom.xml has a host profile, but Maven cannot tell a musl JVM from a glibc one"
    else
        grep -q "<arch>$arch</arch>" <<<"$profile" && grep -q "<native.platform>$p</native.platform>" <<<"$profile" \
            || fail "$p: pom.xml has no profile host-$p activated on os.arch $arch that sets native.platform to $p"
    fi
done
for file in cmake/toolchains/*-*.cmake; do
    name=$(basename "$file" .cmake)
    case "$name" in *-common|*-rules) continue ;; esac   # shared parts, not platforms
    is_platform "$name" || fail "$file is a toolchain of a platform the table lacks ($name)"
done
echo "platform table: $(wc -w <<<"$BUFFERS_PLATFORMS") platforms, $failures failure(s)"
[ $failures -eq 0 ]
