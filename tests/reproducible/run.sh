#!/usr/bin/env bash
# tests/reproducible/run.sh — the same sources give the same archives (issue 20, point 4): the tree
# (tracked and new files, as in the work tree) is copied into two folders, each is built with
# `mvn clean package -DskipTests` on JDK 17, one after the other, and every archive the build makes
# (the jar, -sources.jar, -javadoc.jar) must have the same SHA-256 in both. When they differ, the
# entries that differ are printed (tests/reproducible/ArchiveListing.java: order, size, CRC, time).
set -uo pipefail
SCRIPT_NAME=reproducible
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
need_packages git maven openjdk-17-jdk-headless cmake gcc
home=$(jdk17_home) || exit 1
root="$REPO_ROOT/build/reproducible"
rm -rf "$root"

for copy in first second; do
    mkdir -p "$root/$copy"
    (cd "$REPO_ROOT" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$root/$copy") \
        || die "could not copy the tree into $root/$copy"
    say "building in $root/$copy"
    (cd "$root/$copy" && JAVA_HOME=$home mvn -B -ntp -q clean package -DskipTests) >"$root/$copy.log" 2>&1 \
        || { tail -40 "$root/$copy.log"; die "mvn package failed in $root/$copy"; }
done

listing() { "$home/bin/java" "$REPO_ROOT/tests/reproducible/ArchiveListing.java" "$1"; }
archives=0 differ=0
for first in "$root"/first/target/*.jar; do
    name=$(basename "$first") second="$root/second/target/$name"
    archives=$((archives + 1))
    [ -f "$second" ] || { echo "$name: made by the first build only" >&2; differ=$((differ + 1)); continue; }
    a=$(sha256sum <"$first" | cut -d' ' -f1) b=$(sha256sum <"$second" | cut -d' ' -f1)
    if [ "$a" = "$b" ]; then
        say "$name: identical (SHA-256 $a)"
    else
        differ=$((differ + 1))
        echo "$name: SHA-256 $a (first) != $b (second); entries that differ (< first, > second):" >&2
        diff <(listing "$first") <(listing "$second") | grep '^[<>]' | head -40 >&2
    fi
done
[ $archives -ge 3 ] || die "expected the jar, -sources.jar and -javadoc.jar, found $archives archives"
[ $differ -eq 0 ] || die "$differ of $archives archives differ between two builds of the same sources"
say "$archives archives, each identical in two builds"
