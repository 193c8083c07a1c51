#!/bin/sh
# /init of the aarch64 test machine (tests/kernel/run.sh boots it under qemu-system-aarch64): runs
# each test of the C suite in a process of its own, as ctest would, and prints one line per test
#   @@RESULT PASS|FAIL|SKIP <name>[: reason]
# (a failing test's output before it), then @@DONE, and powers the machine off.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin HOME=/root   # util-linux setpriv before busybox's
mkdir -p /proc /sys /dev /tmp /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# /tmp is not mounted over: the root file system (tmpfs) is writable, and the build tree may
# itself live under /tmp (a clone there), whose programs a mount would hide.
mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm
suite=$(cat /suite.path)
[ -x "$suite" ] || echo "@@ERROR no test program at $suite"
echo "@@KERNEL $(uname -r) $(uname -m), $(grep -c ^processor /proc/cpuinfo) CPUs, ptrace_scope $(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo none)"
cd /tmp
"$suite" --gtest_list_tests | awk '/^[^ ]/ { suite = $1; next } /^  / { print suite $1 }' > /tmp/tests
echo "@@COUNT $(wc -l < /tmp/tests)"
while read -r name; do
    timeout 300 "$suite" --gtest_filter="$name" > /tmp/out 2>&1 < /dev/null
    code=$?
    if [ $code -eq 0 ] && grep -q '^\[  SKIPPED \]' /tmp/out; then
        why=$(grep -A1 -m1 ': Skipped$' /tmp/out | tail -1)   # gtest: "<file>:<line>: Skipped", then the reason
        echo "@@RESULT SKIP $name: $why"
    elif [ $code -eq 0 ] && grep -q '^\[  PASSED  \] 1 test' /tmp/out; then
        echo "@@RESULT PASS $name"
    else
        tail -40 /tmp/out
        echo "@@RESULT FAIL $name (exit $code)"
    fi
done < /tmp/tests
echo "@@DONE"
sync
poweroff -f
