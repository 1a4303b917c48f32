#!/usr/bin/env bash
# Puts Pulumi YAML's language host (pulumi-language-yaml) next to the pulumi binary and prints
# that bin directory. The bin directory is $1, or else the one scripts/pulumi-cli.sh prints (which
# builds the CLI first when needed). The host is built from Go modules at PULUMI_YAML_VERSION
# (github.com/pulumi/pulumi-yaml, served by the Go module proxy); the build is skipped when the
# binary is already there. Logs go to stderr.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${PULUMI_YAML_VERSION:-1.25.0}"
cache="${PULUMI_ZK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-zookeeper}"
log() { echo "pulumi-yaml: $*" >&2; }

if [[ $# -ge 1 && -n "$1" ]]; then
  bin="$1"
else
  bin="$(bash "$repo_root/scripts/pulumi-cli.sh" | tail -1)"
fi
[[ -n "$bin" ]] || { log "no Pulumi bin directory"; exit 1; }

# pulumi looks for language hosts next to itself (and on PATH), so the bin dir is the place.
if [[ ! -x "$bin/pulumi-language-yaml" ]]; then
  command -v go >/dev/null || { log "Go is required to build pulumi-language-yaml but 'go' is not on PATH"; exit 1; }
  work="$cache/pulumi-yaml-v$version/build"
  rm -rf "$work" && mkdir -p "$work" "$bin"
  cd "$work"
  log "building pulumi-language-yaml v$version from Go modules in $work (first run only, takes a few minutes)"
  go mod init pulumi-zookeeper.local/pulumi-yaml >/dev/null 2>&1
  # Same pattern as pulumi-cli.sh: a wrapper module with a tool directive, then go build.
  go get -tool "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$version"
  # Build into a temporary name and rename, so that an interrupted build never leaves a broken binary.
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$version" \
    -o "$bin/.pulumi-language-yaml.tmp" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
  mv -f "$bin/.pulumi-language-yaml.tmp" "$bin/pulumi-language-yaml"
  log "built pulumi-language-yaml v$version into $bin"
fi
echo "$bin"
