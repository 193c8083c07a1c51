#!/usr/bin/env bash
# Benchmarks of the Java facade (docs/benchmarks.md): Buffers.write and getBuffer + append + close as
# ratios to an empty call of their route in the same JVM (RouteRatios: JNI on JDK 17, FFM on the
# newest JDK when it is 22+), over BENCH_PROCESSES JVMs (min / median / max), then the CLI's `write`
# end to end against a JVM printing "hello", run in alternation, as CPU time and wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/bench.sh
processes=${BENCH_PROCESSES:-5}
jdk17=$(jdk17_home)
newest=$(newest_jdk)
JAVA_HOME=$jdk17 mvn -B -ntp -q -Pbench -DskipTests package
work=$(mktemp -d)
target_pid=
cleanup() { [ -z "$target_pid" ] || kill "$target_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "Java routes, ratio to the route's empty call in the same JVM, $processes JVMs (min / median / max):"
for home in "$jdk17" "$newest"; do
  for ((p = 0; p < processes; p++)); do
    "$home/bin/java" --enable-native-access=ALL-UNNAMED -cp target/benchmarks.jar reloaded.memory.buffers.RouteRatios
  done >"$work/ratios"
  printf '  %s (route %s):\n' "$("$home/bin/java" -version 2>&1 | head -1)" "$(awk '/^route/ {print $2; exit}' "$work/ratios")"
  for figure in "one call" "three calls" "no-op ns"; do
    printf '    %-12s %s\n' "$figure" "$(awk -v f="$figure" 'index($0, f) == 1 {print $NF}' "$work/ratios" | spread)"
  done
done

echo
echo "CLI write end to end (JDK 17), ratio to a JVM printing \"hello\", $processes pairs (min / median / max):"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/Hello.java"
"$jdk17/bin/javac" -d "$work" "$work/Hello.java"
sleep 600 & target_pid=$!
near=0x$(awk '/r-xp/ {split($1, a, "-"); print a[1]; exit}' "/proc/$target_pid/maps")
jar=target/reloaded-memory-buffers-1.0.0.jar
cli=(-jar "$jar" write "$target_pid" --near "$near" --hex "90 c3")
# CPU ms (user + sys) and wall ms of one run.
cost() { local TIMEFORMAT='%U %S %R'; { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%d %d\n", ($1 + $2) * 1000, $3 * 1000}'; }
"$jdk17/bin/java" -XX:ArchiveClassesAtExit="$work/cli.jsa" "${cli[@]}" >/dev/null 2>&1
for ((p = 0; p < processes; p++)); do
  hello=$(cost "$jdk17/bin/java" -cp "$work" Hello)
  plain=$(cost "$jdk17/bin/java" "${cli[@]}")
  tuned=$(cost "$jdk17/bin/java" -XX:SharedArchiveFile="$work/cli.jsa" -XX:TieredStopAtLevel=1 "${cli[@]}")
  echo "$hello $plain $tuned"
done >"$work/cli"
ratio() { awk -v a="$1" -v b="$2" '{printf "%.2f\n", $a / $b}' "$work/cli" | spread; }
echo "  java -jar:                        CPU $(ratio 3 1)x   wall $(ratio 4 2)x   (hello: CPU $(awk '{print $1}' "$work/cli" | spread) ms)"
echo "  + AppCDS archive, C1 only:        CPU $(ratio 5 1)x   wall $(ratio 6 2)x"
