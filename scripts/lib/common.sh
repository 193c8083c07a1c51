# Shared by scripts/cross-test.sh and scripts/build-natives.sh: messages, timing, the platform table.
# Source it; it defines functions only (plus REPO_ROOT and BUFFERS_PLATFORMS).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The platform table's one home: one row per platform, columns separated by "|" (its header says
# which). linux-* platforms are glibc (floor: 2.17) unless named -musl; macos-* are built (with Zig,
# scripts/lib/zig.sh) but never run here.
PLATFORM_TABLE="$REPO_ROOT/native/platforms.txt"

# platform_field PLATFORM N: column N (from 1) of PLATFORM's row, without the spaces around it.
platform_field() {
    awk -F'|' -v p="$1" -v n="$2" '
        function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
        !/^#/ && NF > 1 && trim($1) == p { print trim($n); exit }' "$PLATFORM_TABLE"
}

# The platforms in the table's order, separated by spaces.
BUFFERS_PLATFORMS=$(awk -F'|' '!/^#/ && NF > 1 { gsub(/[ \t]/, "", $1); printf "%s%s", sep, $1; sep = " " }' "$PLATFORM_TABLE")

say() { printf '[%s] %s\n' "${SCRIPT_NAME:-buffers}" "$*"; }
die() { printf '[%s] ERROR: %s\n' "${SCRIPT_NAME:-buffers}" "$*" >&2; exit 1; }

# Timings go to the script's own stderr even when a command's output is sent to a log.
exec 3>&2

# timed LABEL COMMAND...: runs COMMAND, then prints how long it took; keeps its exit status.
timed() {
    local label="$1"; shift
    local start end status
    start=$(date +%s.%N)
    "$@"; status=$?
    end=$(date +%s.%N)
    say "time: $label $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')" >&3
    return $status
}

is_platform() {
    local p
    for p in $BUFFERS_PLATFORMS; do [ "$p" = "$1" ] && return 0; done
    return 1
}

# The CMake toolchain file of a platform; empty for the build machine's own platform.
platform_toolchain() {
    case "$1" in
        linux-x86_64) echo "" ;;
        *) echo "$REPO_ROOT/cmake/toolchains/$1.cmake" ;;
    esac
}

# Debian packages that build a platform (compilers; Google Test sources for cross builds).
platform_build_packages() { platform_field "$1" 8; }

# The system JDK 17 (Debian's openjdk-17-jdk-headless) that builds the Java side.
jdk17_home() {
    local home
    for home in /usr/lib/jvm/java-17-openjdk-*; do [ -x "$home/bin/javac" ] && { echo "$home"; return 0; }; done
    echo "JDK 17 not found under /usr/lib/jvm (openjdk-17-jdk-headless)" >&2; return 1
}

# The JDK whose `java -version` is highest among /usr/lib/jvm/*.
newest_jdk() {
  local best="" best_version=0 home version
  for home in /usr/lib/jvm/*/; do
    [ -x "$home/bin/javac" ] || continue
    version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [ "${version%%.*}" -gt "$best_version" ] 2>/dev/null; then best=${home%/}; best_version=${version%%.*}; fi
  done
  [ -n "$best" ] || { echo "no JDK under /usr/lib/jvm" >&2; return 1; }
  echo "$best"
}
