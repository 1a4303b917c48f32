#!/usr/bin/env bash
# Puts the real Pulumi CLI (pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs) in a
# cached bin directory and prints that directory. Uses binaries from PATH when both are there;
# otherwise builds pulumi from Go modules at PULUMI_VERSION, by default the version of the
# installed @pulumi/pulumi. The Go module proxy refuses the official Node.js language host, so
# when it cannot be built the project's own host (scripts/langhost/pulumi-language-nodejs) is
# linked in its place.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# By default the CLI of the same version as the installed @pulumi/pulumi (the newest tested).
sdk_version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo_root/node_modules/@pulumi/pulumi/package.json" 2>/dev/null || true)"
version="${PULUMI_VERSION:-${sdk_version:-3.276.0}}"
cache="${PULUMI_ZK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-zookeeper}"
bin="$cache/pulumi-v$version/bin"
log() { echo "pulumi-cli: $*" >&2; }

if command -v pulumi >/dev/null && command -v pulumi-language-nodejs >/dev/null; then
  dirname "$(command -v pulumi)"
  exit 0
fi

work="$cache/pulumi-v$version/build"
need_go() { command -v go >/dev/null || { log "Go is required to build the Pulumi CLI but 'go' is not on PATH"; exit 1; }; }

if [[ ! -x "$bin/pulumi" ]]; then
  need_go
  rm -rf "$work" && mkdir -p "$work" "$bin"
  cd "$work"
  log "building Pulumi CLI v$version from Go modules in $work (first run only, takes several minutes)"
  go mod init pulumi-zookeeper.local/pulumi-cli >/dev/null 2>&1
  # go install refuses modules with replace lines; a wrapper module with tool directives builds them.
  go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version"
  go get "github.com/pulumi/pulumi/sdk/v3@v$version"
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  log "built $("$bin/pulumi" version) into $bin"
fi

# The official Node.js language host, built from Go when the module proxy serves it.
build_official_langhost() {
  command -v go >/dev/null || return 1
  [[ -f "$work/go.mod" ]] || { mkdir -p "$work" && (cd "$work" && go mod init pulumi-zookeeper.local/pulumi-cli); } || return 1
  cd "$work" || return 1
  # The language host is untagged: use the commit behind the pkg tag, whose pseudo-version go resolves.
  local commit
  commit="$(go list -m -json "github.com/pulumi/pulumi/pkg/v3@v$version" | sed -n 's/.*"Hash": "\([0-9a-f]*\)".*/\1/p' | head -1)"
  [[ -n "$commit" ]] || return 1
  go get -tool "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$commit" || return 1
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
}

# Our own host is linked into the shared cache; point it at this checkout, which may be a new clone.
if [[ -L "$bin/pulumi-language-nodejs" ]]; then
  ln -sfn "$repo_root/scripts/langhost/pulumi-language-nodejs" "$bin/pulumi-language-nodejs"
fi
if [[ ! -x "$bin/pulumi-language-nodejs" ]]; then
  mkdir -p "$bin"
  langhost_log="$cache/pulumi-v$version/langhost-build.log"
  if (build_official_langhost) >"$langhost_log" 2>&1; then
    log "built the official pulumi-language-nodejs into $bin"
  else
    # The Go module proxy answers 403 for github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3.
    log "could not build the official pulumi-language-nodejs (the Go module proxy refuses its module; details in $langhost_log); using the project's own host scripts/langhost/pulumi-language-nodejs"
    ln -sfn "$repo_root/scripts/langhost/pulumi-language-nodejs" "$bin/pulumi-language-nodejs"
  fi
fi

# The dynamic-provider plugin is a script shipped at the root of the @pulumi/pulumi npm package.
shim="$repo_root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [[ -f "$shim" ]]; then
  cp "$shim" "$bin/pulumi-resource-pulumi-nodejs"
  chmod +x "$bin/pulumi-resource-pulumi-nodejs"
fi
echo "$bin"
