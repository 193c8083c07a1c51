#!/usr/bin/env bash
# Tests of scripts/lib/packages.sh against a stub apt-get and dpkg-query (nothing is installed):
# a mirror whose index stays broken must not stop an install that the lists apt has can serve, and a
# package that cannot be installed must fail with its name and apt's reason.
set -uo pipefail
cd "$(dirname "$0")/../.."
stubs=$(mktemp -d)
trap 'rm -rf "$stubs"' EXIT
# apt-get: `update` fails as a mirror in mid-sync does; `install` fails for packages named broken-*.
cat >"$stubs/apt-get" <<'STUB'
#!/bin/sh
for a in "$@"; do
  case "$a" in
    update) echo "update" >>"$STUB_CALLS"
            echo "E: Failed to fetch .../binary-i386/Packages.xz  File has unexpected size (1 != 2). Mirror sync in progress?" >&2
            exit 100 ;;
    install) echo "install $*" >>"$STUB_CALLS" ;;
    broken-*) echo "E: Unable to locate package $a" >&2; exit 100 ;;
  esac
done
exit 0
STUB
printf '#!/bin/sh\nexit 1\n' >"$stubs/dpkg-query"   # nothing is installed
chmod +x "$stubs/apt-get" "$stubs/dpkg-query"

passed=0 failed=0
check() {   # check NAME EXPECTED-EXIT PATTERN COMMAND: runs COMMAND in a subshell with the stubs
  local name=$1 want=$2 pattern=$3 out code; shift 3
  export STUB_CALLS="$stubs/calls.$name"; : >"$STUB_CALLS"
  out=$(PATH="$stubs:$PATH" APT_UPDATE_PAUSE=0 APT_STAMP="$stubs/stamp.$name" bash -c "source scripts/lib/common.sh; source scripts/lib/packages.sh; $*" 2>&1)
  code=$?
  if [ "$code" = "$want" ] && grep -qE "$pattern" <<<"$out"; then
    passed=$((passed + 1)); echo "ok: $name"
  else
    failed=$((failed + 1)); echo "FAILED: $name (exit $code, wanted $want; output must match '$pattern'):"; echo "$out" | sed 's/^/  /'
  fi
}

check broken_index_still_installs 0 'going on with the package lists apt already has' 'need_packages cmake'
check update_is_retried_a_bounded_number_of_times 0 'try 3 of 3' \
  'need_packages cmake && [ "$(grep -c update "$STUB_CALLS")" = 3 ]'
check update_runs_once_per_script 0 'installing b' \
  'need_packages a && need_packages b && [ "$(grep -c update "$STUB_CALLS")" = 3 ]'
check uninstallable_package_names_itself_and_apts_reason 1 'cannot install broken-pkg: E: Unable to locate package broken-pkg' \
  'need_packages broken-pkg'
check i386_package_is_a_reason_not_an_exit 0 'status 1 I386_WHY=apt cannot install broken-x:i386' \
  'dpkg() { [ "$1" = --print-foreign-architectures ] && echo i386; return 0; }; apt-cache() { :; }
   need_i386 broken-x:i386; echo "status $? I386_WHY=$I386_WHY"'
check stamp_spares_the_next_script_the_retries 0 'installing b' \
  'need_packages a && APT_UPDATED="" && need_packages b && [ "$(grep -c update "$STUB_CALLS")" = 3 ]'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
