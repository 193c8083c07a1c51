#!/usr/bin/env bash
# The C suite for linux-aarch64 under a real arm64 Linux kernel: Debian's arm64 kernel booted by
# qemu-system-aarch64 (TCG, no KVM needed) from an initramfs holding the suite, its helper
# programs, the arm64 C and C++ runtime and busybox. Unlike qemu-user, ptrace works there, so the
# other-process tests (ptrace sessions, locator creation, remote buffers) really run on aarch64.
# Prints "linux-aarch64 (kernel): N passed, N failed, N skipped" and fails if a test failed, if
# none ran, or if any was skipped for want of ptrace.
#   usage: tests/kernel/run.sh            (stage kernel_linux_aarch64 of scripts/test.sh)
set -uo pipefail
SCRIPT_NAME=kernel-aarch64
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"

dir="$REPO_ROOT/build/kernel-aarch64"
build="$REPO_ROOT/build/linux-aarch64-no-emulator"
sysroot=/usr/aarch64-linux-gnu
mkdir -p "$dir"

need_packages qemu-system-arm cpio binutils-aarch64-linux-gnu
# The suite, built as scripts/cross-test.sh builds it (one recipe), for a real machine: its tests
# start their helper programs directly, not through qemu-user.
bash "$REPO_ROOT/scripts/cross-test.sh" linux-aarch64 --no-emulator || die "the linux-aarch64 suite did not build"

# Debian's arm64 kernel, a static busybox and util-linux's setpriv (busybox's cannot change user
# ids; a test starts a process as another user with it), downloaded (not installed) with a private
# apt state.
if [ ! -f "$dir/vmlinuz" ] || [ ! -x "$dir/pkgs/bin/busybox" ] || [ ! -x "$dir/pkgs/usr/bin/setpriv" ]; then
    rm -rf "$dir/pkgs" "$dir/debs"
    foreign_apt arm64 "$dir/apt"
    kernel=$(apt-cache "${FOREIGN_APT[@]}" depends linux-image-arm64 2>/dev/null \
             | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    [ -n "$kernel" ] || die "no arm64 kernel package found behind linux-image-arm64 (apt lists: $dir/apt)"
    download_foreign arm64 "$dir/apt" "$dir/debs" "$kernel" busybox-static util-linux libcap-ng0 \
        || die "could not download $kernel, busybox-static, util-linux and libcap-ng0 (arm64)"
    for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/pkgs" || die "cannot unpack $deb"; done
    cp "$(ls "$dir"/pkgs/boot/vmlinuz-* | head -1)" "$dir/vmlinuz" || die "no vmlinuz in $kernel"
fi

# The initramfs: busybox, the arm64 runtime in /lib, and every program of the build tree at the
# same absolute path (the suite starts its helpers by the paths CMake compiled in), stripped.
root="$dir/initramfs"
rm -rf "$root" && mkdir -p "$root/bin" "$root/lib"
cp "$dir/pkgs/bin/busybox" "$root/bin/busybox" && ln -s busybox "$root/bin/sh"   # /init is a shell script
cp -a "$sysroot"/lib/*.so* "$dir"/pkgs/lib/*/libcap-ng.so* "$root/lib/"
mkdir -p "$root/usr/bin" && cp "$dir/pkgs/usr/bin/setpriv" "$root/usr/bin/setpriv"
install -m 755 "$REPO_ROOT/tests/kernel/init.sh" "$root/init"
while IFS= read -r program; do
    mkdir -p "$root$(dirname "$program")"
    aarch64-linux-gnu-strip -o "$root$program" "$program" 2>/dev/null || cp -a "$program" "$root$program"
done < <(find "$build" -type f \( -perm -u+x -o -name '*.so*' \) -exec sh -c 'head -c4 "$1" | grep -q ELF' _ {} \; -print)
suite="$build/tests/native/buffers_tests"
[ -x "$root$suite" ] || die "no test program at $suite"
echo "$suite" > "$root/suite.path"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$dir/initrd.gz" || die "cannot pack the initramfs"
say "initramfs: $(du -sh "$dir/initrd.gz" | cut -f1), kernel $(basename "$(ls "$dir"/pkgs/boot/vmlinuz-*)")"

# Boot it; the machine powers itself off after the last test. cortex-a72: TCG emulates it faster
# than "max" (no pointer authentication to compute).
log="$dir/console.log"
timed "boot and run the suite" timeout 2700 qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 2048 \
    -nographic -no-reboot -nic none -kernel "$dir/vmlinuz" -initrd "$dir/initrd.gz" \
    -append "console=ttyAMA0 rdinit=/init panic=-1 loglevel=3" >"$log" 2>&1
status=$?
tr -d '\r' <"$log" >"$log.txt"
grep -E '^@@(KERNEL|COUNT|ERROR)' "$log.txt"
grep -E '^@@RESULT (SKIP|FAIL)' "$log.txt"
passed=$(grep -c '^@@RESULT PASS' "$log.txt")
failed=$(grep -c '^@@RESULT FAIL' "$log.txt")
skipped=$(grep -c '^@@RESULT SKIP' "$log.txt")
no_ptrace=$(grep '^@@RESULT SKIP' "$log.txt" | grep -ciE 'ptrace is not available|x86-64 only|without ptrace')
echo "linux-aarch64 (kernel): $passed passed, $failed failed, $skipped skipped"
grep -q '^@@DONE' "$log.txt" || { tail -30 "$log.txt"; die "the machine did not finish the suite (qemu exit $status; console: $log.txt)"; }
[ "$passed" -gt 0 ] || die "no test passed (console: $log.txt)"
[ "$no_ptrace" -eq 0 ] || die "$no_ptrace tests were skipped for want of ptrace on a real kernel"
[ "$failed" -eq 0 ]
