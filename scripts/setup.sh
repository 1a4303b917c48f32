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
npm run --silent build >&2
bash scripts/pulumi-cli.sh | tail -1
