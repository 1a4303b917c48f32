#!/usr/bin/env bash
# The demo: starts a local ZooKeeper ensemble, runs `pulumi up` of the root Pulumi.yaml program
# against it with a local file backend, prints the stack's outputs, then cleans everything up
# (pulumi destroy, ensemble stopped). Set DEMO_KEEP=1 to leave the ensemble and stack running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH="$(bash scripts/node.sh newest):$PATH" # the newest leg of the matrix (scripts/test.sh)
repo="$(pwd)"

bin="$(bash scripts/setup.sh)"
# The provider process loads this package's runtime by name; in this checkout, that name is the repo.
ln -sfn .. node_modules/pulumi-zookeeper
export PATH="$bin:$PATH"
work="$(mktemp -d -t pzk-demo-XXXXXX)"
export PULUMI_BACKEND_URL="file://$work/backend" PULUMI_HOME="$work/pulumi-home"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-demo}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$work/backend"

connect="$(node scripts/ensemble.js start --size 3 --dir "$work/ensemble" 2>/dev/null | tail -1)"
cleanup() {
  if [[ "${DEMO_KEEP:-}" == "1" ]]; then
    echo "demo: left running: ensemble $connect (stop: node scripts/ensemble.js stop --dir $work/ensemble), backend $PULUMI_BACKEND_URL"
    return
  fi
  (cd "$repo" && pulumi destroy --yes --skip-preview --non-interactive --stack demo >/dev/null 2>&1) || true
  node "$repo/scripts/ensemble.js" stop --dir "$work/ensemble" >/dev/null 2>&1 || node "$repo/scripts/ensemble.js" kill-all --dir "$work/ensemble" || true
  rm -rf "$work" "$repo/Pulumi.demo.yaml"
}
trap cleanup EXIT
echo "demo: ZooKeeper ensemble on $connect"

rm -f Pulumi.demo.yaml # stack config of an earlier run, encrypted for a backend that is gone
pulumi stack init demo --non-interactive >/dev/null
pulumi config set zookeeper:connectString "$connect" --stack demo
pulumi config set demo:seed "${connect%%,*}" --stack demo
pulumi up --yes --skip-preview --non-interactive --stack demo
echo "demo: stack outputs"
pulumi stack output --json --stack demo
