#!/usr/bin/env bash
# Runs every test tier (unit, integration, e2e, interop, fault, adversary) after installing what
# they need, then the benchmarks at small sizes so they cannot rot (BENCHMARKS.md; no timing is asserted).
# Extra arguments go to jest and skip the benchmarks, e.g. `bash scripts/test.sh --selectProjects unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PULUMI_BIN_DIR="$(bash scripts/setup.sh)"
export PULUMI_BIN_DIR
npm run --silent lint

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
status=0
npx jest --ci --json --outputFile="$results" "$@" || status=$?
if [ "$#" -eq 0 ]; then
  BENCH_SMOKE=1 bash scripts/bench.sh || status=1
fi
# The closing lines, last so that the tail of any CI log says what failed: the count, then each
# failed test with the start of its message, and each suite that failed to run.
node scripts/jest-summary.js "$results" || status=1
exit "$status"
