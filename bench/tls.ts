import { randomBytes } from "crypto";
import * as fs from "fs";
import type * as serviceInstancesModule from "../provider/lookups/serviceInstances";
import type * as settingsModule from "../provider/runtime/settings";
import type { ConnectionSettings } from "../provider/zk/pool";
import type * as poolModule from "../provider/zk/pool";
import { type Ensemble, startEnsemble, stopEnsemble } from "../scripts/ensemble";
import { makeTestCerts, removeTestCerts, tlsServerConfig } from "../test/support/tlsCerts";
import { populate, removeAll, SERVICE } from "./lookup";
import { type BenchOutcome, median, ms, now, rate, ratio, type Table } from "./support/report";
import { type BenchSizes } from "./support/sizes";
import { providerModule } from "./support/source";
import { aFollower } from "./support/zookeeper";
import {
  medianRun,
  opsPerSec,
  type PhaseRun,
  PHASES,
  providerWorkload,
  runPhase,
  type Workload,
} from "./throughput";

const { pool, setConfig } = providerModule<typeof settingsModule>("runtime/settings");
const { connectSession } = providerModule<typeof poolModule>("zk/pool");
const { readServiceInstances } = providerModule<typeof serviceInstancesModule>("lookups/serviceInstances");

const TRANSPORTS = ["plain", "TLS"] as const;
type Transport = (typeof TRANSPORTS)[number];
type Transports = Record<Transport, ConnectionSettings>;

/** Session connects timed per transport (full run); the smoke run does a few. */
const CONNECTS = 20;

/** Wall and CPU time of this process, per transport, for the connects or the lookups. */
interface Timed {
  readonly transport: Transport;
  readonly ms: number[];
  readonly cpuMs: number[];
}

/** The transports in the order they go: alternating, so neither always goes first. */
const inTurn = (i: number): readonly Transport[] => (i % 2 === 0 ? TRANSPORTS : [...TRANSPORTS].reverse());

/** Times `work` for each transport in turn, `count` times after one untimed warm-up each. */
async function timeAlternating(
  transports: Transports,
  count: number,
  work: (s: ConnectionSettings) => Promise<void>,
): Promise<Timed[]> {
  for (const t of TRANSPORTS) await work(transports[t]);
  const out = TRANSPORTS.map((transport) => ({ transport, ms: [] as number[], cpuMs: [] as number[] }));
  for (let i = 0; i < count; i++) {
    for (const t of inTurn(i)) {
      const started = now();
      const cpu = process.cpuUsage();
      await work(transports[t]);
      const used = process.cpuUsage(cpu);
      const timed = out.find((o) => o.transport === t) as Timed;
      timed.ms.push(now() - started);
      timed.cpuMs.push((used.user + used.system) / 1000);
    }
  }
  return out;
}

/** Creates, version-checked updates and deletes through the provider, each phase over both transports in turn. */
async function throughputRuns(
  ensemble: Ensemble,
  transports: Transports,
  sizes: BenchSizes,
): Promise<PhaseRun[]> {
  const runs: PhaseRun[] = [];
  for (let round = 0; round < sizes.repeats; round++) {
    for (const concurrency of sizes.concurrencies) {
      const tag = randomBytes(4).toString("hex");
      const workloads = {} as Record<Transport, Workload>;
      for (const t of TRANSPORTS)
        workloads[t] = await providerWorkload(`/bench-tls-${tag}-${t}/services`, sizes.ops);
      for (const [p, phase] of PHASES.entries()) {
        for (const t of inTurn(round + p)) {
          setConfig(transports[t]);
          runs.push(await runPhase(ensemble, t, workloads[t], phase, sizes.ops, concurrency));
        }
      }
    }
  }
  return runs;
}

/**
 * Measurement 6: what TLS to the secure client port costs next to plain TCP, on one ensemble of
 * its own serving both (mutual TLS, the Netty factory for both ports), all on the same follower:
 * the provider's create / update / delete path of measurement 2, opening a session, and the lookup
 * of measurement 3, plain and TLS alternating.
 */
