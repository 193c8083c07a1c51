#!/usr/bin/env bash
# tests/reproducible/run.sh — one set of archives whatever builds them (issue 20, points 1 and 4).
# The tree (tracked and new files, as in the work tree) is copied into three folders and built with
# `mvn clean package -DskipTests`: twice on JDK 17, once on the newest JDK under /usr/lib/jvm.
#   - the two JDK 17 builds give archives (jar, -sources.jar, -javadoc.jar) with the same SHA-256;
#     when they differ, the entries that differ are printed (ArchiveListing.java: order, size, CRC, time);
#   - the newest JDK's build holds the same entries as the JDK 17 one, in each archive;
#   - each build covers the JDK 22+ part (tests/jar-content/check.sh);
#   - with no JDK 22+ to be found, the build stops at once with a message naming what it looked at.
set -uo pipefail
SCRIPT_NAME=reproducible
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
need_packages git maven openjdk-17-jdk-headless cmake gcc unzip
home=$(jdk17_home) || exit 1
newest=$(newest_jdk) || exit 1
root="$REPO_ROOT/build/reproducible"
rm -rf "$root"
failures=0
fail() { echo "$*" >&2; failures=$((failures + 1)); }

# build NAME JAVA_HOME: a copy of the tree in $root/NAME, built there.
build() {
    mkdir -p "$root/$1"
    (cd "$REPO_ROOT" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$root/$1") \
        || die "could not copy the tree into $root/$1"
    say "building in $root/$1 on $(basename "$2")"
    (cd "$root/$1" && JAVA_HOME=$2 mvn -B -ntp -q clean package -DskipTests) >"$root/$1.log" 2>&1 \
        || { tail -40 "$root/$1.log"; die "mvn package failed in $root/$1"; }
    bash "$REPO_ROOT/tests/jar-content/check.sh" "$root/$1/target" || failures=$((failures + 1))
}
listing() { "$home/bin/java" "$REPO_ROOT/tests/reproducible/ArchiveListing.java" "$1"; }

build first "$home"
build second "$home"
build newest "$newest"

archives=0
for first in "$root"/first/target/*.jar; do
    name=$(basename "$first")
    archives=$((archives + 1))
    for other in second newest; do
        [ -f "$root/$other/target/$name" ] || fail "$name: made by the first build, not by the $other"
    done
    [ -f "$root/second/target/$name" ] || continue
    a=$(sha256sum <"$first" | cut -d' ' -f1) b=$(sha256sum <"$root/second/target/$name" | cut -d' ' -f1)
    if [ "$a" = "$b" ]; then
        say "$name: identical in two JDK 17 builds (SHA-256 $a)"
    else
        fail "$name: SHA-256 $a (first) != $b (second); entries that differ (< first, > second):"
        diff <(listing "$first") <(listing "$root/second/target/$name") | grep '^[<>]' | head -40 >&2
    fi
    [ -f "$root/newest/target/$name" ] || continue
    if names=$(diff <(unzip -Z1 "$first" | sort) <(unzip -Z1 "$root/newest/target/$name" | sort)); then
        say "$name: the same $(unzip -Z1 "$first" | wc -l) entries built on JDK 17 and on $(basename "$newest")"
    else
        fail "$name: entries differ between JDK 17 (<) and $(basename "$newest") (>):"
        grep '^[<>]' <<<"$names" | head -40 >&2
    fi
done
[ $archives -ge 3 ] || fail "expected the jar, -sources.jar and -javadoc.jar, found $archives archives"

# No JDK 22+ anywhere the build looks (the JDK running it is 17): it must stop, and say so.
(cd "$root/first" && JAVA_HOME=$home mvn -B -ntp -q initialize -Djdk22.search=/nonexistent) >"$root/no-jdk22.log" 2>&1
status=$?
if [ $status -ne 0 ] && grep -q 'no JDK 22 or newer found' "$root/no-jdk22.log" \
        && grep -q 'Djdk22.javac=' "$root/no-jdk22.log"; then
    say "without a JDK 22+ the build stops: $(grep -m1 -o 'no JDK 22 or newer found[^.]*' "$root/no-jdk22.log")"
else
    fail "without a JDK 22+ the build did not stop with its message (exit $status):"; cat "$root/no-jdk22.log" >&2
fi

[ $failures -eq 0 ] || die "$failures check(s) failed"
say "$archives archives: byte-identical in two builds, the same entries on JDK 17 and the newest JDK"
