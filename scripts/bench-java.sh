#!/usr/bin/env bash
# Benchmarks of the Java facade (docs/benchmarks.md): Buffers.write and getBuffer + append + close as
# ratios to two floors of their route measured in the same JVM (RouteRatios: JNI on JDK 17, FFM on
# the newest JDK when it is 22+): the route's empty call and the C bare model reached through the
# route; then each floor and a bare model in Java alone, and the ns per call of each loop; over
# BENCH_PROCESSES JVMs (min / median / max). Then the CLI's `write` end to end against a JVM
# printing "hello", run in alternation, as CPU time and wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/bench.sh
processes=${BENCH_PROCESSES:-5}
jdk17=$(jdk17_home)
newest=$(newest_jdk)
# clean: a test run on JDK 22+ leaves release-22 classes in target/test-classes, which JDK 17 cannot read
JAVA_HOME=$jdk17 mvn -B -ntp -q -Pbench -DskipTests clean package
work=$(mktemp -d)
target_pid=
cleanup() { [ -z "$target_pid" ] || kill "$target_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "Java routes in the same JVM (no-op: the route's empty call; bare: the C bare model through the"
echo "route; java bare: the bare model in Java), $processes JVMs (min / median / max):"
for home in "$jdk17" "$newest"; do
  for ((p = 0; p < processes; p++)); do
    "$home/bin/java" --enable-native-access=ALL-UNNAMED -cp target/benchmarks.jar reloaded.memory.buffers.RouteRatios
  done >"$work/ratios"
  printf '  %s (route %s):\n' "$("$home/bin/java" -version 2>&1 | head -1)" "$(awk '/^route/ {print $2; exit}' "$work/ratios")"
  # Each figure line as name<TAB>value (the value is the last field), then one spread a name.
  awk '!/^route/ {v = $NF; $NF = ""; sub(/ +$/, ""); print $0 "\t" v}' "$work/ratios" >"$work/figures"
  cut -f1 "$work/figures" | awk '!seen[$0]++' | while IFS= read -r figure; do
    printf '    %-26s %s\n' "$figure" "$(awk -F'\t' -v f="$figure" '$1 == f {print $2}' "$work/figures" | spread)"
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
