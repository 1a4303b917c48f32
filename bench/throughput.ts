import { randomBytes } from "crypto";
import type * as zookeeper from "node-zookeeper-client";
import { OPEN_ACL } from "../provider/core/acl";
import { defaultInstanceId, encodeRegistration } from "../provider/core/formats";
import type * as settingsModule from "../provider/runtime/settings";
import type * as registrationModule from "../provider/runtime/zkServiceRegistration";
import type * as clientModule from "../provider/zk/client";
import type { ZkClient } from "../provider/zk/client";
import type * as poolModule from "../provider/zk/pool";
import { type Ensemble } from "../scripts/ensemble";
import { type BenchOutcome, median, now, rate, ratio, type Table, type Verdict } from "./support/report";
import { type BenchSizes } from "./support/sizes";
import { providerModule } from "./support/source";
import { aFollower, inParallel, packetsReceived, raw, rawSession } from "./support/zookeeper";

const { pool, setConfig } = providerModule<typeof settingsModule>("runtime/settings");
const { zkServiceRegistration } = providerModule<typeof registrationModule>("runtime/zkServiceRegistration");
const { ZkClient: ZkClientClass } = providerModule<typeof clientModule>("zk/client");
const { sessionOptions } = providerModule<typeof poolModule>("zk/pool");

const SERVICES = 10;
const TARGET = 0.8;
/** The phases of a round, in order: each works on the znodes the one before left. */
export const PHASES = ["create", "update", "delete"] as const;
export type Phase = (typeof PHASES)[number];
const CLIENTS = ["raw", "ZkClient", "provider"] as const;
type ClientKind = (typeof CLIENTS)[number];

/** One phase of one client at one concurrency. */
export interface PhaseRun {
  /** Who ran it: a {@link ClientKind} here, the transport in the TLS benchmark. */
  readonly client: string;
  readonly phase: Phase;
  readonly concurrency: number;
  readonly ops: number;
  readonly ms: number;
  /** Requests the ensemble received per operation (`mntr` packets, all members). */
  readonly requestsPerOp: number;
  /** CPU time of this process (the client side) per operation, in milliseconds. */
  readonly cpuMsPerOp: number;
}

type Props = Record<string, unknown>;

/** What the engine would hand the provider for instance `i`: the inputs of examples/many-registrations. */
function rawInputs(basePath: string, i: number, revision: number) {
  return {
    basePath,
    service: `svc-${i % SERVICES}`,
    address: `10.0.${Math.floor(i / 250)}.${i % 250}`,
    port: 8080,
    format: "curator",
    payload: { index: i, revision },
  };
}

/** The znode path and data a registration of instance `i` writes, for the clients without the provider. */
function plainWrite(basePath: string, i: number, revision: number): { path: string; data: Buffer } {
  const input = rawInputs(basePath, i, revision);
  const id = defaultInstanceId(input.address, 8080, undefined);
  const data = encodeRegistration("curator", {
    service: input.service,
    id,
    address: input.address,
    port: 8080,
    registrationTimeUTC: 1_700_000_000_000 + i,
    payload: input.payload,
  });
  return { path: `${basePath}/${input.service}/${id}`, data: Buffer.from(data) };
}

/** Parents the provider creates itself on the first create of each service; created untimed for the others. */
async function createParents(client: ZkClient, basePath: string): Promise<void> {
  const root = basePath.slice(0, basePath.lastIndexOf("/"));
  for (const path of [root, basePath, ...Array.from({ length: SERVICES }, (_, s) => `${basePath}/svc-${s}`)])
    await client.create(path, Buffer.alloc(0), OPEN_ACL);
}

async function removeParents(client: ZkClient, basePath: string): Promise<void> {
  const root = basePath.slice(0, basePath.lastIndexOf("/"));
  for (const path of [...Array.from({ length: SERVICES }, (_, s) => `${basePath}/svc-${s}`), basePath, root])
    await client.remove(path, -1);
}

/** A client's three phases, as closures over the indices of the instances. */
export type Workload = Record<Phase, (i: number) => Promise<unknown>>;

function rawWorkload(client: zookeeper.Client, basePath: string): Workload {
  return {
    create: (i) => {
      const { path, data } = plainWrite(basePath, i, 1);
      return raw.create(client, path, data);
    },
    update: (i) => {
      const { path, data } = plainWrite(basePath, i, 2);
      return raw.setData(client, path, data, 0);
    },
    delete: (i) => raw.remove(client, plainWrite(basePath, i, 2).path, 1),
  };
}

