#!/usr/bin/env bash
# Builds the provider plugin (pulumi-resource-zkdiscovery) as the tarball the Pulumi CLI installs:
#   pulumi plugin install resource zkdiscovery <version> --file <tarball>
# It holds a launcher (a shell script that runs the compiled JavaScript with Node.js >= 20, from
# $PULUMI_ZKDISCOVERY_NODE or else `node` on PATH), this package's dist/ with the generated
# schema.json, and the production npm dependencies. Prints the tarball's path as its last line.
# With --install it also installs the plugin into the CLI's plugin cache ($PULUMI_HOME/plugins).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "plugin: $*" >&2; }
install=false
[[ "${1:-}" == "--install" ]] && install=true

version="$(node -p 'require("./package.json").version')"
out="build/plugin"
stage="$out/stage"
tarball="$out/pulumi-resource-zkdiscovery-v$version-linux-amd64.tar.gz"

# The build writes dist/plugin/schema.json too (package.json "build").
npm run --silent build >&2

# Production dependencies, reinstalled only when the lockfile changed, at the lockfile's versions.
# The plugin needs @pulumi/pulumi (the package's peer, a dev dependency here) for the gRPC library
# and Pulumi's protocol definitions, so the staged package.json lists it as a dependency.
mkdir -p "$stage"
if ! cmp -s package-lock.json "$stage/package-lock.json.orig" || [[ ! -d "$stage/node_modules/@pulumi/pulumi" ]]; then
  log "installing production dependencies into $stage"
  rm -rf "$stage/node_modules"
  cp package-lock.json "$stage/package-lock.json"
  node -e '
    const pkg = require("./package.json");
    pkg.dependencies["@pulumi/pulumi"] = pkg.devDependencies["@pulumi/pulumi"];
    delete pkg.devDependencies; delete pkg.peerDependencies; delete pkg.scripts;
    require("fs").writeFileSync(process.argv[1], JSON.stringify(pkg, null, 2));
  ' "$stage/package.json"
  (cd "$stage" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  cp package-lock.json "$stage/package-lock.json.orig"
fi
rm -rf "$stage/dist" && cp -R dist "$stage/dist"
cat >"$stage/pulumi-resource-zkdiscovery" <<'LAUNCHER'
#!/bin/sh
# The zkdiscovery resource provider: runs on Node.js 20 or later ($PULUMI_ZKDISCOVERY_NODE, else node on PATH).
here="$(cd "$(dirname "$0")" && pwd)"
exec "${PULUMI_ZKDISCOVERY_NODE:-node}" "$here/dist/plugin/main.js" "$@"
LAUNCHER
chmod +x "$stage/pulumi-resource-zkdiscovery"
tar -czf "$tarball" -C "$stage" pulumi-resource-zkdiscovery package.json dist node_modules
log "built $tarball ($(du -h "$tarball" | cut -f1))"
if $install; then
  pulumi plugin install resource zkdiscovery "$version" --file "$tarball" --reinstall >&2
fi
echo "$PWD/$tarball"
