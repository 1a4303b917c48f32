import { execFile } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import {
  type Ensemble,
  fourLetter,
  loadEnsemble,
  restartMember,
  startEnsemble,
  type StartEnsembleOptions,
  stopEnsemble,
  waitForQuorum,
} from "../../scripts/ensemble";
import { defaultInstanceId } from "../../provider/core/formats";
import { pool, setConfig } from "../../provider/runtime";
import type { EngineMethods, Props } from "../../provider/runtime/dynamic";
import { type ZkClient } from "../../provider/zk/client";
import { installExample, type RunResult, Stack } from "./pulumi";
import { rawClient, connectString as testConnectString, removeTree } from "./zk";

/**
 * Harness of the fault tier (docs/DESIGN.md §5): private ensembles to kill and pause, stacks on shared
 * example installs, a fault-injecting TCP proxy, and readers of the ZooKeeper tree and the stack
 * state that the scenarios compare.
 */

// ---------------------------------------------------------------------------------------------
// Figures

/** Where scenarios append their measured figures, one JSON object a line (docs/RELIABILITY.md). */
export const FIGURES_FILE =
  process.env.PZK_FAULT_FIGURES ?? path.join(os.tmpdir(), "pzk-fault-figures.jsonl");

/** Appends one scenario's figures to {@link FIGURES_FILE}. */
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ scenario, at: new Date().toISOString(), ...figures });
  fs.appendFileSync(FIGURES_FILE, `${line}\n`);
}

/** Milliseconds since `start`. */
export const since = (start: number): number => Date.now() - start;

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Ensembles and clients

/** A private ensemble for one test file; stop it with {@link stopEnsemble} in `afterAll`. */
export function startPrivateEnsemble(options: StartEnsembleOptions = {}): Promise<Ensemble> {
  return startEnsemble({ size: 3, ...options });
}

/**
 * Brings a private ensemble back after a scenario, also one that failed half-way: starts every
 * member that was killed or stopped, then waits for a quorum. Returns how long that took.
 */
export async function restoreEnsemble(ensemble: Ensemble): Promise<number> {
  const start = Date.now();
  for (const member of loadEnsemble(ensemble.dir).members) {
    if (member.pid === null) await restartMember(ensemble, member.id);
  }
  await waitForQuorum(ensemble, 60_000);
  return since(start);
}

/** A private ensemble of one test file and a checking session on it; see {@link usePrivateEnsemble}. */
export interface PrivateEnsemble {
  /** The ensemble, started in `beforeAll`. */
  readonly ensemble: Ensemble;
  /** A {@link checkingClient} on the ensemble, opened on the first call and closed after the file. */
  client(): Promise<ZkClient>;
}

/**
 * The fixture of the scenarios that kill or pause members, set up by jest hooks: a private
 * ensemble started before the file and stopped after it, and one checking session on it.
 */
export function usePrivateEnsemble(options: StartEnsembleOptions = {}): PrivateEnsemble {
  let client: ZkClient | undefined;
  const fixture = {
    ensemble: undefined as unknown as Ensemble,
    async client(): Promise<ZkClient> {
      client ??= await checkingClient(fixture.ensemble.connectString);
      return client;
    },
  };
  beforeAll(async () => {
    fixture.ensemble = await startPrivateEnsemble(options);
  });
  afterAll(async () => {
    client?.close();
    if (fixture.ensemble) await stopEnsemble(fixture.ensemble);
  });
  return fixture;
}

/** The connect string of one member. */
export function memberAddress(ensemble: Ensemble, id: number): string {
  const member = ensemble.members.find((m) => m.id === id);
  if (!member) throw new Error(`the ensemble has no member ${id}`);
  return `127.0.0.1:${member.clientPort}`;
}

/** A raw, syncing session (`rawClient`) on a private ensemble, with the fault tier's longer timeouts. */
export function checkingClient(connectString: string, digest?: string): Promise<ZkClient> {
  return rawClient(digest, connectString, 20_000);
}

