#!/usr/bin/env bash
# tests/jar-content/check.sh TARGET_DIR — the archives `mvn package` left in TARGET_DIR cover the
# JDK 22+ part (issue 20, point 1): the jar is multi-release and holds Segments, Downcalls and the
# FFM NativeRoute under META-INF/versions/22; the -sources.jar holds their sources (under
# META-INF/versions/22, as in the jar); the -javadoc.jar documents Segments. Used by the fat_jar and
# reproducible stages of scripts/test.sh.
set -uo pipefail
SCRIPT_NAME=jar-content
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
dir=${1:?usage: check.sh TARGET_DIR}
base=$(ls "$dir"/reloaded-memory-buffers-*.jar 2>/dev/null | grep -v -- '-sources\.jar$\|-javadoc\.jar$' | head -1)
[ -n "$base" ] || die "no jar in $dir"
base=${base%.jar}
missing=0
need() { # need ARCHIVE ENTRY (the listing is read whole: grep -q on a pipe would cut unzip off)
    local listing; listing=$(unzip -Z1 "$1" 2>/dev/null)
    if grep -qxF "$2" <<<"$listing"; then return 0; fi
    echo "$(basename "$1") lacks $2" >&2; missing=$((missing + 1))
}
for class in Segments Downcalls NativeRoute; do
    need "$base.jar" "META-INF/versions/22/reloaded/memory/buffers/$class.class"
    need "$base-sources.jar" "META-INF/versions/22/reloaded/memory/buffers/$class.java"
done
need "$base-sources.jar" "reloaded/memory/buffers/Buffers.java"
need "$base-javadoc.jar" "reloaded.memory.buffers/reloaded/memory/buffers/Segments.html"
need "$base-javadoc.jar" "reloaded.memory.buffers/reloaded/memory/buffers/Buffers.html"
manifest=$(unzip -p "$base.jar" META-INF/MANIFEST.MF | tr -d '\r')
grep -qx 'Multi-Release: true' <<<"$manifest" \
    || { echo "$(basename "$base").jar does not say Multi-Release: true" >&2; missing=$((missing + 1)); }
[ $missing -eq 0 ] || die "$missing of the JDK 22+ part missing from the archives in $dir"
say "$(basename "$base"): jar, sources and javadoc cover the JDK 22+ part (Segments, Downcalls, NativeRoute)"
