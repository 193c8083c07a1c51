#!/usr/bin/env bash
# scripts/java-cross-test.sh PLATFORM — the JUnit suite on another platform's JVM, on this machine.
#   linux-x86: Debian's i386 OpenJDK 17 runtime, unpacked into build/jvm/linux-x86 rather than
#              installed (an installed i386 JDK must have exactly the system JDK's version, which the
#              i386 index often lags), running natively on multiarch's i386 libraries. Maven builds
#              on the system JDK; Surefire forks the tests on the 32-bit one, which loads the
#              linux-x86 JNI library from the jar's classes (scripts/build-natives.sh packs it).
# Exit status: 0 passed; 1 failed; 77 the suite could not run here (the reason is printed).
set -uo pipefail
SCRIPT_NAME=java-cross-test
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"

platform="${1:-}"
case "$platform" in
    linux-x86) arch=i386 jvm_name=java-17-openjdk-i386 data_model=32 ;;
    *) die "usage: scripts/java-cross-test.sh linux-x86" ;;
esac
cannot_run() { say "SKIPPED: the JUnit suite cannot run on $platform here: $*"; exit 77; }

need_packages openjdk-17-jdk-headless maven dpkg-dev
need_i386 libc6:i386 libstdc++6:i386 zlib1g:i386 || cannot_run "$I386_WHY"

dir="$REPO_ROOT/build/jvm/$platform"
java="$dir/root/usr/lib/jvm/$jvm_name/bin/java"
if [ ! -x "$java" ]; then
    rm -rf "$dir" && mkdir -p "$dir" && chmod 777 "$dir"   # apt-get download runs as _apt where it can
    (cd "$dir" && timed "download the $arch JRE" apt-get download -q "openjdk-17-jre-headless:$arch") \
        || cannot_run "apt-get download openjdk-17-jre-headless:$arch failed"
    dpkg -x "$dir"/openjdk-17-jre-headless_*_"$arch".deb "$dir/root" || die "cannot unpack the $arch JRE"
fi
"$java" -version >/dev/null 2>&1 || cannot_run "$java does not start: $("$java" -version 2>&1 | head -2)"
say "JVM: $java ($("$java" -version 2>&1 | head -1))"

bash "$REPO_ROOT/scripts/build-natives.sh" || die "the JNI libraries did not build"
jdk17=$(ls -d /usr/lib/jvm/java-17-openjdk-* | head -1)
cd "$REPO_ROOT"
JAVA_HOME=$jdk17 timed "JUnit suite on $platform" mvn -B -ntp clean verify -Djvm="$java"
status=$?
# The suite must really have run on that JVM, not silently on the build JDK.
if ! grep -q "name=\"sun.arch.data.model\" value=\"$data_model\"" target/surefire-reports/TEST-*.xml 2>/dev/null; then
    say "the tests did not run on a $data_model-bit JVM"; status=1
fi
[ $status -eq 0 ] && say "$platform: JUnit suite passed on $("$java" -version 2>&1 | head -1)"
exit $status
