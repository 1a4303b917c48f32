import * as fs from "fs";
import { randomBytes } from "crypto";
import type * as settingsModule from "../provider/runtime/settings";
import type * as registrationModule from "../provider/runtime/zkServiceRegistration";
import { type Ensemble } from "../scripts/ensemble";
import { PluginProcess } from "../test/support/plugin";
import { type BenchOutcome, median, now, rate, type Table } from "./support/report";
import { type BenchSizes } from "./support/sizes";
import { providerModule } from "./support/source";
import { inParallel, packetsReceived } from "./support/zookeeper";

const { pool, setConfig } = providerModule<typeof settingsModule>("runtime/settings");
const { zkServiceRegistration } = providerModule<typeof registrationModule>("runtime/zkServiceRegistration");

const STARTS = 5;
const CONCURRENCY = 8;
const PHASES = ["create", "update", "delete"] as const;
type Phase = (typeof PHASES)[number];
type Props = Record<string, unknown>;

/** A registration's inputs as a program gives them. */
function inputs(basePath: string, i: number, revision: number): Props {
  return {
    basePath,
    service: `svc-${i % 10}`,
    address: `10.1.${Math.floor(i / 250)}.${i % 250}`,
    port: 8080,
    payload: { i, revision },
  };
}

/** The resident memory of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/** One host's calls for each phase: check, then the write, as the engine makes them. */
interface Host {
  readonly create: (i: number) => Promise<void>;
  readonly update: (i: number) => Promise<void>;
  readonly delete: (i: number) => Promise<void>;
}

/** The TypeScript dynamic provider's methods, in this process (what `pulumi-resource-pulumi-nodejs` runs). */
function inProcess(basePath: string, ops: number): Host {
  const state = new Array<{ id: string; outs: Props }>(ops);
  const checked = async (news: Props) => {
    const { inputs: ok, failures } = await zkServiceRegistration.check({}, news);
    if (failures.length > 0) throw new Error(JSON.stringify(failures));
    return ok;
  };
  return {
    create: async (i) => {
      state[i] = await zkServiceRegistration.create(await checked(inputs(basePath, i, 1)));
    },
    update: async (i) => {
      const { outs } = await zkServiceRegistration.update(
        state[i].id,
        state[i].outs,
        await checked(inputs(basePath, i, 2)),
      );
      state[i] = { id: state[i].id, outs };
    },
    delete: (i) => zkServiceRegistration.delete(state[i].id, state[i].outs),
  };
}

/** The provider plugin over gRPC: Check then Create or Update, and Delete, each a call to its process. */
function overGrpc(plugin: PluginProcess, basePath: string, ops: number): Host {
  const state = new Array<{ id: string; outs: Props }>(ops);
  const type = "ZkServiceRegistration";
  return {
    create: async (i) => {
      state[i] = await plugin.create(type, inputs(basePath, i, 1));
    },
    update: async (i) => {
      state[i] = {
        id: state[i].id,
        outs: await plugin.update(type, state[i].id, state[i].outs, inputs(basePath, i, 2)),
      };
    },
    delete: (i) => plugin.delete(type, state[i].id, state[i].outs),
  };
}

/**
 * The provider plugin's costs next to the dynamic provider's: how long the plugin takes to start
 * and how much memory it holds, and registrations per second through its gRPC service compared
 * with the same runtime called in process. The issue sets no target for these; they are measured
 * so that a change that makes the plugin slow or heavy shows.
 */
export async function pluginBench(ensemble: Ensemble, sizes: BenchSizes): Promise<BenchOutcome> {
  const startMs: number[] = [];
  const startRss: number[] = [];
  for (let n = 0; n < STARTS; n++) {
    const started = now();
    const plugin = await PluginProcess.start();
    startMs.push(now() - started);
    startRss.push(rssMiB(plugin.pid));
    await plugin.stop();
  }
  setConfig({ connectString: ensemble.connectString });
  const plugin = await PluginProcess.start();
  await plugin.configure({ connectString: ensemble.connectString });
  const ops = sizes.ops;
  const tag = randomBytes(4).toString("hex");
  const hosts: Record<string, Host> = {
    "in process": inProcess(`/bench-plugin-${tag}/dynamic`, ops),
    "plugin (gRPC)": overGrpc(plugin, `/bench-plugin-${tag}/plugin`, ops),
  };
  const rows: (string | number)[][] = [];
  const data: Props[] = [];
  for (const phase of PHASES as readonly Phase[]) {
    for (const [name, host] of Object.entries(hosts)) {
      const packets = await packetsReceived(ensemble);
      const started = now();
      await inParallel(
        Array.from({ length: ops }, (_, i) => i),
        CONCURRENCY,
        (i) => host[phase](i),
      );
      const ms = now() - started;
      const requests = ((await packetsReceived(ensemble)) - packets - ensemble.members.length) / ops;
      rows.push([phase, name, rate((ops * 1000) / ms), requests.toFixed(2)]);
      data.push({ phase, host: name, ops, ms, requestsPerOp: requests });
      console.log(`  ${phase.padEnd(7)} ${name.padEnd(14)} ${rate((ops * 1000) / ms)}`);
    }
  }
  const rssAfter = rssMiB(plugin.pid);
  await plugin.stop();
  await pool().closeAll();
  const tables: Table[] = [
    {
      title: "Provider plugin: start and memory",
      columns: ["measure", "median", "all"],
      rows: [
        [
          "start to port printed (ms)",
          median(startMs).toFixed(0),
          startMs.map((m) => m.toFixed(0)).join(", "),
        ],
        [
          "resident memory after start (MiB)",
          median(startRss).toFixed(1),
          startRss.map((m) => m.toFixed(1)).join(", "),
        ],
        [`resident memory after ${ops * 3} operations (MiB)`, rssAfter.toFixed(1), ""],
      ],
      notes: [
        `${STARTS} starts of dist/plugin/main.js with ${process.version}; memory from /proc/<pid>/status VmRSS.`,
      ],
    },
    {
      title: `Provider plugin: registrations per second, c=${CONCURRENCY}`,
      columns: ["phase", "host", "ops/s", "requests/op"],
      rows,
      notes: [
        `${ops} registrations per phase. "in process": the runtime's check and write called in this process, as the ` +
          'dynamic provider runs them; "plugin (gRPC)": the same calls to the plugin process (Check then Create or ' +
          "Update, and Delete). Requests/op are the ensemble's (mntr packets): the same for both when the plugin adds no ZooKeeper traffic.",
      ],
    },
  ];
  return { name: "plugin", tables, verdicts: [], data: { startMs, startRss, rssAfter, phases: data } };
}
