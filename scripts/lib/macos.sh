# What a macOS binary of ours may import, for scripts/macos-build.sh and check_jni_library. Source
# after common.sh and zig.sh.

# Every symbol the shipped dylibs (libbuffers, the JNI library) import, all of them libSystem's:
# the C library, Mach VM (mach_vm_*), proc_pidinfo (libproc), the JIT switch and cache flush, and
# what Zig's runtime adds (dyld_stub_binder, thread-local bootstrap, the OS version check). The
# $INODE64 variants are x86_64's 64-bit-inode names of the directory and stat calls. A new call
# fails the check by name until it is added here (after checking macOS has it in libSystem).
MACOS_ALLOWED_IMPORTS="
___bzero _bzero ___error __availability_version_check __tlv_bootstrap dyld_stub_binder
_memcpy ___memcpy_chk _memmove _calloc _malloc _realloc _free _getenv _snprintf _vsnprintf _strcmp _strncmp _strlen _strrchr _strtoull _strerror _strerror_r _qsort
_open _openat _close _dup _pread _ftruncate _fchmod _flock _mkdirat _unlinkat
_fstat _fstat\$INODE64 _fdopendir _fdopendir\$INODE64 _readdir _readdir\$INODE64 _closedir
_mmap _munmap _mprotect _minherit _sysconf _getpid _geteuid _kill _nanosleep _sched_yield _pthread_atfork
_mach_task_self_ _mach_vm_region _mach_vm_region_recurse _mach_vm_allocate _mach_vm_protect _mach_vm_remap _proc_pidinfo
_pthread_jit_write_protect_np _sys_icache_invalidate
"

# The oldest libSystem stub Zig carries (macOS 11): each allowed import must be in it.
macos_libsystem_stub() {
    echo "$ZIG_HOME/lib/libc/darwin/libSystem.11.tbd"
}

# check_macos_binary FILE [any]: what a Mac would refuse to load, seen from here: FILE links only
# libSystem, every symbol it imports is in MACOS_ALLOWED_IMPORTS (unless "any": test programs, which
# use much more of the C library and the C++ runtime's needs) and in libSystem's stub, and arm64
# code carries a code signature (Apple Silicon runs no unsigned code; the linkers sign ad hoc).
# Names each offender.
check_macos_binary() {
    local file="$1" any="${2:-}" stub imports dylibs bad="" symbol
    stub=$(macos_libsystem_stub)
    [ -f "$stub" ] || { say "no libSystem stub at $stub"; return 1; }
    dylibs=$(llvm-objdump --macho --private-headers "$file" | awk '/cmd LC_(LOAD_|LOAD_WEAK_|REEXPORT_|LAZY_LOAD_)DYLIB$/ { load = 1 } load && $1 == "name" { print $2; load = 0 }' | sort -u)
    [ "$dylibs" = /usr/lib/libSystem.B.dylib ] \
        || { say "$file links more than libSystem: $(tr '\n' ' ' <<<"$dylibs")"; return 1; }
    if file -b "$file" | grep -q arm64 && ! llvm-objdump --macho --private-headers "$file" | grep -q LC_CODE_SIGNATURE; then
        say "$file is arm64 code without a code signature: Apple Silicon would refuse it"; return 1
    fi
    imports=$(llvm-nm -u "$file" | awk '{ print $NF }' | sort -u)
    [ -n "$imports" ] || { say "$file imports nothing: not a dylib of ours?"; return 1; }
    for symbol in $imports; do
        if [ "$any" != any ] && ! grep -qxF -- "$symbol" <<<"$(tr ' ' '\n' <<<"$MACOS_ALLOWED_IMPORTS")"; then
            bad+=" $symbol (not in the list)"
        elif ! grep -qE -- "[][ ,']$(sed 's/[$]/[$]/g' <<<"$symbol")[],' ]" "$stub"; then
            bad+=" $symbol (not in libSystem)"
        fi
    done
    [ -z "$bad" ] || { say "$file imports what the check does not allow:$bad"; return 1; }
    say "$(basename "$file"): $(wc -w <<<"$imports") imports, all from libSystem${any:+ (any of its symbols)}"
}
