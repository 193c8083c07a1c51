# Installing what a platform needs with apt, on a fresh Debian machine or this one. Source it after
# common.sh. Every function fails loudly (non-zero, with the reason printed) rather than half-work.

APT_UPDATED=""
APT_UPDATE_TRIES=${APT_UPDATE_TRIES:-3}
APT_UPDATE_PAUSE=${APT_UPDATE_PAUSE:-15}

# apt_update_retrying [APT OPTION...]: apt-get update, tried APT_UPDATE_TRIES times with a pause
# that grows. A mirror can serve a broken index for hours ("File has unexpected size ... Mirror sync
# in progress?"); apt then keeps the lists it had and updates the rest, so when every try fails we
# say so and go on with what apt has: only a package that then cannot be installed fails a stage.
# Returns non-zero when every try failed (callers may go on).
apt_update_retrying() {
    local try log=/tmp/buffers-apt-update.log
    for ((try = 1; try <= APT_UPDATE_TRIES; try++)); do
        timed "apt-get update (try $try of $APT_UPDATE_TRIES)" \
            apt-get "$@" -o Acquire::Retries=2 update -qq >"$log" 2>&1 && return 0
        say "apt-get update failed: $(grep -m2 -E '^(E|W|Err):' "$log" | tr '\n' ' ')"
        [ "$try" -lt "$APT_UPDATE_TRIES" ] && sleep $((APT_UPDATE_PAUSE * try))
    done
    say "apt-get update failed $APT_UPDATE_TRIES times; going on with the package lists apt already has"
    return 1
}

# Once per script, and once an hour across the scripts one test run starts (a stamp file), so a
# broken mirror costs its retries once, not once per stage.
APT_STAMP=${APT_STAMP:-/tmp/buffers-apt-update.stamp}
apt_update_once() {
    [ -n "$APT_UPDATED" ] && return 0
    if [ -z "$(find "$APT_STAMP" -mmin -60 2>/dev/null)" ]; then
        apt_update_retrying || true
        touch "$APT_STAMP"
    fi
    APT_UPDATED=1
}

package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep 'install ok installed' >/dev/null
}

# apt_install LABEL APT-GET-INSTALL-ARGS...: one apt-get install, its output in a log; on failure
# prints apt's own reason (its E: lines).
apt_install() {
    local label=$1; shift
    local log=/tmp/buffers-apt-install.log
    DEBIAN_FRONTEND=noninteractive timed "install $label" apt-get install -y -qq --no-install-recommends "$@" \
        >"$log" 2>&1 && return 0
    say "apt-get install $label failed: $(grep -E '^E:' "$log" | head -3 | tr '\n' ' ')"
    return 1
}

# need_packages PKG...: installs whichever of PKG are missing. When the install fails (lists that
# name versions the mirror no longer has, say), the lists are fetched again and the install tried
# once more; then the stage fails, naming the packages and apt's reason.
need_packages() {
    local missing=() p
    for p in "$@"; do package_installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root to install them"
    apt_update_once
    say "installing ${missing[*]}"
    apt_install "${missing[*]}" "${missing[@]}" && return 0
    apt_update_retrying || true
    apt_install "${missing[*]} (second try)" "${missing[@]}" && return 0
    die "cannot install ${missing[*]}: $(grep -E '^E:' /tmp/buffers-apt-install.log | head -3 | tr '\n' ' ')"
}

# wine for 64-bit Windows programs.
need_wine64() {
    need_packages wine wine64
}

# wine32:i386 for 32-bit Windows programs. Returns non-zero (with WINE32_WHY set) when it cannot be
# installed, which happens when Debian's i386 index is out of step with the amd64 one: multi-arch
# libraries must have the same version on both architectures, and the i386 side may lack the newest
# amd64 security update. The second try prefers the release suite's versions, which both
# architectures have, and moves the amd64 twin of any library the i386 side cannot match to that
# version (an upgrade to the point release, or, for a library pulled from the security suite, a
# step back to the release version).
# pin_to_i386_version NAME...: adds NAME:amd64=<i386 candidate> to the caller's pins for every NAME
# whose installed amd64 version differs from the only version the i386 index has; fails if none.
pin_to_i386_version() {
    local name version added=1
    for name in "$@"; do
        version=$(apt-cache policy "$name:i386" | awk '/Candidate:/ { print $2 }')
        [ -n "$version" ] && [ "$version" != "(none)" ] || continue
        package_installed "$name:amd64" || continue
        [ "$(dpkg-query -W -f='${Version}' "$name:amd64")" = "$version" ] && continue
        apt-cache madison "$name" | grep "| $version | .* amd64 Packages" >/dev/null || continue
        case " ${pins[*]} " in *" $name:amd64=$version "*) continue ;; esac
        pins+=("$name:amd64=$version"); added=0
    done
    return $added
}

