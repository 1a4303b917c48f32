import { type ChildProcess, execFile, spawn, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pool } from "../../provider/runtime/settings";
import { type ZkClient } from "../../provider/zk/client";
import { randomRoot, rawClient, removeTree, useTestEnsemble } from "./zk";

/**
 * Harness of the interop tier (docs/DESIGN.md §5): real consumers run as child processes that print
 * JSON on stdout. Curator comes from Debian's `libcurator-discovery-java`, kazoo from
 * `python3-kazoo`; a missing one fails the tier with a clear error, it never skips.
 */

const CONSUMERS = path.resolve(__dirname, "../interop/consumers");
const JAVA_DIR = "/usr/share/java";

/** Debian's Python, the one `python3-kazoo` installs into (the `python3` on PATH may be another). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * The jars `CuratorDiscovery.java` compiles and runs against, all from Debian packages
 * (Debian's guava bundles failureaccess; the ZooKeeper client needs no netty by default).
 */
export const CURATOR_JARS: readonly string[] = [
  "curator-x-discovery.jar",
  // ServiceProvider's cache; Debian's discovery package does not depend on it.
  "curator-recipes.jar",
  "curator-framework.jar",
  "curator-client.jar",
  "zookeeper.jar",
  "zookeeper-jute.jar",
  "jackson-databind.jar",
  "jackson-core.jar",
  "jackson-annotations.jar",
  "guava.jar",
  "slf4j-api.jar",
  "slf4j-simple.jar",
].map((jar) => path.join(JAVA_DIR, jar));

/** The session timeout the consumers ask for: short, so a killed consumer's ephemerals go fast. */
export const CONSUMER_SESSION_TIMEOUT_MS = 3000;

const RUN_TIMEOUT_MS = 90_000;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** One thing the interop tier needs, and the Debian package that provides it. */
interface Requirement {
  readonly what: () => string;
  readonly debianPackage: string;
  readonly present: () => boolean;
}

const RECIPES_JAR = path.join(JAVA_DIR, "curator-recipes.jar");
const missingJars = () => CURATOR_JARS.filter((jar) => jar !== RECIPES_JAR && !fs.existsSync(jar));

const REQUIREMENTS: readonly Requirement[] = [
  {
    // The package depends on the ZooKeeper, Jackson, Guava and SLF4J packages that hold the others.
    what: () => `Curator service discovery and its jars (${missingJars().join(", ")})`,
    debianPackage: "libcurator-discovery-java",
    present: () => missingJars().length === 0,
  },
  {
    what: () => `Curator's recipes (${RECIPES_JAR}), which a ServiceProvider needs`,
    debianPackage: "libcurator-recipes-java",
    present: () => fs.existsSync(RECIPES_JAR),
  },
  {
    what: () => `kazoo for ${SYSTEM_PYTHON} (import kazoo)`,
    debianPackage: "python3-kazoo",
    present: () => spawnSync(SYSTEM_PYTHON, ["-c", "import kazoo"], { stdio: "ignore" }).status === 0,
  },
  {
    what: () => "a Java compiler (javac on PATH)",
    debianPackage: "default-jdk-headless",
    present: () => spawnSync("javac", ["-version"], { stdio: "ignore" }).status === 0,
  },
];

function missingRequirements(): Requirement[] {
  return REQUIREMENTS.filter((r) => !r.present());
}

