# Shared by scripts/cross-test.sh and scripts/build-natives.sh: messages, timing, the platform table.
# Source it; it defines functions only (plus REPO_ROOT).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# linux-* platforms are glibc (floor: 2.17) unless named -musl.
# macos-* are built (with Zig, scripts/lib/zig.sh) but never run here.
BUFFERS_PLATFORMS="linux-x86_64 linux-x86 linux-aarch64 linux-x86_64-musl windows-x86_64 windows-x86 macos-x86_64 macos-aarch64"

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
platform_build_packages() {
    case "$1" in
        linux-x86_64) echo "cmake ninja-build gcc g++ libgtest-dev" ;;
        linux-x86) echo "cmake ninja-build gcc-i686-linux-gnu g++-i686-linux-gnu googletest" ;;
        linux-aarch64) echo "cmake ninja-build gcc-aarch64-linux-gnu g++-aarch64-linux-gnu googletest" ;;
        linux-x86_64-musl) echo "cmake ninja-build gcc g++ musl-tools" ;;
        windows-x86_64|windows-x86) echo "cmake ninja-build mingw-w64 googletest" ;;
        macos-x86_64|macos-aarch64) echo "cmake ninja-build googletest llvm lld-14 file" ;;
    esac
}

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