# apt_install_i386 PACKAGE:i386: installs it, working around an i386 index that is out of step with
# amd64 (see need_wine32). BUFFERS_APT_DRY_RUN=1 only simulates (to test this function).
apt_install_i386() {
    local package="$1" apply=-y
    [ "${BUFFERS_APT_DRY_RUN:-}" = 1 ] && apply=-s
    if DEBIAN_FRONTEND=noninteractive timed "install $package" \
        apt-get install $apply -qq --no-install-recommends --no-remove "$package" >/tmp/buffers-wine32.log 2>&1; then
        return 0
    fi
    local suite pins=() round
    suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
    for round in 1 2 3 4 5 6; do
        local plan=/tmp/buffers-wine32.plan names
        if apt-get install -s -qq --no-install-recommends --allow-downgrades -t "$suite" "$package" "${pins[@]}" \
            >"$plan" 2>&1; then
            # A plan may solve the version skew by removing amd64 packages (cmake, say): never take it;
            # match the removed library's amd64 version to the i386 one instead.
            names=$(awk '/^Remv / { print $2 }' "$plan" | sed 's/:amd64$//')
            if [ -z "$names" ]; then
                DEBIAN_FRONTEND=noninteractive timed "install $package (release suite)" \
                    apt-get install $apply -qq --no-install-recommends --no-remove --allow-downgrades -t "$suite" \
                    "$package" "${pins[@]}" >>/tmp/buffers-wine32.log 2>&1 && return 0
                break
            fi
        else
            names=$(grep -oE '^ [a-z0-9][a-z0-9.+-]*:i386|Depends: [a-z0-9][a-z0-9.+-]*:i386' "$plan" \
                    | sed -E 's/.* //; s/^ //; s/:i386$//' | sort -u)
        fi
        cat "$plan" >>/tmp/buffers-wine32.log
        pin_to_i386_version $names || break
    done
    return 1
}

WINE32_WHY=""
# need_i386 PACKAGE:i386...: adds the i386 architecture if needed and installs the packages that
# are missing (through apt_install_i386). Returns non-zero with I386_WHY set when it cannot.
need_i386() {
    local p missing=()
    for p in "$@"; do package_installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || { I386_WHY="${missing[*]} missing and we are not root"; return 1; }
    if ! dpkg --print-foreign-architectures | grep -x i386 >/dev/null; then
        dpkg --add-architecture i386 || { I386_WHY="dpkg --add-architecture i386 failed"; return 1; }
        APT_UPDATED=""; rm -f "$APT_STAMP"   # the new architecture needs its lists
    fi
    apt_update_once
    for p in "${missing[@]}"; do
        apt_install_i386 "$p" && continue
        I386_WHY="apt cannot install $p (the i386 package index is out of step with amd64; see /tmp/buffers-wine32.log: $(grep -m1 -E 'Depends|E:' /tmp/buffers-wine32.log | sed 's/^ *//'))"
        return 1
    done
}

need_wine32() {
    need_wine64
    need_i386 wine32:i386 && return 0
    WINE32_WHY=$I386_WHY
    return 1
}

# A private apt state that knows only one foreign architecture, in a folder of its own: packages of
# that architecture are downloaded (never installed) and nothing of the machine's apt setup changes.
# foreign_apt ARCH STATE_DIR: sets FOREIGN_APT (apt options) and fetches the lists once per state.
foreign_apt() {
    local arch="$1" state="$2"
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
    FOREIGN_APT=(-o APT::Architecture="$arch" -o APT::Architectures::="$arch" -o Dir::State::Lists="$state/lists"
                 -o Dir::Cache="$state/cache" -o Dir::State::status=/dev/null -o Debug::NoLocking=1)
    if [ -z "$(find "$state/lists" -name '*Packages*' -mmin -600 2>/dev/null | head -1)" ]; then
        apt_update_retrying "${FOREIGN_APT[@]}" || say "going on with the $arch package lists that did arrive"
    fi
}

# download_foreign ARCH STATE_DIR DEB_DIR PACKAGE...: downloads the packages of ARCH (not their
# dependencies) into DEB_DIR.
download_foreign() {
    local arch="$1" state="$2" debs="$3"; shift 3
    foreign_apt "$arch" "$state"
    mkdir -p "$debs" && chmod -R a+rwX "$state" "$debs"   # apt-get download runs as _apt where it can
    (cd "$debs" && timed "download $* ($arch)" apt-get "${FOREIGN_APT[@]}" download -q "$@")
}