function aptGet(args: readonly string[]): void {
  const result = spawnSync("apt-get", args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.status !== 0)
    throw new Error(
      `'apt-get ${args.join(" ")}' failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
}

let ensured: Promise<void> | undefined;

/**
 * Makes sure Curator's jars, kazoo and javac are installed. When something is missing and this
 * process runs as root, runs `apt-get update` and `apt-get install -y` of the missing Debian
 * packages (`libcurator-discovery-java`, `libcurator-recipes-java`, `python3-kazoo`,
 * `default-jdk-headless`); otherwise, or
 * when that does not help, throws an error naming what is missing and the command to install it.
 * The result is cached per process.
 */
export function ensureInteropPackages(): Promise<void> {
  ensured ??= Promise.resolve().then(() => {
    let missing = missingRequirements();
    if (missing.length === 0) return;
    const packages = missing.map((r) => r.debianPackage);
    if (process.getuid?.() === 0) {
      aptGet(["update"]);
      aptGet(["install", "-y", "--no-install-recommends", ...packages]);
      missing = missingRequirements();
      if (missing.length === 0) return;
    }
    throw new Error(
      `the interop tier needs ${missing.map((r) => r.what()).join("; ")}, which ${missing.length > 1 ? "are" : "is"} missing. ` +
        `Install with: sudo apt-get install -y ${packages.join(" ")}. The tier never skips (CI=${process.env.CI ?? "unset"}).`,
    );
  });
  return ensured;
}

let compiled: Promise<string> | undefined;

/**
 * Compiles the Java consumers in `test/interop/consumers/` (`CuratorDiscovery.java` and the typed
 * payload class `Details.java`) against {@link CURATOR_JARS}, once per process, and returns the
 * classes dir: `pzk-curator-<hash of sources and classpath>` in the OS temp dir, reused by later
 * runs while the sources are unchanged, so runs leave no new dirs behind.
 * Installs what is missing first (see {@link ensureInteropPackages}).
 *
 * @throws when a requirement is missing or javac fails; the message holds javac's output.
 */
export function compileCurator(): Promise<string> {
  compiled ??= ensureInteropPackages().then(async () => {
    const sources = fs
      .readdirSync(CONSUMERS)
      .filter((f) => f.endsWith(".java"))
      .sort()
      .map((f) => path.join(CONSUMERS, f));
    const classpath = CURATOR_JARS.join(":");
    const digest = createHash("sha256");
    for (const source of sources) digest.update(path.basename(source)).update(fs.readFileSync(source));
    const hash = digest.update(classpath).digest("hex");
    const dir = path.join(os.tmpdir(), `pzk-curator-${hash.slice(0, 16)}`);
    if (fs.existsSync(path.join(dir, "CuratorDiscovery.class"))) return dir;
    // Compile aside and rename, so parallel workers never see a half-written dir.
    const scratch = fs.mkdtempSync(`${dir}.tmp-`);
    const result = await runProcess("javac", ["-d", scratch, "-cp", classpath, ...sources]);
    if (result.code !== 0) {
      fs.rmSync(scratch, { recursive: true, force: true });
      throw new Error(`javac ${sources.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
    }
    try {
      fs.renameSync(scratch, dir);
    } catch {
      fs.rmSync(scratch, { recursive: true, force: true }); // another worker got there first
    }
    return dir;
  });
  return compiled;
}

async function curatorCommand(args: readonly string[]): Promise<[string, string[]]> {
  const classes = await compileCurator();
  return [
    "java",
    [
      `-Dcurator.sessionTimeoutMs=${CONSUMER_SESSION_TIMEOUT_MS}`,
      // Curator and ZooKeeper log at INFO by default; only errors reach stderr (and our error messages).
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
      "-cp",
      [classes, ...CURATOR_JARS].join(":"),
      "CuratorDiscovery",
      ...args,
    ],
  ];
}

/**
 * Runs the Curator consumer once: `query <connect> <basePath> <service> [--payload-class=CLASS]`
 * or `names <connect> <basePath>`, and returns the JSON it printed.
 *
 * @throws when it exits non-zero (Curator's exception is in the message) or prints no JSON.
 */
export async function curator(args: readonly string[]): Promise<unknown> {
  const [cmd, argv] = await curatorCommand(args);
  return runJson(`CuratorDiscovery ${args.join(" ")}`, cmd, argv);
}

/** What {@link startCuratorRegistration} registers. */
export interface CuratorRegistration {
  /** The ensemble. */
  readonly connectString: string;
  /** Curator's base path, e.g. `/services`. */
  readonly basePath: string;
  /** The service name (one path component). */
  readonly service: string;
  /** The instance id (the znode name). */
  readonly id: string;
  /** The instance address. */
  readonly address: string;
  /** The instance port. */
  readonly port: number;
  /** `DYNAMIC` is an ephemeral znode, `PERMANENT` a persistent one. */
  readonly serviceType: "DYNAMIC" | "PERMANENT";
  /** Any JSON value; strings become `String` payloads, objects `LinkedHashMap`s. Default: none (null). */
  readonly payload?: unknown;
  /** The SSL port. Default: none (null). */
  readonly sslPort?: number;
  /** A UriSpec template such as `{scheme}://{address}:{port}`. Default: none (null). */
  readonly uriSpec?: string;
  /**
   * On stop, only close the session instead of closing the ServiceDiscovery, which unregisters
   * every instance (PERMANENT ones too). Default `false`.
   */
  readonly keep?: boolean;
  /** Register the instance drained: Curator's `enabled(false)`. Default `false`. */
  readonly disabled?: boolean;
}

