import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiEnv, run, Stack } from "./pulumi";

const ROOT = path.resolve(__dirname, "../..");

/** The provider plugin's tarball, built by globalSetup (scripts/plugin.sh). */
export function pluginTarball(): string {
  const tarball = process.env.PZK_PLUGIN_TARBALL;
  if (!tarball)
    throw new Error("PZK_PLUGIN_TARBALL is not set: the e2e tier runs through jest's globalSetup");
  return tarball;
}

/** The plugin's version: this package's. */
export function pluginVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string })
    .version;
}

/**
 * A stack of a Pulumi YAML program (an example's `Pulumi.yaml`, or the given text) in a fresh
 * directory and file backend, with the provider plugin installed into its PULUMI_HOME from the
 * tarball as a user installs it, and the stack config set.
 */
export async function yamlStack(
  program: { example: string } | { text: string },
  config: Record<string, string>,
): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-yaml-"));
  if ("example" in program) fs.cpSync(path.join(ROOT, "examples", program.example), dir, { recursive: true });
  else fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program.text);
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
  const stack = new Stack(dir, "dev", pulumiEnv(backend));
  const install = [
    "plugin",
    "install",
    "resource",
    "zkdiscovery",
    pluginVersion(),
    "--file",
    pluginTarball(),
  ];
  const installed = await run("pulumi", install, { cwd: dir, env: stack.env });
  if (installed.code !== 0) throw new Error(`pulumi ${install.join(" ")} failed:\n${installed.stderr}`);
  await stack.ok(["stack", "init", "dev"]);
  for (const [k, v] of Object.entries(config)) await stack.ok(["config", "set", k, v]);
  return stack;
}
