#!/usr/bin/env bash
# tests/consumers/osgi/run.sh — the jar is an OSGi bundle (issue 20, point 5): Apache Felix, fetched
# from Maven Central by this folder's pom.xml, resolves it (Export-Package, no imports, osgi.ee
# JavaSE 17), starts it, and Buffers.version() called through the bundle's class loader answers the
# C library's version (project(... VERSION) in CMakeLists.txt) with the natives the bundle extracted.
set -uo pipefail
SCRIPT_NAME=osgi-consumer
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/tests/consumers/lib.sh"
jar=$(library_jar_installed) || exit 1
home=$(jdk17_home) || exit 1
here="$REPO_ROOT/tests/consumers/osgi"
work="$REPO_ROOT/build/consumers/osgi"
rm -rf "$work" && mkdir -p "$work"
cp "$here/pom.xml" "$work/"   # fetched in a copy: no target/ in the source tree
(cd "$work" && JAVA_HOME=$home mvn -B -ntp -q dependency:copy-dependencies -DoutputDirectory="$work/lib") \
    >"$work/mvn.log" 2>&1 || { tail -40 "$work/mvn.log"; die "could not fetch Apache Felix"; }
felix=$(ls "$work"/lib/org.apache.felix.framework-*.jar 2>/dev/null | head -1)
[ -f "$felix" ] || die "no org.apache.felix.framework jar in $work/lib"
version=$(sed -n 's/^project([A-Za-z]* VERSION \([0-9.]*\).*/\1/p' "$REPO_ROOT/CMakeLists.txt")
[ -n "$version" ] || die "no project(... VERSION) in CMakeLists.txt"
out=$(cd "$work" && "$home/bin/java" -cp "$felix" "$here/FelixHost.java" "$jar" "$version" "$work/felix-cache" 2>&1)
code=$?
[ $code -eq 0 ] || { printf '%s\n' "$out" | head -30; die "the bundle did not start in Felix (exit $code)"; }
say "$out"
