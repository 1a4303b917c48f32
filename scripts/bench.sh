#!/usr/bin/env bash
# Runs the benchmarks in bench/ on a 3-member ZooKeeper ensemble they start on loopback, prints
# their tables and writes bench/results/*.json and bench/results/latest.md (see BENCHMARKS.md).
#   bash scripts/bench.sh                       all eight measurements (about 8–12 minutes)
#   bash scripts/bench.sh lookup throughput     some of them: serialization, throughput, lookup, deploy, tls, wait, plugin
#   BENCH_SMOKE=1 bash scripts/bench.sh         small sizes, run by scripts/test.sh: the scripts run, no timing asserted
# The TypeScript runs in place through bench/register.js after a type check of bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH="$(bash scripts/node.sh newest):$PATH" # the newest leg of the matrix (scripts/test.sh)

PULUMI_BIN_DIR="$(bash scripts/setup.sh)"
export PULUMI_BIN_DIR
npx tsc -p bench/tsconfig.json
exec node -r ./bench/register.js bench/run.ts "$@"