/** A consumer process that holds a ZooKeeper session until it is stopped. */
export interface RunningConsumer {
  /** The JSON object the consumer printed once ready. */
  readonly ready: Readonly<Record<string, unknown>>;
  /** The consumer's pid. */
  readonly pid: number;
  /**
   * Closes the consumer's stdin so it shuts down cleanly (unregisters, closes its session);
   * SIGTERM, then SIGKILL, when it does not exit in time. Resolves once it has exited.
   */
  stop(): Promise<void>;
  /** SIGKILLs the consumer, as a crashed host: its session is left to expire on the server. */
  kill(): Promise<void>;
}

/**
 * Starts a Java process that registers one instance with Curator's `registerService` and holds
 * its session; resolves once Curator reports the registration.
 *
 * @throws when the process exits or stays silent before registering; the message holds its stderr.
 */
export async function startCuratorRegistration(registration: CuratorRegistration): Promise<RunningConsumer> {
  const r = registration;
  const args = [
    "register",
    r.connectString,
    r.basePath,
    r.service,
    r.id,
    r.address,
    String(r.port),
    r.serviceType,
    ...(r.payload !== undefined ? [JSON.stringify(r.payload)] : []),
    ...(r.sslPort !== undefined ? [`--ssl-port=${r.sslPort}`] : []),
    ...(r.uriSpec !== undefined ? [`--uri-spec=${r.uriSpec}`] : []),
    ...(r.keep ? ["--keep"] : []),
    ...(r.disabled ? ["--disabled"] : []),
  ];
  const [cmd, argv] = await curatorCommand(args);
  return startLongLived(`CuratorDiscovery ${args.join(" ")}`, cmd, argv, "registered");
}

/** The kazoo consumers under `test/interop/consumers/`. */
export type KazooScript = "serverset" | "jsonfmt";

/**
 * Runs a kazoo consumer once with Debian's Python (e.g. `kazoo("serverset", ["read", cs, path])`)
 * and returns the JSON it printed.
 *
 * @throws when kazoo is missing, or the script exits non-zero or prints no JSON.
 */
export async function kazoo(script: KazooScript, args: readonly string[]): Promise<unknown> {
  await ensureInteropPackages();
  return runJson(`${script}.py ${args.join(" ")}`, SYSTEM_PYTHON, pythonArgs(script, args));
}

/** `-B`: importing the shared module must not leave `__pycache__` in the source tree. */
function pythonArgs(script: KazooScript, args: readonly string[]): string[] {
  return ["-B", path.join(CONSUMERS, `${script}.py`), ...args];
}

/** What {@link startKazooAnnounce} announces. */
export interface ServerSetAnnouncement {
  /** The ensemble. */
  readonly connectString: string;
  /** The ServerSet path; members are created as `{path}/member_NNNNNNNNNN`. */
  readonly path: string;
  /** The service endpoint host. */
  readonly host: string;
  /** The service endpoint port. */
  readonly port: number;
  /** The member status. Default `"ALIVE"`. */
  readonly status?: string;
  /** The shard id. Default: none. */
  readonly shard?: number;
  /** Named additional endpoints. Default: none (an empty object is still written). */
  readonly additionalEndpoints?: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
}

/** A running ServerSet announcer, with the path of the member znode it created. */
export interface RunningAnnouncer extends RunningConsumer {
  /** The created `member_` znode. */
  readonly path: string;
}

/**
 * Starts a kazoo process that announces one ServerSet member (an ephemeral sequential znode) and
 * holds its session; resolves once the member exists.
 *
 * @throws when the process exits or stays silent before announcing; the message holds its stderr.
 */
export async function startKazooAnnounce(announcement: ServerSetAnnouncement): Promise<RunningAnnouncer> {
  await ensureInteropPackages();
  const a = announcement;
  const args = [
    "announce",
    a.connectString,
    a.path,
    a.host,
    String(a.port),
    a.status ?? "ALIVE",
    a.shard !== undefined ? String(a.shard) : "",
    ...Object.entries(a.additionalEndpoints ?? {}).map(([name, ep]) => `${name}=${ep.host}:${ep.port}`),
  ];
  const consumer = await startLongLived(
    `serverset.py ${args.join(" ")}`,
    SYSTEM_PYTHON,
    pythonArgs("serverset", args),
    "path",
  );
  return { ...consumer, path: String(consumer.ready.path) };
}

interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runProcess(cmd: string, args: readonly string[]): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: RUN_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        const why = err && typeof err.code !== "number" ? `${err.message}\n` : "";
        resolve({ code, stdout, stderr: why + stderr });
      },
    );
  });
}

/**
 * Where the consumers' own output goes when `PZK_INTEROP_LOG` names a file: each run appends its
 * command line (the connect string shown as `$ZK`), what it printed and its stderr, so one run's
 * output can be pasted into docs/INTEROP.md.
 */
