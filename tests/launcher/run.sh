#!/usr/bin/env bash
# tests/launcher/run.sh — bin/buffers, the CLI the README documents (issue 21, "CLI"), on JDK 17 and
# the newest JDK: it prints what `java -jar` prints, byte for byte and exit code for exit code; its
# write lands in a `sleep` (read back from /proc/PID/mem); the first run that succeeds makes the
# class-data archive and the library copy in a private cache folder and later runs use them; a failed
# run keeps no archive; a damaged archive changes nothing a user sees; a cache folder another user
# could change is not used (nothing is written there) and the output stays the same; `java -jar` keeps
# its library copy in the same folder under the same rules.
# Uses target/reloaded-memory-buffers-*.jar (built with `mvn -q -DskipTests package` when missing).
set -uo pipefail
SCRIPT_NAME=launcher
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
launcher=$REPO_ROOT/bin/buffers
jar=$(ls "$REPO_ROOT"/target/reloaded-memory-buffers-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1)
if [ -z "$jar" ]; then
  home=$(jdk17_home) || exit 1
  (cd "$REPO_ROOT" && JAVA_HOME=$home mvn -B -ntp -q -DskipTests package) || die "could not build the jar"
  jar=$(ls "$REPO_ROOT"/target/reloaded-memory-buffers-*.jar | grep -v -- '-sources\|-javadoc' | head -1)
fi
work=$(mktemp -d)
target=
cleanup() { [ -z "$target" ] || kill "$target" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# run NAME COMMAND...: NAME.out, NAME.err, NAME.code in $work.
run() { local name=$1; shift; "$@" >"$work/$name.out" 2>"$work/$name.err"; echo $? >"$work/$name.code"; }
same() {   # same A B WHAT: files A.* and B.* hold the same output and exit code
  cmp -s "$work/$1.out" "$work/$2.out" || { fail "$3: stdout differs"; diff "$work/$1.out" "$work/$2.out" | head >&2; }
  cmp -s "$work/$1.code" "$work/$2.code" || fail "$3: exit $(cat "$work/$1.code") vs $(cat "$work/$2.code")"
}

sleep 600 & target=$!
until grep -q '^State:.*S' "/proc/$target/status" 2>/dev/null; do sleep 0.05; done
near=0x$(awk '/r-xp/ {split($1, a, "-"); print a[1]; exit}' "/proc/$target/maps")

for home in "$(jdk17_home)" "$(newest_jdk)"; do
  [ -x "$home/bin/java" ] || die "no JDK at '$home'"
  export JAVA_HOME=$home
  java_jar=("$home/bin/java" -jar "$jar")
  cache=$work/cache-${home##*/}
  mkdir -m 700 "$cache"
  export XDG_CACHE_HOME=$cache
  folder=$cache/reloaded-memory-buffers
  say "JDK $home"

  # A usage error first: same output, and no archive kept from a run that failed.
  run bad-jar "${java_jar[@]}" write "$target" --near "$near" --hex 9
  run bad "$launcher" write "$target" --near "$near" --hex 9
  same bad-jar bad "usage error"
  cmp -s "$work/bad-jar.err" "$work/bad.err" || fail "usage error: stderr differs"
  ls "$folder"/cli-* >/dev/null 2>&1 && fail "a failed run left an archive: $(ls "$folder")"

  # The first run that succeeds makes the archive; the next one uses it.
  BUFFERS_LAUNCHER_DEBUG=1 run first "$launcher" write "$target" --near "$near" --hex "90 c3" --json
  grep -q "making" "$work/first.err" || fail "first run: $(cat "$work/first.err")"
  ls "$folder" | grep -qE '^cli-.*\.(jsa|aot)$' || fail "no archive after the first run: $(ls -la "$folder")"
  ls "$folder"/*.tmp* >/dev/null 2>&1 && fail "files of the making left behind: $(ls "$folder")"
  ls "$folder"/buffers_jni-*.so >/dev/null 2>&1 || fail "no kept library after the first run"
  [ "$(stat -c %a "$folder")" = 700 ] || fail "cache folder mode $(stat -c %a "$folder")"
  BUFFERS_LAUNCHER_DEBUG=1 run second "$launcher" write "$target" --near "$near" --hex "cc 90 c3"
  grep -q " with $folder/cli-" "$work/second.err" || fail "second run did not use the archive: $(cat "$work/second.err")"
  address=$(cat "$work/second.out")
  [[ $address =~ ^0x[0-9a-f]{16}$ ]] || fail "write printed '$address'"
  bytes=$(dd if="/proc/$target/mem" bs=1 skip=$((address)) count=3 2>/dev/null | od -An -tx1 | tr -d ' \n')
  [ "$bytes" = cc90c3 ] || fail "read back '$bytes' at $address, wrote cc90c3"
  grep -q '"address": "0x' "$work/first.out" && grep -q '"size": 2' "$work/first.out" || fail "json: $(cat "$work/first.out")"

  # Same output as java -jar, with the archive in use.
  for args in "--version" "--help" "write --help" "--json lst" "inspect 0"; do
    run plain "${java_jar[@]}" $args
    run tuned "$launcher" $args
    same plain tuned "'$args'"
  done

  # A damaged archive: nothing a user sees changes (the JVM does not use it).
  for archive in "$folder"/cli-*; do head -c 4096 /dev/urandom >"$archive"; done
  run plain "${java_jar[@]}" --version
  run damaged "$launcher" --version
  same plain damaged "damaged archive"
  [ -s "$work/damaged.err" ] && fail "damaged archive: stderr '$(cat "$work/damaged.err")'"

  # A cache folder under a folder anyone may change: not used, nothing written there, same output.
  open=$work/open-${home##*/}
  mkdir -m 777 "$open" && chmod 777 "$open"
  XDG_CACHE_HOME=$open BUFFERS_LAUNCHER_DEBUG=1 run open "$launcher" --version
  same plain open "untrusted cache folder"
  grep -q "plain start" "$work/open.err" || fail "untrusted folder used: $(cat "$work/open.err")"
  [ -z "$(ls -A "$open")" ] || fail "files written into $open: $(ls -A "$open")"

  # java -jar keeps its library copy in the same folder (cli/Main), never under an open folder, and
  # where the caller names another, there.
  jar_cache=$work/jar-cache-${home##*/}
  mkdir -m 700 "$jar_cache"
  XDG_CACHE_HOME=$jar_cache run plain "${java_jar[@]}" --version
  ls "$jar_cache"/reloaded-memory-buffers/buffers_jni-*.so >/dev/null 2>&1 || fail "java -jar kept no library copy"
  XDG_CACHE_HOME=$open run plain "${java_jar[@]}" --version
  [ -z "$(ls -A "$open")" ] || fail "java -jar wrote into $open: $(ls -A "$open")"
  XDG_CACHE_HOME=$open run plain "$home/bin/java" -Dreloaded.buffers.native.cache="$jar_cache/named" -jar "$jar" --version
  ls "$jar_cache"/named/buffers_jni-*.so >/dev/null 2>&1 || fail "java -jar did not take the folder it was given"
done

[ $failures -eq 0 ] || die "$failures check(s) failed"
say "bin/buffers prints what java -jar prints, writes, and keeps its archive and library copy only where it may"
