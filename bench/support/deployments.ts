import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installExample, run, Stack } from "../../test/support/pulumi";
import { REPO_ROOT, SOURCE_ROOT } from "./source";

/** Temp dirs made by this run, removed by {@link removeScratch}. */
const scratch: string[] = [];

/** A fresh temp dir, removed at the end of the run. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pzk-bench-${prefix}-`));
  scratch.push(dir);
  return dir;
}

/** Removes every temp dir of this run, unless `BENCH_KEEP=1`. */
export function removeScratch(): void {
  if (process.env.BENCH_KEEP === "1") return;
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

async function ok(cmd: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(cmd, args, { cwd });
  if (result.code !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * The package as users install it: `PZK_TARBALL` when set, else a tarball of the source under test
 * (see {@link SOURCE_ROOT}) built into a private staging dir, so the shared `dist/` that others may
 * be rebuilding is never read.
 */
export async function packageTarball(): Promise<string> {
  if (process.env.PZK_TARBALL) return process.env.PZK_TARBALL;
  const stage = scratchDir("pack");
  for (const file of ["package.json", "README.md"]) {
    fs.copyFileSync(path.join(SOURCE_ROOT, file), path.join(stage, file));
  }
  const tsconfig = {
    extends: path.join(REPO_ROOT, "tsconfig.build.json"),
    compilerOptions: {
      rootDir: path.join(SOURCE_ROOT, "provider"),
      outDir: path.join(stage, "dist"),
      typeRoots: [path.join(REPO_ROOT, "node_modules", "@types")],
    },
    include: [path.join(SOURCE_ROOT, "provider")],
  };
  fs.writeFileSync(path.join(stage, "tsconfig.json"), JSON.stringify(tsconfig));
  await ok("npx", ["tsc", "-p", path.join(stage, "tsconfig.json")], REPO_ROOT);
  const out = await ok("npm", ["pack", "--silent", "--pack-destination", stage, stage], REPO_ROOT);
  const tarball = path.join(stage, out.trim().split("\n").pop() as string);
  process.env.PZK_TARBALL = tarball;
  return tarball;
}

/** The Pulumi CLI's bin dir: `PULUMI_BIN_DIR`, else what scripts/pulumi-cli.sh provides. */
export async function pulumiBinDir(): Promise<string> {
  if (!process.env.PULUMI_BIN_DIR) {
    const out = await ok("bash", [path.join(REPO_ROOT, "scripts", "pulumi-cli.sh")], REPO_ROOT);
    const lines = out.trim().split("\n");
    process.env.PULUMI_BIN_DIR = lines[lines.length - 1];
  }
  return process.env.PULUMI_BIN_DIR;
}

const installed = new Map<string, Promise<string>>();

/**
 * Copies `examples/<name>` to a temp dir and installs it with this package's tarball, as a user
 * would; once per run, shared by the benchmarks that use it.
 */
export function installedExample(name: string): Promise<string> {
  let dir = installed.get(name);
  if (!dir) {
    dir = packageTarball().then(async () => {
      const where = await installExample(name);
      scratch.push(where);
      return where;
    });
    installed.set(name, dir);
  }
  return dir;
}

/** A new stack of an installed example, in a new file backend. */
export async function newStack(dir: string, name: string, config: Record<string, string>): Promise<Stack> {
  await pulumiBinDir();
  return Stack.create(dir, name, scratchDir("backend"), config);
}

/** The `pulumi` commands the deploy benchmark times. */
export type Step = "up" | "up (no change)" | "preview (no change)" | "destroy";

const STEP_ARGS: Record<Step, readonly string[]> = {
  up: ["up", "--yes", "--skip-preview", "--non-interactive"],
  "up (no change)": ["up", "--yes", "--skip-preview", "--non-interactive"],
  "preview (no change)": ["preview", "--non-interactive"],
  destroy: ["destroy", "--yes", "--skip-preview", "--non-interactive"],
};

/** Runs one step and returns its output; the caller times it. */
export function runStep(stack: Stack, step: Step, env: NodeJS.ProcessEnv): Promise<{ stdout: string }> {
  return stack.ok(STEP_ARGS[step], env);
}
