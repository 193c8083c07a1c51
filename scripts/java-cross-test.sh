#!/usr/bin/env bash
# scripts/java-cross-test.sh PLATFORM — the JUnit suite on another platform's JVM, on this machine.
# Maven builds on the system JDK 17; Surefire forks the tests on the other JVM, which loads that
# platform's JNI library from the jar's classes (scripts/build-natives.sh builds and packs it).
#   linux-x86:     Debian's i386 OpenJDK 17 runtime, unpacked into build/jvm/linux-x86 rather than
#                  installed (an installed i386 JDK must have exactly the system JDK's version, which
#                  the i386 index often lags), running natively on multiarch's i386 libraries.
#   linux-aarch64: Debian's arm64 OpenJDK 17 runtime and zlib, fetched with a private apt state (the
#                  machine's apt configuration is not touched) into build/jvm/linux-aarch64 and run
#                  under qemu-user with the aarch64 cross sysroot. Three adjustments, all because of
#                  qemu-user: processes are started with VFORK (the default launcher goes through the
#                  JDK's aarch64 jspawnhelper, which the host kernel cannot exec without binfmt_misc),
#                  NoexecTest is not run (qemu maps guest code without host exec permission, so
#                  a noexec mount cannot refuse the library there), and buffers.test.emulator tells
#                  the tests that /proc/self/maps cannot show which pages are executable.
# Exit status: 0 passed; 1 failed; 77 the suite could not run here (the reason is printed).
set -uo pipefail
SCRIPT_NAME=java-cross-test
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"

platform="${1:-}"
case "$platform" in
    linux-x86) arch=i386 jvm_name=java-17-openjdk-i386 os_arch=i386 ;;
    linux-aarch64) arch=arm64 jvm_name=java-17-openjdk-arm64 os_arch=aarch64 ;;
    *) die "usage: scripts/java-cross-test.sh linux-x86|linux-aarch64" ;;
esac
cannot_run() { say "SKIPPED: the JUnit suite cannot run on $platform here: $*"; exit 77; }

dir="$REPO_ROOT/build/jvm/$platform"
root="$dir/root"
real_java="$root/usr/lib/jvm/$jvm_name/bin/java"

# download_into_root PACKAGE...: fetches the packages (for $arch) and unpacks them into $root.
download_into_root() {
    if [ "$arch" = arm64 ]; then
        download_foreign arm64 "$dir/apt" "$dir/debs" "$@" || return 1
    else
        mkdir -p "$dir/debs" && chmod -R a+rwX "$dir"   # apt-get download runs as _apt where it can
        (cd "$dir/debs" && timed "download $*" apt-get download -q "$@") || return 1
    fi
    local deb
    for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$root" || return 1; done
}

need_packages openjdk-17-jdk-headless maven dpkg-dev
case "$platform" in
    linux-x86)
        need_i386 libc6:i386 libstdc++6:i386 zlib1g:i386 || cannot_run "$I386_WHY"
        [ -x "$real_java" ] || { rm -rf "$dir"; download_into_root "openjdk-17-jre-headless:i386"; } \
            || cannot_run "the i386 JRE could not be downloaded"
        java="$real_java"
        extra=() ;;
    linux-aarch64)
        need_packages qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
        [ -x "$real_java" ] || { rm -rf "$dir"; download_into_root openjdk-17-jre-headless zlib1g; } \
            || cannot_run "the arm64 JRE could not be downloaded"
        # Surefire wants a path ending in bin/java: a launcher that runs the JVM under qemu.
        java="$dir/launcher/bin/java"
        mkdir -p "$(dirname "$java")"
        cat >"$java" <<LAUNCHER
#!/bin/sh
exec qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=$root/lib/aarch64-linux-gnu:$root/usr/lib/aarch64-linux-gnu "$real_java" "\$@"
LAUNCHER
        chmod +x "$java"
        # buffers.test.java: the launcher for the child JVMs of NativeAccessTest too.
        extra=("-Dtest.jvmArgs=-Djdk.lang.Process.launchMechanism=VFORK -Dbuffers.test.java=$java -Dbuffers.test.emulator=qemu-user" '-Dtest=!NoexecTest'
               -Dsurefire.failIfNoSpecifiedTests=false)
        say "not run on $platform: NoexecTest (qemu-user cannot enforce noexec mounts)" ;;
esac
"$java" -version >/dev/null 2>&1 || cannot_run "$java does not start: $("$java" -version 2>&1 | head -2)"
say "JVM: $java ($("$java" -version 2>&1 | head -1))"

bash "$REPO_ROOT/scripts/build-natives.sh" || die "the JNI libraries did not build"
jdk17=$(jdk17_home) || die "no system JDK 17 to build with"
cd "$REPO_ROOT"
JAVA_HOME=$jdk17 timed "JUnit suite on $platform" mvn -B -ntp clean verify -Djvm="$java" "${extra[@]}"
status=$?
# The suite must really have run on that JVM, not silently on the build JDK.
if ! grep -q "name=\"os.arch\" value=\"$os_arch\"" target/surefire-reports/TEST-*.xml 2>/dev/null; then
    say "the tests did not run on an $os_arch JVM"; status=1
fi
[ $status -eq 0 ] && say "$platform: JUnit suite passed on $("$java" -version 2>&1 | head -1)"
exit $status