function logOutput(label: string, stdout: string, stderr: string): void {
  const file = process.env.PZK_INTEROP_LOG;
  if (!file) return;
  const zk = process.env.ZK_CONNECT_STRING;
  const text = (t: string) => (zk ? t.split(zk).join("$ZK") : t);
  const err = stderr.trim() ? stderr.trim().replace(/^/gm, "stderr| ") : "";
  const entry = [`$ ${label}`, stdout.trim(), err].filter((part) => part !== "").join("\n");
  fs.appendFileSync(file, `${text(entry)}\n\n`);
}

async function runJson(label: string, cmd: string, args: readonly string[]): Promise<unknown> {
  const result = await runProcess(cmd, args);
  logOutput(label, result.stdout, result.stderr);
  if (result.code !== 0) throw new Error(`${label} exited ${result.code}:\n${result.stderr}`);
  const last = result.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`${label} printed no JSON:\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function startLongLived(
  name: string,
  cmd: string,
  args: readonly string[],
  readyKey: string,
): Promise<RunningConsumer> {
  // The consumer exits when its stdin closes, so it also ends when this process dies, however it dies.
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.on("error", () => undefined); // EPIPE when the process is already gone

  const stop = async (): Promise<void> => {
    child.stdin.end();
    if (await exited(child, STOP_TIMEOUT_MS)) return;
    child.kill("SIGTERM");
    if (await exited(child, 5000)) return;
    child.kill("SIGKILL");
    await exited(child, 5000);
  };
  const kill = async (): Promise<void> => {
    child.kill("SIGKILL");
    await exited(child, 5000);
  };

  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited (${signal ?? code}) before it was ready`);
    const onError = (err: Error) => fail(`could not start: ${err.message}`);
    const onData = (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      let ready: Record<string, unknown>;
      try {
        ready = JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>;
      } catch {
        return fail("printed something other than its JSON ready line");
      }
      if (!(readyKey in ready)) return fail(`printed no "${readyKey}"`);
      logOutput(name, stdout.slice(0, newline), "");
      settle();
      child.stdout.resume();
      resolve({ ready, pid: child.pid as number, stop, kill });
    };
    const settle = () => {
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      child.stdout.off("data", onData);
    };
    const fail = (why: string) => {
      settle();
      child.kill("SIGKILL");
      reject(new Error(`${name} ${why}:\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`was not ready after ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    child.on("exit", onExit);
    child.on("error", onError);
    child.stdout.setEncoding("utf8").on("data", onData);
  });
}

/**
 * One service instance as the Curator consumer prints it (`query` and `provider`: Curator's
 * `ServiceInstance` as JSON). The address is null only for an instance registered without one.
 */
export interface CuratorInstance {
  readonly id: string;
  readonly name: string;
  readonly address: string | null;
  readonly port: number | null;
  readonly sslPort: number | null;
  readonly payload: unknown;
  readonly payloadClass: string | null;
  readonly registrationTimeUTC: number;
  readonly serviceType: string | null;
  readonly uriSpec: string | null;
  readonly enabled: boolean;
}

/** A raw session, fresh roots and running consumers of one interop test file; see {@link useInteropFixture}. */
export interface InteropFixture {
  /** A raw session on the tier's ensemble, opened before the file. */
  readonly raw: ZkClient;
  /** A fresh root path, removed after the file. */
  readonly newRoot: (prefix: string) => string;
  /** Keeps a started consumer so that it is stopped after the test; returns it. */
  readonly track: <T extends RunningConsumer>(consumer: T) => T;
}

/**
 * The interop tier's fixture, set up by jest hooks: the consumers installed and compiled and a raw
 * session before the file, started consumers stopped after each test, the roots removed and the
 * session closed after the file. With `provider`, the provider runtime is also pointed at the test
 * ensemble before the file and its sessions are closed after it.
 */
export function useInteropFixture(options: { provider?: boolean } = {}): InteropFixture {
  const roots: string[] = [];
  const started: RunningConsumer[] = [];
  const fixture = {
    raw: undefined as unknown as ZkClient,
    newRoot: (prefix: string): string => {
      const root = randomRoot(prefix);
      roots.push(root);
      return root;
    },
    track: <T extends RunningConsumer>(consumer: T): T => {
      started.push(consumer);
      return consumer;
    },
  };
  beforeAll(async () => {
    if (options.provider) useTestEnsemble();
    await ensureInteropPackages();
    await compileCurator();
    fixture.raw = await rawClient();
  }, 600_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    for (const root of roots) await removeTree(fixture.raw, root);
    fixture.raw.close();
    if (options.provider) await pool().closeAll();
  });
  return fixture;
}
