import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEnsemble } from "../../scripts/ensemble";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Starts what the server tiers need, once per jest run: a 3-node ZooKeeper ensemble on loopback
 * (unless ZK_CONNECT_STRING points at one) and, for the e2e tier, the Pulumi CLI and this
 * package's npm tarball. Values reach the test workers through environment variables.
 */
export async function setUpServers(tier: string): Promise<void> {
  if (!process.env.ZK_CONNECT_STRING) {
    if (!fs.existsSync("/usr/share/zookeeper/bin/zkServer.sh")) {
      throw new Error(
        "ZooKeeper is not installed: run 'node scripts/ensemble.js install' (or 'bash scripts/test.sh', which does)",
      );
    }
    const ensemble = await startEnsemble({ size: 3 });
    process.env.ZK_CONNECT_STRING = ensemble.connectString;
    process.env.ZK_ENSEMBLE_DIR = ensemble.dir;
  }
  if (["integration", "interop", "e2e"].includes(tier) && !process.env.PZK_PLUGIN_TARBALL) preparePlugin();
  if ((tier === "e2e" || tier === "fault") && !process.env.PZK_TARBALL) prepareCli();
}

/**
 * Builds the provider plugin (dist/plugin with its schema, which the integration and interop
 * tiers run over gRPC) and its tarball, which the e2e tier installs with `pulumi plugin install`.
 */
function preparePlugin(): void {
  const out = execFileSync("bash", [path.join(ROOT, "scripts/plugin.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.env.PZK_PLUGIN_TARBALL = out.trim().split("\n").pop();
}

function prepareCli(): void {
  const bin = execFileSync("bash", [path.join(ROOT, "scripts/pulumi-cli.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop() as string;
  if (!fs.existsSync(path.join(bin, "pulumi")))
    throw new Error(`the Pulumi CLI is missing from ${bin}; run scripts/pulumi-cli.sh`);
  process.env.PULUMI_BIN_DIR = bin;
  // Pulumi YAML's language host, for the programs that use the provider plugin from YAML.
  execFileSync("bash", [path.join(ROOT, "scripts/pulumi-yaml.sh"), bin], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-pack-"));
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop() as string;
  process.env.PZK_TARBALL = path.join(packDir, out);
}
