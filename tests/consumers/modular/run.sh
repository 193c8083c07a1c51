#!/usr/bin/env bash
# tests/consumers/modular/run.sh — the jar as a named module: the jar describes module
# reloaded.memory.buffers; a modular app (this folder) compiles against it with Maven without the
# "filename-based automodules" warning; it runs from the module path, and from a jlink image that
# holds both modules; the library also still runs from the class path (java -jar ... demo).
set -uo pipefail
SCRIPT_NAME=modular-consumer
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/tests/consumers/lib.sh"
jar=$(library_jar_installed) || exit 1
home=$(jdk17_home) || exit 1
here="$REPO_ROOT/tests/consumers/modular"
work="$REPO_ROOT/build/consumers/modular"
rm -rf "$work" && mkdir -p "$work"

described=$("$home/bin/jar" --describe-module --file "$jar")
grep -q '^reloaded.memory.buffers@' <<<"$described" || die "the jar does not describe module reloaded.memory.buffers: $described"
grep -qx 'exports reloaded.memory.buffers' <<<"$described" || die "module does not export the API package: $described"
say "jar describes $(head -1 <<<"$described" | cut -d' ' -f1)"

cp -r "$here/pom.xml" "$here/src" "$work/"   # built in a copy: no target/ in the source tree
(cd "$work" && JAVA_HOME=$home mvn -B -ntp clean package) >"$work/mvn.log" 2>&1 || { tail -40 "$work/mvn.log"; die "the modular consumer did not build"; }
! grep -qi 'automodule\|automatic module' "$work/mvn.log" || { grep -i 'automodule\|automatic module' "$work/mvn.log"; die "Maven still warns about an automatic module"; }
app=$(ls "$work"/target/modular-consumer-*.jar 2>/dev/null | head -1)
[ -f "$app" ] || die "no consumer jar in $work/target"

failed=0
check_run() {
    local what="$1"; shift
    if out=$("$@" 2>&1) && grep -q ' ok$' <<<"$out"; then say "$what: $out"; else say "FAILED $what: $out"; failed=1; fi
}
check_run "module path" "$home/bin/java" --enable-native-access=reloaded.memory.buffers -p "$jar:$app" -m demo.modular/demo.modular.Main
rm -rf "$work/image"
"$home/bin/jlink" --module-path "$jar:$app" --add-modules demo.modular --output "$work/image" --strip-debug --no-header-files \
    --no-man-pages >"$work/jlink.log" 2>&1 || { cat "$work/jlink.log"; die "jlink refused the modules"; }
check_run "jlink image" "$work/image/bin/java" -m demo.modular/demo.modular.Main
"$work/image/bin/java" --list-modules | grep '^reloaded.memory.buffers@' >/dev/null || { say "FAILED: the image lacks the module"; failed=1; }
if out=$(cd / && "$home/bin/java" -jar "$jar" demo 2>&1); then say "class path (java -jar, from /): ok"; else say "FAILED class path: $out"; failed=1; fi
[ $failed -eq 0 ] || die "the module did not work everywhere (see above)"
say "named module works on the module path, in a jlink image and on the class path"
