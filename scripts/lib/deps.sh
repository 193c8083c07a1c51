# Shared by the scripts: install Debian packages that are missing (we run as root on CI and fresh
# machines; apt-get update runs once, and only when something is missing).
need_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages ${missing[*]} and not root; install them and re-run" >&2
    return 1
  fi
  if [ -z "${DEPS_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export DEPS_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