/** The number of znodes a member holds (`mntr`'s `zk_znode_count`); undefined when it does not answer. */
export async function znodeCount(port: number): Promise<number | undefined> {
  const text = await fourLetter("127.0.0.1", port, "mntr").catch(() => "");
  const match = /^zk_znode_count\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Waits until a member holds at least `count` znodes: a way to act at a chosen moment of a
 * deployment without reading its output.
 *
 * @throws when `deadline` (epoch ms) passes first, or `gaveUp()` says the deployment ended.
 */
export async function waitForZnodeCount(
  port: number,
  count: number,
  deadlineMs: number,
  gaveUp: () => boolean = () => false,
): Promise<number> {
  for (;;) {
    const now = await znodeCount(port);
    if (now !== undefined && now >= count) return now;
    if (gaveUp())
      throw new Error(`the deployment ended before member :${port} held ${count} znodes (${now})`);
    if (Date.now() > deadlineMs) throw new Error(`member :${port} held ${now} znodes, not ${count}, in time`);
    await sleep(100);
  }
}

/** One client connection a member lists in `cons`. */
export interface MemberConnection {
  /** The member's client port. */
  readonly port: number;
  /** Session id, hex without `0x`. */
  readonly sessionId: string;
  /** Requests received on this connection so far. */
  readonly received: number;
}

/** The sessions connected to each member right now (`cons`), the `cons` request itself left out. */
export async function memberConnections(ensemble: Ensemble): Promise<MemberConnection[]> {
  const out: MemberConnection[] = [];
  for (const member of ensemble.members) {
    const text = await fourLetter("127.0.0.1", member.clientPort, "cons").catch(() => "");
    for (const m of text.matchAll(/recved=(\d+),.*?sid=0x([0-9a-f]+)/g)) {
      out.push({ port: member.clientPort, sessionId: m[2], received: Number(m[1]) });
    }
  }
  return out;
}

/** Runs `zkCli.sh -server <connect> <args>`, e.g. to set a quota; throws with its output on failure. */
export function zkCli(connectString: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "/usr/share/zookeeper/bin/zkCli.sh",
      ["-server", connectString, ...args],
      { timeout: 60_000, env: { ...process.env, ZOO_LOG4J_PROP: "ERROR,CONSOLE" } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`zkCli ${args.join(" ")} failed: ${err.message}\n${stdout}${stderr}`));
        else resolve(stdout + stderr);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Trees and state

/** Every znode under `root` (itself left out), with its data as text and its stat. */
export async function subtree(
  client: ZkClient,
  root: string,
): Promise<Map<string, { data: string; version: number; czxid: string; numChildren: number }>> {
  const out = new Map<string, { data: string; version: number; czxid: string; numChildren: number }>();
  const walk = async (p: string): Promise<void> => {
    const children = await client.getChildren(p).catch(() => [] as string[]);
    for (const c of children) {
      const child = `${p}/${c}`;
      const got = await client.getData(child).catch(() => undefined);
      if (!got) continue;
      out.set(child, {
        data: got.data.toString("utf8"),
        version: got.stat.version,
        czxid: got.stat.czxid,
        numChildren: got.stat.numChildren,
      });
      await walk(child);
    }
  };
  await walk(root);
  return out;
}

/** The leaves of a subtree: registrations, when the root holds only services. */
export async function leaves(
  client: ZkClient,
  root: string,
): Promise<Map<string, { data: string; version: number; czxid: string }>> {
  const all = await subtree(client, root);
  return new Map([...all].filter(([, v]) => v.numChildren === 0));
}

/** One resource of a stack's state, as `pulumi stack export` shows it. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly outputs: Record<string, unknown>;
}

/** What `pulumi stack export` says: the resources, and operations left pending by an interrupted run. */
export interface StackState {
  readonly resources: StateResource[];
  readonly pendingOperations: unknown[];
}

/** Parses `pulumi stack export` output. */
export function parseState(exported: string): StackState {
  const doc = JSON.parse(exported) as {
    deployment?: { resources?: StateResource[]; pending_operations?: unknown[] };
  };
  return {
    resources: doc.deployment?.resources ?? [],
    pendingOperations: doc.deployment?.pending_operations ?? [],
  };
}

/** Types of the resources that manage znodes (docs/DESIGN.md §4.1). */
const ZNODE_TYPES = new Set(
  ["ZkNode", "ZkChroot", "ZkServiceRegistration"].map((c) => `pulumi-nodejs:dynamic/zookeeper:${c}`),
);

/** The resources of a state that manage znodes, by `outputs.path`. */
export function managedPaths(state: StackState): Map<string, StateResource> {
  const out = new Map<string, StateResource>();
  for (const r of state.resources) {
    if (!ZNODE_TYPES.has(r.type)) continue;
    const p = r.outputs.path;
    if (typeof p !== "string") throw new Error(`resource ${r.urn} has no path output`);
    if (out.has(p)) throw new Error(`two resources in state claim ${p}`);
    out.set(p, r);
  }
  return out;
}

/** Lines of a JavaScript stack trace in a CLI's output (`    at fn (file.js:1:2)`). */
export function stackTraceLines(output: string): string[] {
  return output.split("\n").filter((line) => /^\s+at .*(\(.*:\d+:\d+\)|:\d+:\d+)$/.test(line));
}

/** What {@link auditRegistrations} found: every count but `znodes` should be zero. */
export interface RegistrationAudit {
  /** Registration znodes in the tree. */
  readonly znodes: number;
  /** Registrations of the program with no znode. */
  readonly missing: number;
  /** Extra znodes for a registration that already has one. */
  readonly duplicated: number;
  /** Znodes in the tree that no resource in state records. */
  readonly orphaned: number;
  /** Resources in state whose znode is gone, or is another znode than the one recorded. */
  readonly lost: number;
  /** Znodes at the wrong path or with other data than the program declares. */
  readonly wrong: number;
  /** The first few problems, for the failure message. */
  readonly problems: string[];
}

/**
 * Compares the tree under `{root}/services` and the stack state with what the
 * `many-registrations` example declares: registration `i` is service `svc-{i % 10}` at
 * `10.0.{i / 250}.{i % 250}:8080`, with payload `{ index: i }` in the curator format.
 */
export async function auditRegistrations(
  client: ZkClient,
  root: string,
  count: number,
  format: "curator" | "serverset",
  state: StackState,
): Promise<RegistrationAudit> {
  const tree = await leaves(client, `${root}/services`);
  const managed = managedPaths(state);
  const problems: string[] = [];
  const seen = new Map<number, number>();
  let wrong = 0;
  for (const [p, znode] of tree) {
    const data = JSON.parse(znode.data) as {
      address?: string;
      port?: number;
      name?: string;
      payload?: { index?: number };
      serviceEndpoint?: { host: string; port: number };
    };
    const address = format === "curator" ? data.address : data.serviceEndpoint?.host;
    const [, a, b] = /^10\.0\.(\d+)\.(\d+)$/.exec(address ?? "") ?? [];
    const i = Number(a) * 250 + Number(b);
    const dir = `${root}/services/svc-${i % 10}`;
    const rightPlace =
      format === "curator"
        ? p === `${dir}/${defaultInstanceId(address as string, 8080, undefined)}` &&
          data.name === `svc-${i % 10}` &&
          data.port === 8080 &&
          data.payload?.index === i
        : new RegExp(`^${dir}/member_\\d{10}$`).test(p) && data.serviceEndpoint?.port === 8080;
    if (!(i < count) || !rightPlace) {
      wrong++;
      problems.push(`unexpected znode ${p}: ${znode.data}`);
      continue;
    }
    seen.set(i, (seen.get(i) ?? 0) + 1);
  }
  const duplicated = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  for (const [i, c] of seen) if (c > 1) problems.push(`registration ${i} has ${c} znodes`);
  const orphans = [...tree.keys()].filter((p) => !managed.has(p));
  const lost = [...managed].filter(([p, r]) => tree.get(p)?.czxid !== r.outputs.czxid).map(([p]) => p);
  problems.push(...orphans.map((p) => `orphan ${p}`), ...lost.map((p) => `lost ${p}`));
  return {
    znodes: tree.size,
    missing: count - seen.size,
    duplicated,
    orphaned: orphans.length,
    lost: lost.length,
    wrong,
    problems: problems.slice(0, 10),
  };
}

/** What {@link auditRegistrations} finds when all `count` registrations are written once and recorded. */
export function cleanAudit(count: number): RegistrationAudit {
  return { znodes: count, missing: 0, duplicated: 0, orphaned: 0, lost: 0, wrong: 0, problems: [] };
}

/** Throws with everything the run printed unless it exited 0. */
export function mustSucceed<T extends RunResult>(r: T, what: string): T {
  if (r.code !== 0)
    throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Stacks

const installs = new Map<string, Promise<string>>();

/**
 * An example installed as a user would (see `installExample`), once per package tarball content
 * and shared by the stacks of every fault test: each stack has its own name and backend.
 * Installs land in `pzk-fault-<example>-<hash>` under the OS temp dir and are reused by later
 * runs while the package is unchanged; a new install is renamed into place, so parallel
 * workers never see half of one.
 */
export function sharedExample(example: string): Promise<string> {
  let pending = installs.get(example);
  if (!pending) {
    pending = (async () => {
      const tarball = process.env.PZK_TARBALL;
      if (!tarball) throw new Error("PZK_TARBALL is not set: the fault tier runs through jest's globalSetup");
      const hash = createHash("sha256")
        .update(fs.readFileSync(tarball))
        .update(fs.readFileSync(path.resolve(__dirname, "../../examples", example, "index.ts")))
        .digest("hex")
        .slice(0, 16);
      const dir = path.join(os.tmpdir(), `pzk-fault-${example}-${hash}`);
      if (fs.existsSync(path.join(dir, "node_modules", "pulumi-zookeeper"))) return dir;
      const fresh = await installExample(example);
      try {
        fs.renameSync(fresh, dir);
      } catch {
        fs.rmSync(fresh, { recursive: true, force: true }); // another worker got there first
      }
      return dir;
    })();
    installs.set(example, pending);
  }
  return pending;
}

/** A stack of its own on a shared install; `discard` removes its state, config file and backend. */
export interface FaultStack extends Stack {
  /** Removes the stack's backend and its `Pulumi.<stack>.yaml`; the ZooKeeper tree is left as is. */
  discard(): Promise<void>;
}

/** Creates a stack with a fresh file backend on a shared install of `example`. */
export async function faultStack(
  example: string,
  config: Record<string, string>,
  secrets: Record<string, string> = {},
): Promise<FaultStack> {
  const dir = await sharedExample(example);
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-fault-backend-"));
  const name = `fault-${randomBytes(4).toString("hex")}`;
  const stack = await Stack.create(dir, name, backend, config, secrets);
  return Object.assign(stack, {
    discard(): Promise<void> {
      fs.rmSync(path.join(dir, `Pulumi.${name}.yaml`), { force: true });
      fs.rmSync(backend, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
}

/** `pulumi up` that may fail: the result, with how long it took. */
export async function tryUp(
  stack: Stack,
  extra: readonly string[] = [],
): Promise<RunResult & { elapsedMs: number }> {
  const start = Date.now();
  const result = await stack.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", ...extra]);
  return { ...result, elapsedMs: since(start) };
}

/** The settings of a `many-registrations` stack (the example's config and the provider's). */
export interface RegistrationsStackConfig {
  readonly connectString: string;
  readonly sessionTimeoutMs: number;
  /** The root the registrations go under, as `{root}/services/svc-{i % 10}`. */
  readonly root: string;
  readonly count: number;
  /** Left out, the example writes the curator format. */
  readonly format?: "curator" | "serverset";
}

/** A {@link faultStack} of the `many-registrations` example. */
export function registrationsStack(c: RegistrationsStackConfig): Promise<FaultStack> {
  return faultStack("many-registrations", {
    "zookeeper:connectString": c.connectString,
    "zookeeper:sessionTimeoutMs": String(c.sessionTimeoutMs),
    "many-registrations:root": c.root,
    "many-registrations:count": String(c.count),
    ...(c.format ? { "many-registrations:format": c.format } : {}),
  });
}

/** A `pulumi up` under way; see {@link upUntilWritten}. */
export interface RunningUp {
  /** The up's result, once it ends. */
  readonly result: Promise<RunResult & { elapsedMs: number }>;
  /** When the up started (epoch ms). */
  readonly startedAt: number;
  /** Whether the up has ended. */
  finished(): boolean;
}

/**
 * Starts `pulumi up` of a `many-registrations` stack and returns once member `port` holds
 * `written` of its registrations: a chosen moment in the middle of the deployment. The up first
 * writes 12 parents (root, `services` and ten service znodes), counted on top.
 */
export async function upUntilWritten(stack: Stack, port: number, written: number): Promise<RunningUp> {
  const baseline = await znodeCount(port);
  if (baseline === undefined) throw new Error(`member :${port} does not tell its znode count`);
  let finished = false;
  const startedAt = Date.now();
  const result = tryUp(stack).finally(() => (finished = true));
  await waitForZnodeCount(port, baseline + 12 + written, Date.now() + 120_000, () => finished);
  return { result, startedAt, finished: () => finished };
}

/** Everything a run printed, for searching messages. */
export const printed = (r: RunResult): string => `${r.stdout}\n${r.stderr}`;

// ---------------------------------------------------------------------------------------------
// Fault proxy

/** Request kinds the proxy can pick out of a ZooKeeper client's stream. */
export type RequestKind = "create" | "setData" | "delete" | "getData" | "exists";

/** What the proxy does to the next request of a kind. */
export type Fault =
  /**
   * Forward the request, wait for the server's reply, swallow it and drop the client's connection.
   * With `partition`, the proxy then cuts the client off the ensemble until {@link FaultProxy.heal}.
   */
  | { readonly kind: "lose-reply"; readonly partition?: boolean }
  /** Forward the request and drop the connection at once, before any reply. */
  | { readonly kind: "drop-after-request" }
  /** Forward the request and hand the client the server's reply with this error code instead. */
  | { readonly kind: "replace-error"; readonly code: number };

/** What the proxy did to one request. */
export interface ProxyEvent {
  readonly request: RequestKind;
  readonly fault: Fault["kind"];
  /** The error code of the server's real reply (lose-reply and replace-error); 0 means it was applied. */
  readonly serverCode?: number;
}

/** A TCP proxy in front of one ensemble member that injects faults into the ZooKeeper protocol. */
export interface FaultProxy {
  /** `127.0.0.1:<port>`: give it to a client as its whole connect string. */
  readonly connectString: string;
  /** Arms a fault for the next request of a kind; faults of one kind fire in the order armed. */
  arm(request: RequestKind, fault: Fault): void;
  /** Faults that fired so far. */
  readonly events: readonly ProxyEvent[];
  /** Faults armed and not fired yet. */
  pending(): number;
  /** Forgets the faults armed and not fired yet; returns how many there were. */
  disarm(): number;
  /** Starts a partition: open connections drop, new ones are accepted and never answered. */
  partition(): void;
  /** Ends a partition: connections are forwarded again. */
  heal(): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

// ZooKeeper op codes (org.apache.zookeeper.ZooDefs.OpCode).
const OP = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  check: 13,
  multi: 14,
  create2: 15,
} as const;

function kindOf(frame: Buffer): RequestKind | undefined {
  // frame: length(4) xid(4) type(4) body; a multi's body starts with the first op's header type.
  if (frame.length < 12) return undefined;
  const type = frame.readInt32BE(8);
  if (type === OP.create || type === OP.create2) return "create";
  if (type === OP.multi && frame.length >= 16) {
    // Leading version checks write nothing: the kind is the first op after them. A check op is
    // header type(4) done(1) err(4), then path length(4), path, version(4).
    let at = 12;
    while (frame.length >= at + 13 && frame.readInt32BE(at) === OP.check)
      at += 13 + Math.max(0, frame.readInt32BE(at + 9)) + 4;
    if (frame.length < at + 4) return undefined;
    const first = frame.readInt32BE(at);
    if (first === OP.create || first === OP.create2) return "create";
    if (first === OP.setData) return "setData";
    if (first === OP.delete) return "delete";
    return undefined;
  }
  if (type === OP.setData) return "setData";
  if (type === OP.delete) return "delete";
  if (type === OP.getData) return "getData";
  if (type === OP.exists) return "exists";
  return undefined;
}

/** Splits a stream of length-prefixed frames; keeps the incomplete tail. */
class Frames {
  private buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < size + 4) break;
      out.push(this.buffer.subarray(0, size + 4));
      this.buffer = this.buffer.subarray(size + 4);
    }
    return out;
  }
}

/** Starts a {@link FaultProxy} on an OS-chosen loopback port in front of `target` (`host:port`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const [host, portText] = target.split(":") as [string, string];
  const armed: { request: RequestKind; fault: Fault }[] = [];
  const events: ProxyEvent[] = [];
  const sockets = new Set<net.Socket>();
  let partitioned = false;

  const take = (request: RequestKind): Fault | undefined => {
    const i = armed.findIndex((a) => a.request === request);
    return i < 0 ? undefined : armed.splice(i, 1)[0]?.fault;
  };

  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    // Partitioned: the connection is accepted and never answered, like a network that drops everything.
    if (partitioned) return void client.on("error", () => client.destroy());
    const upstream = net.connect({ host, port: Number(portText) });
    sockets.add(client).add(upstream);
    const dropBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", dropBoth).on("close", dropBoth);
    upstream.on("error", dropBoth).on("close", dropBoth);
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));

    // xid of a request in flight -> the fault to apply to its reply.
    const inFlight = new Map<number, { request: RequestKind; fault: Fault }>();
    const fromClient = new Frames();
    const fromServer = new Frames();
    let clientFirst = true; // the ConnectRequest has no request header
    let serverFirst = true; // nor has the ConnectResponse

    client.on("data", (chunk: Buffer) => {
      for (const frame of fromClient.push(chunk)) {
        const request = clientFirst ? undefined : kindOf(frame);
        clientFirst = false;
        const fault = request ? take(request) : undefined;
        upstream.write(frame);
        if (!request || !fault) continue;
        if (fault.kind === "drop-after-request") {
          events.push({ request, fault: fault.kind });
          // Let the bytes leave before the connection goes.
          upstream.end(() => client.destroy());
          return;
        }
        inFlight.set(frame.readInt32BE(4), { request, fault });
      }
    });

    upstream.on("data", (chunk: Buffer) => {
      for (const frame of fromServer.push(chunk)) {
        if (serverFirst || frame.length < 20) {
          serverFirst = false;
          client.write(frame);
          continue;
        }
        const xid = frame.readInt32BE(4);
        const hit = inFlight.get(xid);
        if (!hit) {
          client.write(frame);
          continue;
        }
        inFlight.delete(xid);
        const serverCode = frame.readInt32BE(16);
        events.push({ request: hit.request, fault: hit.fault.kind, serverCode });
        if (hit.fault.kind === "lose-reply") {
          partitioned = hit.fault.partition === true;
          dropBoth();
          return;
        }
        if (hit.fault.kind === "replace-error") {
          // A bare reply header: length, xid, zxid, err; the client reads no body after an error.
          const reply = Buffer.alloc(20);
          reply.writeInt32BE(16, 0);
          frame.copy(reply, 4, 4, 16);
          reply.writeInt32BE(hit.fault.code, 16);
          client.write(reply);
        }
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    connectString: `127.0.0.1:${port}`,
    arm: (request, fault) => void armed.push({ request, fault }),
    events,
    pending: () => armed.length,
    disarm: () => armed.splice(0).length,
    partition: () => {
      partitioned = true;
      for (const s of sockets) s.destroy();
    },
    heal: () => {
      partitioned = false;
      // Held connections go, so clients reconnect and are forwarded.
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Re-exported so a fault test imports its ensemble helpers from one place. */
export { stopEnsemble };

// ---------------------------------------------------------------------------------------------
// The provider runtime behind the proxy

/** A fault proxy with the provider runtime behind it, and a foreign writer's session beside it. */
export interface ProxiedRuntime {
  /** The proxy in front of one member: every reconnection of the runtime goes through it again. */
  readonly proxy: FaultProxy;
  /** Another writer's session, on any member, reads synced. */
  readonly raw: ZkClient;
}

/**
 * Starts a proxy in front of the first member, points the provider runtime at it and creates
 * `root` with a foreign session. {@link closeProxiedRuntime} undoes it all.
 */
export async function proxiedRuntime(root: string, sessionTimeoutMs: number): Promise<ProxiedRuntime> {
  const proxy = await startFaultProxy(testConnectString().split(",")[0]);
  const raw = await checkingClient(testConnectString());
  await raw.create(root, Buffer.from(""), [{ scheme: "world", id: "anyone", perms: "rwcda" }]);
  setConfig({ connectString: proxy.connectString, sessionTimeoutMs });
  return { proxy, raw };
}

/** Closes the runtime's sessions, the proxy and the foreign session, and removes `root`. */
export async function closeProxiedRuntime(env: ProxiedRuntime | undefined, root: string): Promise<void> {
  await pool().closeAll();
  await env?.proxy.close();
  if (env) await removeTree(env.raw, root);
  env?.raw.close();
}

/**
 * The fixture of the lost-reply scenarios, set up by jest hooks: {@link proxiedRuntime} before the
 * file and {@link closeProxiedRuntime} after it.
 */
export function useProxiedRuntime(root: string, sessionTimeoutMs: number): ProxiedRuntime {
  let env: ProxiedRuntime | undefined;
  beforeAll(async () => {
    env = await proxiedRuntime(root, sessionTimeoutMs);
  });
  afterAll(() => closeProxiedRuntime(env, root));
  const current = (): ProxiedRuntime => {
    if (!env) throw new Error("the proxied runtime is not set up (its beforeAll failed or has not run)");
    return env;
  };
  return {
    get proxy() {
      return current().proxy;
    },
    get raw() {
      return current().raw;
    },
  };
}

/** The proxy loses the server's reply to a request the server applied. */
export const LOSE: Fault = { kind: "lose-reply" };
/** The proxy drops the connection right after forwarding a request. */
export const DROP: Fault = { kind: "drop-after-request" };
/** Both ways a reply gets lost, named, for `it.each`. */
export const LOST_REPLIES: [string, Fault][] = [
  ["lose-reply", LOSE],
  ["drop-after-request", DROP],
];

/**
 * Arms one fault for the next request of a kind, runs `act`, and checks that the fault fired
 * exactly once and, for a fault that waits for the reply, on a request the server applied.
 */
export async function withFault<T>(
  proxy: FaultProxy,
  request: RequestKind,
  fault: Fault,
  act: () => Promise<T>,
): Promise<T> {
  const before = proxy.events.length;
  proxy.arm(request, fault);
  const result = await act();
  expect(proxy.pending()).toBe(0);
  const fired = proxy.events.slice(before);
  expect(fired).toHaveLength(1);
  if (fault.kind !== "drop-after-request") expect(fired[0]?.serverCode).toBe(0);
  return result;
}

/**
 * Runs `act` while the server's reply to the next create is lost and the proxy then cuts its clients
 * off the ensemble (a partition); checks that the fault fired once, on a create the server applied
 * (see {@link withFault}), and heals the partition after `act`.
 */
export async function throughPartition<T>(proxy: FaultProxy, act: () => Promise<T>): Promise<T> {
  try {
    return await withFault(proxy, "create", { kind: "lose-reply", partition: true }, act);
  } finally {
    proxy.heal();
  }
}

/** Checks raw inputs and creates the resource, as the engine does. */
export async function checkedCreate(
  methods: EngineMethods,
  news: Props,
): Promise<{ id: string; outs: Props }> {
  const checked = await methods.check({}, news);
  expect(checked.failures).toEqual([]);
  return methods.create(checked.inputs);
}
