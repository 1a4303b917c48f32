#!/usr/bin/env bash
# Installs what the demo and the tests need, each step skipped when already done:
# npm packages, ZooKeeper (Debian package), and the Pulumi CLI (built from Go modules, cached).
# Prints the Pulumi bin directory as its last line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "setup: $*" >&2; }

stamp=node_modules/.package-lock.stamp
if [[ ! -f "$stamp" ]] || ! cmp -s package-lock.json "$stamp"; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi
node scripts/ensemble.js install >&2
# Real consumers for the interop tier, from Debian: Curator (Java, compiled with javac) and kazoo.
missing=()
[[ -f /usr/share/java/curator-x-discovery.jar ]] || missing+=(libcurator-discovery-java)
[[ -f /usr/share/java/curator-recipes.jar ]] || missing+=(libcurator-recipes-java)
/usr/bin/python3 -c "import kazoo" 2>/dev/null || missing+=(python3-kazoo)
command -v javac >/dev/null || missing+=(default-jdk-headless)
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2
fi
npm run --silent build >&2
bash scripts/pulumi-cli.sh | tail -1
