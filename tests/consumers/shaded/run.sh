#!/usr/bin/env bash
# tests/consumers/shaded/run.sh — a user's app shades the library with maven-shade-plugin and
# relocates reloaded.memory.buffers to demo.shaded.buffers (this folder); its jar must hold only
# relocated classes and still find, load and call the JNI library. This needs native methods bound
# with RegisterNatives (JNI_OnLoad finds the relocated class), not by Java_reloaded_... names.
set -uo pipefail
SCRIPT_NAME=shaded-consumer
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/tests/consumers/lib.sh"
need_packages unzip
library_jar_installed >/dev/null || exit 1
home=$(jdk17_home) || exit 1
here="$REPO_ROOT/tests/consumers/shaded"
work="$REPO_ROOT/build/consumers/shaded"
rm -rf "$work" && mkdir -p "$work"
cp -r "$here/pom.xml" "$here/src" "$work/"   # built in a copy: no target/ in the source tree
(cd "$work" && JAVA_HOME=$home mvn -B -ntp clean package) >"$work/mvn.log" 2>&1 || { tail -40 "$work/mvn.log"; die "the shaded consumer did not build"; }
app=$(ls "$work"/target/shaded-consumer-*.jar | grep -v original | head -1)
listing=$(unzip -l "$app")
! grep -q ' reloaded/memory/buffers/.*\.class$' <<<"$listing" || die "the shaded jar still holds classes under reloaded/memory/buffers"
grep -q ' demo/shaded/buffers/Buffers\.class$' <<<"$listing" || die "the shaded jar lacks demo/shaded/buffers/Buffers.class"
grep -q ' demo/shaded/buffers/native/index\.properties$' <<<"$listing" || die "the natives were not relocated beside the classes"
out=$(cd / && "$home/bin/java" -jar "$app" 2>&1); code=$?
if [ $code -ne 0 ] || ! grep -q ' ok$' <<<"$out"; then
    printf '%s\n' "$out" | head -20
    grep -q 'UnsatisfiedLinkError.*demo\.shaded\.buffers' <<<"$out" \
        && say "the JNI library binds its methods by the original package's symbol names (Java_reloaded_memory_buffers_*); relocation needs RegisterNatives in JNI_OnLoad"
    die "the shaded app failed (exit $code)"
fi
say "shaded and relocated: $out"
