#!/usr/bin/env bash
# Runs the test matrix after installing what it needs (README "Supported versions"):
#   newest: Node.js 24, @pulumi/pulumi 3.276.0, Pulumi CLI v3.276.0: every tier (unit, integration,
#           e2e, interop, fault, adversary), then the benchmarks at small sizes so they cannot rot
#           (BENCHMARKS.md; no timing is asserted);
#   oldest: Node.js 20 to 22, @pulumi/pulumi 3.248.0, Pulumi CLI v3.248.0: the e2e tier, where
#           programs run as users run them.
# Extra arguments go to jest for the newest leg only and skip the oldest leg and the benchmarks,
# e.g. `bash scripts/test.sh --selectProjects unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
machine_path="$PATH"
PATH="$(bash scripts/node.sh newest):$machine_path"

PULUMI_BIN_DIR="$(bash scripts/setup.sh)"
export PULUMI_BIN_DIR
npm run --silent lint

newest="$(mktemp)" oldest="$(mktemp)"
trap 'rm -f "$newest" "$oldest"' EXIT
status=0
echo "test: newest leg: Node.js $(node --version), @pulumi/pulumi $(node -p 'require("@pulumi/pulumi/package.json").version'), every tier"
npx jest --ci --json --outputFile="$newest" "$@" || status=$?
echo "test: newest leg done at ${SECONDS} s since start"
legs=("newest=$newest")
if [ "$#" -eq 0 ]; then
  PATH="$(PATH="$machine_path" bash scripts/node.sh oldest):$machine_path"
  PULUMI_VERSION=3.248.0 bash scripts/pulumi-cli.sh >/dev/null
  echo "test: oldest leg: Node.js $(node --version), @pulumi/pulumi 3.248.0, CLI v3.248.0, e2e tier"
  # PULUMI_VERSION picks the CLI (jest's globalSetup builds it if missing), PZK_PULUMI_SDK the
  # programs' @pulumi/pulumi (test/support/pulumi.ts installExample).
  PULUMI_VERSION=3.248.0 PZK_PULUMI_SDK=3.248.0 npx jest --ci --json --outputFile="$oldest" --selectProjects e2e || status=$?
  legs+=("oldest=$oldest")
  echo "test: oldest leg done at ${SECONDS} s since start"
  PATH="$(PATH="$machine_path" bash scripts/node.sh newest):$machine_path"
  BENCH_SMOKE=1 bash scripts/bench.sh || status=1
fi
# The closing lines, last so that the tail of any CI log says what failed: per leg the count, then
# each failed test with the start of its message, and each suite that failed to run.
node scripts/jest-summary.js "${legs[@]}" || status=1
echo "test: finished in ${SECONDS} s"
exit "$status"
