import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Ensemble } from "../scripts/ensemble";
import { fourLetter } from "../scripts/ensemble";
import { deployBench } from "./deploy";
import { lookupBench } from "./lookup";
import { pluginBench } from "./plugin";
import { serializationBench } from "./serialization";
import { removeScratch } from "./support/deployments";
import { type BenchOutcome, renderTable, RESULTS_DIR, verdictTable, writeResult } from "./support/report";
import { benchSizes, type BenchSizes } from "./support/sizes";
import { withEnsemble } from "./support/zookeeper";
import { throughputBench } from "./throughput";
import { tlsBench } from "./tls";
import { waitBench } from "./wait";

/** The benchmarks, in the order they run; `deploy` also counts sessions (measurement 4). */
const BENCHES: Record<
  string,
  (ensemble: Ensemble, sizes: BenchSizes) => Promise<BenchOutcome | BenchOutcome[]>
> = {
  serialization: (_ensemble, sizes) => serializationBench(sizes),
  throughput: throughputBench,
  lookup: lookupBench,
  deploy: deployBench,
  tls: tlsBench,
  wait: waitBench,
  plugin: pluginBench,
};

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

const version = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unavailable";
  }
};

async function machine(ensemble: Ensemble, loadBefore: string) {
  const srvr = await fourLetter("127.0.0.1", ensemble.members[0]?.clientPort ?? 0, "srvr");
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    zookeeper: /^Zookeeper version: ([^,-]+)/m.exec(srvr)?.[1] ?? "unknown",
    pulumi: process.env.PULUMI_BIN_DIR
      ? version(path.join(process.env.PULUMI_BIN_DIR, "pulumi"), ["version"])
      : "not used",
    kazoo: version("/usr/bin/python3", ["-c", "import kazoo.version as v; print(v.__version__)"]),
    loadAverage: { before: loadBefore, after: loadAverage() },
  };
}

async function main(): Promise<void> {
  const sizes = benchSizes();
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHES).join(", ")}`,
    );
  }
  const names = Object.keys(BENCHES).filter((name) => chosen.length === 0 || chosen.includes(name));
  const started = Date.now();
  const outcomes: BenchOutcome[] = [];
  const loadBefore = loadAverage();
  if (os.loadavg()[0] > os.availableParallelism()) {
    console.log(
      `bench: the machine is busy (load ${loadBefore} on ${os.availableParallelism()} CPUs): ` +
        "absolute times will be inflated; compare the side-by-side ratios, and CPU time over wall time",
    );
  }
  const about = await withEnsemble(async (ensemble) => {
    for (const name of names) {
      console.log(`\n== ${name}`);
      const result = await BENCHES[name](ensemble, sizes);
      for (const outcome of [result].flat()) {
        outcomes.push(outcome);
        console.log(`\n${outcome.tables.map(renderTable).join("\n")}`);
        writeResult(outcome.name, { sizes, ...outcome });
      }
    }
    return machine(ensemble, loadBefore);
  });
  const verdicts = outcomes.flatMap((o) => o.verdicts);
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const summary = [
    `Run ${new Date().toISOString()}, ${minutes} min${sizes.smoke ? ", smoke sizes" : ""}.`,
    `Machine: ${about.nproc} CPUs (${about.cpu}), ${about.memoryGiB} GiB, Node.js ${about.node}, ZooKeeper ${about.zookeeper}, ` +
      `Pulumi ${about.pulumi}, kazoo ${about.kazoo}; load average ${about.loadAverage.before} before, ${about.loadAverage.after} after.`,
    "",
    ...outcomes.flatMap((o) => o.tables.map(renderTable)),
    renderTable(verdictTable(verdicts)),
  ].join("\n");
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, "latest.md"), `${summary}\n`);
  writeResult("summary", { sizes, machine: about, minutes: Number(minutes), verdicts });
  console.log(`\n${renderTable(verdictTable(verdicts))}`);
  console.log(
    `\nbench: done in ${minutes} min; tables in ${path.join(RESULTS_DIR, "latest.md")}, JSON beside it`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(removeScratch);
