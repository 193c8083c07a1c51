#!/usr/bin/env bash
# tests/consumers/publish/check-bundle.sh BUNDLE_ZIP GNUPGHOME: the bundle that
# central-publishing-maven-plugin packed under `mvn -Prelease deploy` has the Central layout: under
# the group path, the jar, -sources.jar, -javadoc.jar, the POM and the SBOM, each with a .asc that
# gpg verifies (keyring GNUPGHOME) and .md5/.sha1 files that match, and nothing else.
set -uo pipefail
SCRIPT_NAME=central-bundle
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
bundle=$1
export GNUPGHOME=$2
[ -f "$bundle" ] || die "no Central bundle at $bundle"
unpacked="$bundle.unpacked"
rm -rf "$unpacked" && mkdir -p "$unpacked" && (cd "$unpacked" && unzip -q "$bundle") || die "could not unpack $bundle"
path=reloaded/memory/reloaded-memory-buffers/1.0.0
base=reloaded-memory-buffers-1.0.0
failures=0
fail() { echo "$*" >&2; failures=$((failures + 1)); }
wanted=()
for file in "$base.jar" "$base-sources.jar" "$base-javadoc.jar" "$base.pom" "$base-cyclonedx.json"; do
    wanted+=("$path/$file" "$path/$file.asc" "$path/$file.md5" "$path/$file.sha1")
    f="$unpacked/$path/$file"
    [ -f "$f" ] || { fail "$file: not in the bundle"; continue; }
    out=$(gpg --batch --verify "$f.asc" "$f" 2>&1) || fail "$file.asc: gpg --verify failed: $out"
    [ "$(cat "$f.md5" 2>/dev/null)" = "$(md5sum <"$f" | cut -d' ' -f1)" ] || fail "$file.md5: missing or wrong"
    [ "$(cat "$f.sha1" 2>/dev/null)" = "$(sha1sum <"$f" | cut -d' ' -f1)" ] || fail "$file.sha1: missing or wrong"
done
listing=$(unzip -Z1 "$bundle" | grep -v '/$' | sort)
expected=$(printf '%s\n' "${wanted[@]}" | sort)
[ "$listing" = "$expected" ] || { fail "the bundle's entries differ from the expected ones (< bundle, > expected):"
    diff <(echo "$listing") <(echo "$expected") >&2; }
[ $failures -eq 0 ] || die "$failures check(s) failed"
say "$(basename "$bundle"): $(wc -l <<<"$listing") entries under $path, 5 signatures verified, checksums match"
