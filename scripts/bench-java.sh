#!/usr/bin/env bash
# Benchmarks of the Java facade (docs/benchmarks.md): Buffers.write and getBuffer + append + close as
# ratios to two floors of their route measured in the same JVM (RouteRatios: JNI on JDK 17, FFM on
# the newest JDK when it is 22+): the route's empty call and the C bare model reached through the
# route; then each floor and a bare model in Java alone, and the ns per call of each loop; over
# BENCH_PROCESSES JVMs (min / median / max). Then the CLI's `write` end to end (bin/buffers, as the
# README says to run it, and java -jar) against a JVM printing "hello", run in alternation, as CPU
# time and wall time, on both JDKs.
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
echo "CLI write end to end (bin/buffers, the route the README documents; java -jar beside it), ratio to a JVM"
echo "printing \"hello\" on the same JDK, $processes pairs run in alternation (min / median / max):"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/Hello.java"
"$jdk17/bin/javac" -d "$work" "$work/Hello.java"
sleep 600 & target_pid=$!
near=0x$(awk '/r-xp/ {split($1, a, "-"); print a[1]; exit}' "/proc/$target_pid/maps")
jar=target/reloaded-memory-buffers-1.0.0.jar
cli=(write "$target_pid" --near "$near" --hex "90 c3")
# The launcher's cache (archive, library copy) starts empty: its first run, not timed, makes it.
mkdir -m 700 "$work/cache"
export XDG_CACHE_HOME=$work/cache
# CPU ms (user + sys) and wall ms of one run.
cost() { local TIMEFORMAT='%U %S %R'; { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%d %d\n", ($1 + $2) * 1000, $3 * 1000}'; }
ratio() { awk -v a="$1" -v b="$2" '{printf "%.2f\n", $a / $b}' "$work/cli" | spread; }
for home in "$jdk17" "$newest"; do
  export JAVA_HOME=$home
  bin/buffers "${cli[@]}" >/dev/null 2>&1 || echo "  bin/buffers failed on $home" >&2
  for ((p = 0; p < processes; p++)); do
    echo "$(cost "$home/bin/java" -cp "$work" Hello) $(cost bin/buffers "${cli[@]}") $(cost "$home/bin/java" -jar "$jar" "${cli[@]}")"
  done >"$work/cli"
  printf '  %s (hello: CPU %s ms, wall %s ms)\n' "$("$home/bin/java" -version 2>&1 | head -1)" \
    "$(awk '{print $1}' "$work/cli" | spread)" "$(awk '{print $2}' "$work/cli" | spread)"
  echo "    bin/buffers:  CPU $(ratio 3 1)x   wall $(ratio 4 2)x"
  echo "    java -jar:    CPU $(ratio 5 1)x   wall $(ratio 6 2)x"
done
