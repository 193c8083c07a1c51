#!/usr/bin/env bash
# The main job on a fresh machine: build everything from scratch with Maven (the C core through
# CMake, the JNI library, the Java classes, the self-extracting jar) and run the jar's demo: a buffer
# within 2 GiB of a function and one in the first 2 GiB, each write checked, the locator printed.
# Extra arguments go to the demo (e.g. --json). Exit code: the demo's (0 when all is as promised).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
source scripts/lib/common.sh
source scripts/lib/packages.sh
need_packages cmake make gcc g++ libc6-dev openjdk-17-jdk-headless maven
mvn -B -ntp -q clean package -DskipTests
jar=$(ls "$repo"/target/reloaded-memory-buffers-*.jar | grep -v -- '-sources\|-javadoc' | head -1)
[ -f "$jar" ] || { echo "error: mvn package made no jar in $repo/target" >&2; exit 1; }
cd /   # the jar works from any directory
exec java -jar "$jar" demo "$@"
