import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/** What a CLI run printed and how it ended. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command, never throwing on a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The environment every `pulumi` run gets: the real CLI, offline, with a local file backend. */
export function pulumiEnv(backendDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const bin = process.env.PULUMI_BIN_DIR;
  if (!bin) throw new Error("PULUMI_BIN_DIR is not set: the e2e tier runs through jest's globalSetup");
  return {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    PULUMI_HOME: path.join(backendDir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    NO_COLOR: "1",
    ...extra,
  };
}

/**
 * Copies an example from `examples/` into a temp dir and installs it as a user would, with this
 * package from its `npm pack` tarball (or from `tarball`, e.g. a released version's); `edit`
 * changes the example's package.json first (e.g. another `@pulumi/pulumi`). `PZK_PULUMI_SDK` sets
 * the program's `@pulumi/pulumi` for a whole run (the oldest leg of the matrix, scripts/test.sh).
 */
export async function installExample(
  example: string,
  tarball = builtTarball(),
  edit: (pkg: { dependencies: Record<string, string> }) => void = () => undefined,
): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pzk-${example}-`));
  fs.cpSync(path.join(ROOT, "examples", example), dir, {
    recursive: true,
    filter: (src) => !src.includes("node_modules"),
  });
  const pkgFile = path.join(dir, "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { dependencies: Record<string, string> };
  pkg.dependencies["pulumi-zookeeper"] = `file:${tarball}`;
  const sdk = process.env.PZK_PULUMI_SDK;
  if (sdk) pkg.dependencies["@pulumi/pulumi"] = sdk;
  edit(pkg);
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const installed = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
  });
  if (installed.code !== 0) throw new Error(`npm install in ${dir} failed:\n${installed.stderr}`);
  return dir;
}

/** The tarball globalSetup packed from the working tree. */
export function builtTarball(): string {
  const tarball = process.env.PZK_TARBALL;
  if (!tarball) throw new Error("PZK_TARBALL is not set: the e2e tier runs through jest's globalSetup");
  return tarball;
}

/** One stack of one project, driven through the real `pulumi` CLI. */
export class Stack {
  constructor(
    /** The project directory. */
    readonly dir: string,
    /** The stack name. */
    readonly name: string,
    /** Environment of every run. */
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Creates (or selects) a stack in a file backend and sets its config. */
  static async create(
    dir: string,
    name: string,
    backendDir: string,
    config: Record<string, string>,
    secrets: Record<string, string> = {},
  ): Promise<Stack> {
    fs.mkdirSync(backendDir, { recursive: true });
    const stack = new Stack(dir, name, pulumiEnv(backendDir));
    await stack.ok(["stack", "init", name]);
    for (const [k, v] of Object.entries(config)) await stack.ok(["config", "set", k, v]);
    for (const [k, v] of Object.entries(secrets)) await stack.ok(["config", "set", "--secret", k, v]);
    return stack;
  }

  /** Runs `pulumi <args>` for this stack. */
  pulumi(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const withStack = args[0] === "stack" && args[1] === "init" ? args : [...args, "--stack", this.name];
    return run("pulumi", withStack, { cwd: this.dir, env: { ...this.env, ...extraEnv } });
  }

  /** Runs `pulumi <args>` and fails with its output unless it exits 0. */
  async ok(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const r = await this.pulumi(args, extraEnv);
    if (r.code !== 0)
      throw new Error(
        `pulumi ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
      );
    return r;
  }

  /** `pulumi up --yes`. */
  up(extra: readonly string[] = []): Promise<RunResult> {
    return this.ok(["up", "--yes", "--skip-preview", "--non-interactive", ...extra]);
  }

  /** `pulumi preview`. */
  preview(extra: readonly string[] = []): Promise<RunResult> {
    return this.ok(["preview", "--non-interactive", ...extra]);
  }

  /** `pulumi destroy --yes`. */
  destroy(): Promise<RunResult> {
    return this.ok(["destroy", "--yes", "--skip-preview", "--non-interactive"]);
  }

  /** `pulumi refresh --yes`. */
  refresh(): Promise<RunResult> {
    return this.ok(["refresh", "--yes", "--skip-preview", "--non-interactive"]);
  }

  /** The stack's outputs, secrets shown. */
  async outputs(): Promise<Record<string, unknown>> {
    const r = await this.ok(["stack", "output", "--json", "--show-secrets"]);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** `pulumi stack export` as text. */
  async exportState(): Promise<string> {
    return (await this.ok(["stack", "export"])).stdout;
  }

  /** Removes the stack and its state. */
  async remove(): Promise<void> {
    await this.pulumi(["stack", "rm", "--yes", "--force"]);
  }
}

const SUMMARY_WORDS: Record<string, string> = {
  "to create": "create",
  created: "create",
  "to update": "update",
  updated: "update",
  "to delete": "delete",
  deleted: "delete",
  "to replace": "replace",
  replaced: "replace",
  unchanged: "same",
};

/** The change summary of a `pulumi up/preview` output, e.g. `{ create: 2, same: 1 }`. */
export function changeSummary(output: string): Record<string, number> {
  const out: Record<string, number> = {};
  const summary = output.slice(output.lastIndexOf("Resources:"));
  for (const m of summary.matchAll(
    /(\d+) (to create|created|to update|updated|to delete|deleted|to replace|replaced|unchanged)/g,
  )) {
    out[SUMMARY_WORDS[m[2]]] = Number(m[1]);
  }
  return out;
}
