#!/usr/bin/env bash
# tests/consumers/publish/run.sh — what Maven Central needs, from a fresh clone of the committed tree:
# `mvn verify` (tests skipped: other stages run them) yields the jar, a -sources.jar holding Java
# sources only, and a -javadoc.jar; the jar is module reloaded.memory.buffers, carries the license,
# and its POM names url, licenses (MIT), scm and developers; the JNI library Maven linked into it
# needs no glibc newer than 2.17. It is built the release's way: `mvn -Prelease deploy` signs with a
# throwaway gpg key (made in a temporary GNUPGHOME) and packs the Central bundle without uploading it
# (-DskipPublishing=true), whose signatures, checksums and entries check-bundle.sh checks;
# check-sbom.sh checks the SBOM.
set -uo pipefail
SCRIPT_NAME=publish
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/scripts/lib/jni.sh"
need_packages binutils git maven openjdk-17-jdk-headless unzip cmake gcc gnupg jq
home=$(jdk17_home) || exit 1
clone="$REPO_ROOT/build/consumers/fresh-clone"
rm -rf "$clone"
git clone -q --no-local "$REPO_ROOT" "$clone" || die "could not clone $REPO_ROOT"
say "cloned $(git -C "$clone" rev-parse --short HEAD) into $clone"
gnupg=$(mktemp -d /tmp/buffers-gpg.XXXXXX) || die "no temporary GNUPGHOME"
trap 'GNUPGHOME=$gnupg gpgconf --kill gpg-agent 2>/dev/null; rm -rf "$gnupg"' EXIT
export GNUPGHOME=$gnupg
gpg --batch --passphrase '' --quick-gen-key 'libbuffers throwaway <throwaway@invalid>' default default never \
    >"$clone.gpg.log" 2>&1 || { cat "$clone.gpg.log"; die "could not make a throwaway gpg key"; }
key=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
[ -n "$key" ] || die "the throwaway key has no fingerprint"
# The Central plugin wants the token of server "central" even when it does not upload: a dummy one,
# in a global settings file of its own (the user's ~/.m2/settings.xml, mirrors included, still applies).
settings="$clone-settings.xml"
echo '<settings><servers><server><id>central</id><username>offline</username><password>offline</password></server></servers></settings>' >"$settings"
(cd "$clone" && JAVA_HOME=$home mvn -B -ntp -q -gs "$settings" -DskipTests -Prelease deploy \
    -DskipPublishing=true -Dgpg.keyname="$key") >"$clone.log" 2>&1 \
    || { tail -40 "$clone.log"; die "mvn -Prelease deploy failed in a fresh clone"; }
bash "$REPO_ROOT/tests/consumers/publish/check-bundle.sh" "$clone/target/central-publishing/central-bundle.zip" "$gnupg" || exit 1
bash "$REPO_ROOT/tests/consumers/publish/check-sbom.sh" "$clone/target/bom.json" "$clone/pom.xml" || exit 1

base="$clone/target/reloaded-memory-buffers-1.0.0"
for jar in "$base.jar" "$base-sources.jar" "$base-javadoc.jar"; do
    [ -f "$jar" ] || die "mvn verify did not make $(basename "$jar")"
done
sources=$(unzip -Z1 "$base-sources.jar")
odd=$(grep -vE '(\.java|/)$|^META-INF/' <<<"$sources")
[ -z "$odd" ] || die "the sources jar holds more than Java sources: $odd"
grep -qx 'reloaded/memory/buffers/Buffers.java' <<<"$sources" || die "the sources jar lacks Buffers.java"
grep -qx 'module-info.java' <<<"$sources" || die "the sources jar lacks module-info.java"
unzip -Z1 "$base-javadoc.jar" | grep 'reloaded/memory/buffers/Buffers.html$' >/dev/null || die "the javadoc jar lacks the Buffers page"
listing=$(unzip -Z1 "$base.jar")
grep -qx 'META-INF/LICENSE' <<<"$listing" || die "the jar does not carry META-INF/LICENSE"
grep -q 'MIT License' <(unzip -p "$base.jar" META-INF/LICENSE) || die "META-INF/LICENSE is not the MIT license"
"$home/bin/jar" --describe-module --file "$base.jar" | grep '^reloaded.memory.buffers@1.0.0' >/dev/null \
    || die "the jar is not module reloaded.memory.buffers"
unzip -p "$base.jar" reloaded/memory/buffers/native/linux-x86_64/libbuffers_jni.so >"$clone/jni.so" \
    || die "the jar lacks the linux-x86_64 JNI library"
check_glibc_floor "$clone/jni.so" || die "the JNI library Maven built breaks the glibc floor"
pom=$(unzip -p "$base.jar" META-INF/maven/reloaded.memory/reloaded-memory-buffers/pom.xml)
for element in '<url>https://github.com/libbuffers/libbuffers</url>' '<name>MIT License</name>' '<scm>' \
               '<developers>' '<description>'; do
    grep -qF "$element" <<<"$pom" || die "the POM lacks $element"
done
say "fresh clone: signed jar + sources + javadoc + SBOM, module reloaded.memory.buffers, MIT license in jar and POM"
