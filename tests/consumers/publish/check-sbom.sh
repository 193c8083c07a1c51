#!/usr/bin/env bash
# tests/consumers/publish/check-sbom.sh BOM_JSON POM: the CycloneDX SBOM that cyclonedx-maven-plugin
# made parses as JSON, is a CycloneDX document, and describes the artifact the POM names (group,
# name, version, purl) under the MIT license. Prints one line on success; dies naming the mismatch.
set -uo pipefail
SCRIPT_NAME=sbom
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
bom=$1 pom=$2
[ -f "$bom" ] || die "no SBOM at $bom"
jq -e . "$bom" >/dev/null 2>&1 || die "$bom is not valid JSON"
# The project's own coordinates: the first groupId/artifactId/version of the POM (no parent).
coordinate() { sed -n "s:^  <$1>\(.*\)</$1>:\1:p" "$pom" | head -1; }
group=$(coordinate groupId) artifact=$(coordinate artifactId) version=$(coordinate version)
[ -n "$group" ] && [ -n "$artifact" ] && [ -n "$version" ] || die "no coordinates in $pom"
field() { jq -r "$1 // empty" "$bom"; }
[ "$(field .bomFormat)" = CycloneDX ] || die "bomFormat is '$(field .bomFormat)', not CycloneDX"
[ -n "$(field .specVersion)" ] || die "the SBOM has no specVersion"
c=.metadata.component
[ "$(field $c.group)" = "$group" ] || die "component group '$(field $c.group)' != POM $group"
[ "$(field $c.name)" = "$artifact" ] || die "component name '$(field $c.name)' != POM $artifact"
[ "$(field $c.version)" = "$version" ] || die "component version '$(field $c.version)' != POM $version"
purl="pkg:maven/$group/$artifact@$version"
case "$(field $c.purl)" in "$purl"|"$purl?"*) ;; *) die "component purl '$(field $c.purl)' is not $purl";; esac
licenses=$(jq -r "[$c.licenses[]?.license.id] | join(\",\")" "$bom")
[ "$licenses" = MIT ] || die "component licenses '$licenses', expected MIT"
say "SBOM $(basename "$bom"): CycloneDX $(field .specVersion), $purl, license MIT"