export async function tlsBench(_shared: Ensemble, sizes: BenchSizes): Promise<BenchOutcome> {
  const certs = makeTestCerts();
  let ensemble: Ensemble | undefined;
  try {
    ensemble = await startEnsemble({ size: 3, secureClientPort: true, extraConfig: tlsServerConfig(certs) });
    const follower = await aFollower(ensemble);
    const sessionTimeoutMs = 10_000;
    const transports: Transports = {
      plain: { connectString: `127.0.0.1:${follower.clientPort}`, sessionTimeoutMs },
      TLS: {
        connectString: `127.0.0.1:${follower.secureClientPort}`,
        sessionTimeoutMs,
        tls: {
          ca: fs.readFileSync(certs.ca, "utf8"),
          cert: fs.readFileSync(certs.client.cert, "utf8"),
          key: fs.readFileSync(certs.client.key, "utf8"),
        },
      },
    };

    const runs = await throughputRuns(ensemble, transports, sizes);

    const connectCount = sizes.smoke ? 5 : CONNECTS;
    const connects = await timeAlternating(transports, connectCount, async (s) =>
      (await connectSession(s)).close(),
    );
    for (const c of connects) console.log(`  connect ${c.transport.padEnd(5)} median ${ms(median(c.ms))}`);

    const basePath = `/bench-tls-lookup-${randomBytes(4).toString("hex")}/services`;
    await populate(transports.plain.connectString, basePath, sizes.instances);
    let lookups: Timed[];
    try {
      lookups = await timeAlternating(transports, sizes.repeats, async (s) => {
        const found = await readServiceInstances(s, { service: SERVICE, basePath }, () => undefined);
        if (found.length !== sizes.instances)
          throw new Error(`the lookup found ${found.length} instances, not ${sizes.instances}`);
      });
    } finally {
      await removeAll(transports.plain.connectString, basePath);
    }
    for (const l of lookups) console.log(`  lookup  ${l.transport.padEnd(5)} ${l.ms.map(ms).join(", ")}`);
    return tlsOutcome(runs, connects, lookups, sizes, connectCount);
  } finally {
    await pool().closeAll();
    if (ensemble) await stopEnsemble(ensemble);
    removeTestCerts(certs);
  }
}

function tlsOutcome(
  runs: readonly PhaseRun[],
  connects: readonly Timed[],
  lookups: readonly Timed[],
  sizes: BenchSizes,
  connectCount: number,
): BenchOutcome {
  const micros = (msValue: number) => `${(msValue * 1000).toFixed(0)} µs`;
  // Every ratio is TLS time over plain time: 1.25 means TLS takes a quarter longer.
  const throughputRows = sizes.concurrencies.flatMap((c) =>
    PHASES.map((phase) => {
      const [plain, secure] = TRANSPORTS.map((t) => medianRun(runs, t, phase, c)) as [PhaseRun, PhaseRun];
      return {
        row: [
          `${phase}, concurrency ${c}`,
          rate(opsPerSec(plain)),
          rate(opsPerSec(secure)),
          ratio(opsPerSec(plain) / opsPerSec(secure)),
          `${micros(plain.cpuMsPerOp)} / ${micros(secure.cpuMsPerOp)}`,
        ],
        slower: opsPerSec(plain) / opsPerSec(secure),
      };
    }),
  );
  const timedRow = (label: string, timed: readonly Timed[], cpu: (value: number) => string) => {
    const [plain, secure] = TRANSPORTS.map((t) => timed.find((x) => x.transport === t) as Timed) as [
      Timed,
      Timed,
    ];
    const slower = median(secure.ms) / median(plain.ms);
    const row = [
      label,
      ms(median(plain.ms)),
      ms(median(secure.ms)),
      ratio(slower),
      `${cpu(median(plain.cpuMs))} / ${cpu(median(secure.cpuMs))}`,
    ];
    return { row, slower };
  };
  const connect = timedRow(`session connect (median of ${connectCount})`, connects, micros);
  const lookup = timedRow(`lookup of ${sizes.instances} instances (median of ${sizes.repeats})`, lookups, ms);
  const table: Table = {
    title: `6. TLS overhead: provider operations, session connect and lookup, plain TCP vs mutual TLS`,
    columns: ["measurement", "plain", "TLS", "TLS/plain", "client CPU/op (plain / TLS)"],
    rows: [...throughputRows.map((r) => r.row), connect.row, lookup.row],
    notes: [
      `create/update/delete: ${sizes.ops} operations per phase through zkServiceRegistration.create/update/delete`,
      `(measurement 2's provider path), median of ${sizes.repeats} rounds; plain and TLS take turns going first.`,
      "session connect: connectSession (over TLS: through the in-process tunnel, a TLS handshake with a client certificate) then close.",
      "lookup: readServiceInstances in this process, a fresh session per read (connect included), after one warm-up read each.",
      "TLS/plain: time over TLS divided by time over plain TCP (for rates, plain rate / TLS rate); above 1 is TLS's cost.",
      "client CPU/op: CPU time of the benchmark process (which runs the TLS tunnel) per operation, connect or read.",
      "One 3-member ensemble of its own with both ports (Netty factory, ssl.clientAuth=need), all on the same follower.",
    ],
  };
  const ranged = (values: readonly number[]) => `${ratio(Math.min(...values))}–${ratio(Math.max(...values))}`;
  return {
    name: "tls",
    tables: [table],
    verdicts: [
      {
        measurement: "6. TLS overhead (TLS time / plain time)",
        target: "none: reported",
        measured:
          `create/update/delete ${ranged(throughputRows.map((r) => r.slower))}, ` +
          `connect ${ratio(connect.slower)}, lookup ${ratio(lookup.slower)}`,
        met: undefined,
      },
    ],
    data: { runs, connects, lookups },
  };
}