function zkClientWorkload(client: ZkClient, basePath: string): Workload {
  return {
    create: (i) => {
      const { path, data } = plainWrite(basePath, i, 1);
      return client.create(path, data, OPEN_ACL);
    },
    update: (i) => {
      const { path, data } = plainWrite(basePath, i, 2);
      return client.setData(path, data, 0);
    },
    delete: (i) => client.remove(plainWrite(basePath, i, 2).path, 1),
  };
}

/**
 * The provider's own methods, as the engine calls them: checked inputs in, state out. They use
 * the connection of the provider config in force when each operation starts (`setConfig`).
 */
export async function providerWorkload(basePath: string, ops: number): Promise<Workload> {
  const check = async (i: number, revision: number) => {
    const checked = await zkServiceRegistration.check({}, rawInputs(basePath, i, revision));
    if (checked.failures && checked.failures.length > 0)
      throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    return checked.inputs;
  };
  const created = new Array<{ id: string; outs: Props }>(ops);
  const updated = new Array<Props>(ops);
  const v1 = await Promise.all(Array.from({ length: ops }, (_, i) => check(i, 1)));
  const v2 = await Promise.all(Array.from({ length: ops }, (_, i) => check(i, 2)));
  return {
    create: async (i) => {
      created[i] = await zkServiceRegistration.create(v1[i]);
    },
    update: async (i) => {
      const { id, outs } = created[i];
      updated[i] = (await zkServiceRegistration.update(id, outs, v2[i])).outs;
    },
    delete: (i) => zkServiceRegistration.delete((created[i] as { id: string }).id, updated[i]),
  };
}

/** Time of `check` alone: validation and normalisation, no I/O. */
async function timeChecks(basePath: string, ops: number): Promise<number> {
  const started = now();
  for (let i = 0; i < ops; i++) await zkServiceRegistration.check({}, rawInputs(basePath, i, 1));
  return now() - started;
}

/** Times one phase at one concurrency, with the requests the ensemble received and this process's CPU. */
export async function runPhase(
  ensemble: Ensemble,
  client: string,
  workload: Workload,
  phase: Phase,
  ops: number,
  concurrency: number,
): Promise<PhaseRun> {
  const indices = Array.from({ length: ops }, (_, i) => i);
  const packetsBefore = await packetsReceived(ensemble);
  const started = now();
  const cpu = process.cpuUsage();
  await inParallel(indices, concurrency, (i) => workload[phase](i));
  const elapsed = now() - started;
  const used = process.cpuUsage(cpu);
  // Each mntr probe is one packet per member; subtract the probe that opened this window.
  const requests = (await packetsReceived(ensemble)) - packetsBefore - ensemble.members.length;
  const cpuMsPerOp = (used.user + used.system) / 1000 / ops;
  const run = { client, phase, concurrency, ops, ms: elapsed, requestsPerOp: requests / ops, cpuMsPerOp };
  console.log(
    `  c=${String(concurrency).padEnd(3)} ${phase.padEnd(7)} ${client.padEnd(9)} ${rate((ops * 1000) / elapsed).padStart(9)}  ` +
      `${run.requestsPerOp.toFixed(2)} requests/op, ${(run.cpuMsPerOp * 1000).toFixed(0)} µs CPU/op`,
  );
  return run;
}

/** One round at one concurrency: each phase for each client, on fresh znodes. */
async function throughputRound(
  ensemble: Ensemble,
  clients: { rawClient: zookeeper.Client; zkClient: ZkClient },
  concurrency: number,
  ops: number,
): Promise<PhaseRun[]> {
  const tag = randomBytes(4).toString("hex");
  const base = (client: ClientKind) => `/bench-tp-${tag}-${client}/services`;
  await createParents(clients.zkClient, base("raw"));
  await createParents(clients.zkClient, base("ZkClient"));
  const workloads: Record<ClientKind, Workload> = {
    raw: rawWorkload(clients.rawClient, base("raw")),
    ZkClient: zkClientWorkload(clients.zkClient, base("ZkClient")),
    provider: await providerWorkload(base("provider"), ops),
  };
  const runs: PhaseRun[] = [];
  for (const [p, phase] of PHASES.entries()) {
    // Alternate who goes first, so neither always meets a freshly snapshotting ensemble.
    const order = p % 2 === 0 ? CLIENTS : [...CLIENTS].reverse();
    for (const client of order)
      runs.push(await runPhase(ensemble, client, workloads[client], phase, ops, concurrency));
  }
  await removeParents(clients.zkClient, base("raw"));
  await removeParents(clients.zkClient, base("ZkClient"));
  return runs;
}

