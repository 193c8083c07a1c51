#!/usr/bin/env bash
# tests/consumers/publish/check-bundle.sh STAGING GNUPGHOME: what `mvn -Prelease deploy` wrote into
# the local folder STAGING has the Central layout: under the group path, the jar, -sources.jar,
# -javadoc.jar, the POM and the SBOM, each with a .asc that gpg verifies (keyring GNUPGHOME) and
# .md5/.sha1 files that match. Then packs the Central bundle STAGING/central-bundle.zip (the group
# path without maven-metadata.xml, which the Central Portal does not take) and checks its listing.
set -uo pipefail
SCRIPT_NAME=central-bundle
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
staging=$1
export GNUPGHOME=$2
path=reloaded/memory/reloaded-memory-buffers/1.0.0
base=reloaded-memory-buffers-1.0.0
dir="$staging/$path"
[ -d "$dir" ] || die "no $path in $staging"
failures=0
fail() { echo "$*" >&2; failures=$((failures + 1)); }
wanted=()
for file in "$base.jar" "$base-sources.jar" "$base-javadoc.jar" "$base.pom" "$base-cyclonedx.json"; do
    f="$dir/$file"
    [ -f "$f" ] || { fail "$file: not deployed"; continue; }
    wanted+=("$path/$file" "$path/$file.asc" "$path/$file.md5" "$path/$file.sha1")
    out=$(gpg --batch --verify "$f.asc" "$f" 2>&1) || fail "$file.asc: gpg --verify failed: $out"
    [ "$(cat "$f.md5" 2>/dev/null)" = "$(md5sum <"$f" | cut -d' ' -f1)" ] || fail "$file.md5: missing or wrong"
    [ "$(cat "$f.sha1" 2>/dev/null)" = "$(sha1sum <"$f" | cut -d' ' -f1)" ] || fail "$file.sha1: missing or wrong"
done
signatures=$(find "$dir" -name '*.asc' | wc -l)
[ "$signatures" -eq 5 ] || fail "expected 5 signatures, found $signatures"
bundle="$staging/central-bundle.zip"
rm -f "$bundle"
(cd "$staging" && find reloaded -type f ! -name 'maven-metadata.xml*' | sort | zip -q -X "$bundle" -@) \
    || die "could not pack $bundle"
listing=$(unzip -Z1 "$bundle" | sort)
expected=$(printf '%s\n' "${wanted[@]}" | sort)
[ "$listing" = "$expected" ] || { fail "the bundle's entries differ from the expected ones (< bundle, > expected):"
    diff <(echo "$listing") <(echo "$expected") >&2; }
[ $failures -eq 0 ] || die "$failures check(s) failed"
say "$(basename "$bundle"): $(wc -l <<<"$listing") entries under $path, 5 signatures verified, checksums match"
