#!/usr/bin/env bash
# Runs the adversary tier (test/adversary, docs/RELIABILITY.md) with a chosen budget or replays a failure:
#   npm run adversary -- --runs 500                                # more sequences than CI's default
#   npm run adversary -- --seed 1234 --path "3:1:0"                # replay the failure printed with that seed and path
#   npm run adversary -- --runs 200 --max-commands 40 --time-limit 900
# Uses the ensemble in ZK_CONNECT_STRING, or starts one as every server tier does. Other arguments go to jest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH="$(bash scripts/node.sh newest):$PATH" # the newest leg of the matrix (scripts/test.sh)

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }
need() { [ "$#" -ge 2 ] || { echo "adversary: $1 needs a value" >&2; usage; }; }
jest_args=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --runs) need "$@"; export ADVERSARY_RUNS="$2"; shift 2 ;;
    --seed) need "$@"; export ADVERSARY_SEED="$2"; shift 2 ;;
    --path) need "$@"; export ADVERSARY_PATH="$2"; shift 2 ;;
    --max-commands) need "$@"; export ADVERSARY_MAX_COMMANDS="$2"; shift 2 ;;
    --time-limit) need "$@"; export ADVERSARY_TIME_LIMIT_MS="$(( $2 * 1000 ))"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) jest_args+=("$1"); shift ;;
  esac
done
exec npx jest --selectProjects adversary "${jest_args[@]}"