/** The follower the clients talk to: the same member for all three, so reads are served alike. */
/**
 * Measurement 2: creates, version-checked updates and deletes of registrations through the
 * provider's own methods (no engine), next to the raw node-zookeeper-client doing the one request
 * each operation needs, and to our ZkClient adapter doing that same one request.
 */
export async function throughputBench(ensemble: Ensemble, sizes: BenchSizes): Promise<BenchOutcome> {
  const connectString = `127.0.0.1:${(await aFollower(ensemble)).clientPort}`;
  const settings = { connectString, sessionTimeoutMs: 10_000 };
  setConfig(settings);
  const rawClient = await rawSession(connectString);
  const zkClient = await ZkClientClass.connect(sessionOptions(settings));
  const runs: PhaseRun[] = [];
  const checkMs = await timeChecks("/bench-check/services", sizes.ops);
  try {
    for (let round = 0; round < sizes.repeats; round++) {
      for (const concurrency of sizes.concurrencies) {
        runs.push(...(await throughputRound(ensemble, { rawClient, zkClient }, concurrency, sizes.ops)));
      }
    }
  } finally {
    rawClient.close();
    zkClient.close();
    await pool().closeAll();
  }
  return throughputOutcome(runs, checkMs, sizes);
}

/** The median round of one client, phase and concurrency among `runs` (the one nearest the median time). */
export function medianRun(runs: readonly PhaseRun[], client: string, phase: Phase, c: number): PhaseRun {
  const all = runs.filter((r) => r.client === client && r.phase === phase && r.concurrency === c);
  const mid = median(all.map((r) => r.ms));
  return all.reduce((best, r) => (Math.abs(r.ms - mid) < Math.abs(best.ms - mid) ? r : best));
}

/** Operations per second of a run. */
export const opsPerSec = (r: PhaseRun): number => (r.ops * 1000) / r.ms;

function throughputOutcome(runs: readonly PhaseRun[], checkMs: number, sizes: BenchSizes): BenchOutcome {
  const get = (client: ClientKind, phase: Phase, c: number): PhaseRun => medianRun(runs, client, phase, c);
  const rows = sizes.concurrencies.flatMap((c) =>
    PHASES.map((phase) => {
      const [rawRun, zk, provider] = CLIENTS.map((client) => get(client, phase, c)) as [
        PhaseRun,
        PhaseRun,
        PhaseRun,
      ];
      return [
        c,
        phase,
        rate(opsPerSec(rawRun)),
        rate(opsPerSec(zk)),
        rate(opsPerSec(provider)),
        ratio(opsPerSec(provider) / opsPerSec(rawRun)),
        `${rawRun.requestsPerOp.toFixed(1)} / ${zk.requestsPerOp.toFixed(1)} / ${provider.requestsPerOp.toFixed(1)}`,
        [rawRun, zk, provider].map((r) => (r.cpuMsPerOp * 1000).toFixed(0)).join(" / "),
      ];
    }),
  );
  const table: Table = {
    title: `2. Provider throughput, ${sizes.ops} operations per phase (median of ${sizes.repeats} rounds)`,
    columns: [
      "concurrency",
      "phase",
      "raw client",
      "ZkClient",
      "provider",
      "provider/raw",
      "requests/op",
      "client µs CPU/op",
    ],
    rows,
    notes: [
      "raw client: node-zookeeper-client, the one request each operation needs (create, setData with version, delete with version).",
      "ZkClient: the provider's client adapter (provider/zk/client.ts) doing that same one request.",
      "provider: zkServiceRegistration.create/update/delete from provider/runtime, as the engine calls them, on the session pool.",
      "requests/op: requests the ensemble received per operation (mntr zk_packets_received), raw / ZkClient / provider;",
      "client µs CPU/op: CPU time of the benchmark process per operation, raw / ZkClient / provider.",
      `check (validation only, no I/O): ${rate((sizes.ops * 1000) / checkMs)} sequentially.`,
      "All three talk to the same follower.",
    ],
  };
  const verdicts: Verdict[] = sizes.concurrencies.map((c) => {
    const ratios = PHASES.map(
      (phase) => opsPerSec(get("provider", phase, c)) / opsPerSec(get("raw", phase, c)),
    );
    return {
      measurement: `2. throughput at concurrency ${c} (create/update/delete)`,
      target: `≥ ${TARGET} of raw`,
      measured: ratios.map(ratio).join(" / "),
      met: sizes.smoke ? undefined : ratios.every((r) => r >= TARGET),
    };
  });
  return { name: "throughput", tables: [table], verdicts, data: { runs, checkMs } };
}
