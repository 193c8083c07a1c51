#!/usr/bin/env bash
# tests/quiet/run.sh — `mvn -q clean package` prints nothing when it succeeds (issue 20, point 7):
# no CMake status or progress lines, no compiler warning of the C core or the JNI glue, nothing a
# test prints (Surefire keeps that in target/surefire-reports). Runs on JDK 17 in the tree itself,
# tests included. Maven 3.8's own colour resets (ESC[0m, printed even for an empty POM, invisible)
# are not counted.
set -uo pipefail
SCRIPT_NAME=quiet
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
need_packages maven openjdk-17-jdk-headless cmake gcc
home=$(jdk17_home) || exit 1
log="$REPO_ROOT/build/quiet/mvn.log"
mkdir -p "$(dirname "$log")"
(cd "$REPO_ROOT" && JAVA_HOME=$home mvn -B -ntp -q clean package) >"$log" 2>&1
status=$?
printed=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -v '^[[:space:]]*$')
[ $status -eq 0 ] || { tail -40 "$log"; die "mvn -q clean package failed (exit $status)"; }
if [ -n "$printed" ]; then
    echo "$printed" | head -40 >&2
    die "mvn -q clean package printed $(wc -l <<<"$printed") line(s) on success (above, first 40)"
fi
say "mvn -q clean package printed nothing"
