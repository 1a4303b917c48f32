import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { encodeRegistration } from "../provider/core/formats";
import { type Ensemble } from "../scripts/ensemble";
import { run } from "../test/support/pulumi";
import { type BenchOutcome, median, mib, ms, now, rate, ratio, type Verdict } from "./support/report";
import { type BenchSizes } from "./support/sizes";
import { SOURCE_ROOT } from "./support/source";
import { aFollower, inParallel, raw, rawSession } from "./support/zookeeper";

/** The service the lookup benchmarks register and read. */
export const SERVICE = "big";
const READERS = ["ours", "raw", "kazoo"] as const;
type Reader = (typeof READERS)[number];
const TARGET_RAW = 0.9;
const READER_MODULE = path.join(SOURCE_ROOT, "provider", "lookups", "serviceInstances.ts");

/** What a reader process reports. */
interface ReaderRun {
  readonly reader: Reader;
  readonly ms: number[];
  /** CPU time of the reader's process during each read (user + system). */
  readonly cpuMs: number[];
  readonly instances: number;
  readonly warnings: number;
  readonly baselineRssKiB: number;
  readonly peakRssKiB: number;
}

/** Registers `count` Curator instances of {@link SERVICE} with the raw client, many at once. */
export async function populate(connectString: string, basePath: string, count: number): Promise<void> {
  const client = await rawSession(connectString);
  try {
    const root = basePath.slice(0, basePath.lastIndexOf("/"));
    for (const p of [root, basePath, `${basePath}/${SERVICE}`]) await raw.create(client, p, Buffer.alloc(0));
    await inParallel(
      Array.from({ length: count }, (_, i) => i),
      256,
      (i) => {
        const id = `instance-${String(i).padStart(6, "0")}`;
        const data = encodeRegistration("curator", {
          service: SERVICE,
          id,
          address: `10.1.${Math.floor(i / 250)}.${i % 250}`,
          port: 8080,
          registrationTimeUTC: 1_700_000_000_000 + ((i * 7919) % count),
          payload: { zone: `zone-${i % 3}`, weight: i % 10 },
        });
        return raw.create(client, `${basePath}/${SERVICE}/${id}`, Buffer.from(data));
      },
    );
  } finally {
    client.close();
  }
}

/** Removes what {@link populate} registered, `basePath`'s parent included. */
export async function removeAll(connectString: string, basePath: string): Promise<void> {
  const client = await rawSession(connectString);
  try {
    const dir = `${basePath}/${SERVICE}`;
    const names = await raw.getChildren(client, dir);
    await inParallel(names, 256, (name) => raw.remove(client, `${dir}/${name}`, -1));
    for (const p of [dir, basePath, basePath.slice(0, basePath.lastIndexOf("/"))])
      await raw.remove(client, p, -1);
  } finally {
    client.close();
  }
}

async function runReader(reader: Reader, args: readonly string[]): Promise<ReaderRun> {
  const here = __dirname;
  const [cmd, cmdArgs] =
    reader === "kazoo"
      ? ["/usr/bin/python3", [path.join(here, "lookup_kazoo.py"), ...args]]
      : [
          process.execPath,
          ["-r", path.join(here, "register.js"), path.join(here, "lookup-worker.ts"), reader, ...args],
        ];
  const result = await run(cmd, cmdArgs, { cwd: here, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`the ${reader} reader failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop() as string) as ReaderRun;
}

/**
 * Measurement 3: reading a service with many instances, each reader in its own process (so its
 * peak RSS is its own), all from the same follower, each read including its connect.
 */
export async function lookupBench(ensemble: Ensemble, sizes: BenchSizes): Promise<BenchOutcome> {
  const connectString = `127.0.0.1:${(await aFollower(ensemble)).clientPort}`;
  const basePath = `/bench-lookup-${randomBytes(4).toString("hex")}/services`;
  const readers = READERS.filter((r) => r !== "ours" || fs.existsSync(READER_MODULE));
  const started = now();
  await populate(connectString, basePath, sizes.instances);
  console.log(`  registered ${sizes.instances} instances in ${ms(now() - started)}`);
  const runs: ReaderRun[] = [];
  try {
    const args = [connectString, basePath, SERVICE];
    for (const reader of readers) if (reader !== "kazoo") await runReader(reader, [...args, "-1"]);
    // Rounds in which the readers take turns going first, so that a change in the shared machine's
    // load falls on every reader alike; each round is a fresh process per reader.
    const processes = new Map<Reader, ReaderRun[]>(readers.map((r) => [r, []]));
    for (let round = 0; round < sizes.repeats; round++) {
      for (const reader of readers.map((_, i) => readers[(i + round) % readers.length])) {
        const result = await runReader(reader, [...args, String(sizes.repeats)]);
        if (result.instances !== sizes.instances)
          throw new Error(`the ${reader} reader found ${result.instances} instances, not ${sizes.instances}`);
        console.log(
          `  ${reader.padEnd(6)} ${result.ms.map(ms).join(", ")}  cpu ${result.cpuMs.map(ms).join(", ")}  ` +
            `peak RSS ${mib(result.peakRssKiB)}`,
        );
        processes.get(reader)?.push(result);
      }
    }
    for (const reader of readers) runs.push(combined(processes.get(reader) ?? []));
  } finally {
    await removeAll(connectString, basePath);
  }
  return lookupOutcome(runs, sizes);
}

/**
 * One reader's rounds as one run: the first process's cold read, then every warm read of every
 * round; the largest peak RSS, with the baseline of the process that reached it.
 */
function combined(rounds: readonly ReaderRun[]): ReaderRun {
  const first = rounds[0];
  const peak = rounds.reduce((a, b) => (b.peakRssKiB > a.peakRssKiB ? b : a), first);
  return {
    ...first,
    ms: [first.ms[0], ...rounds.flatMap((r) => r.ms.slice(1))],
    cpuMs: [first.cpuMs[0], ...rounds.flatMap((r) => r.cpuMs.slice(1))],
    baselineRssKiB: peak.baselineRssKiB,
    peakRssKiB: peak.peakRssKiB,
  };
}

function lookupOutcome(runs: readonly ReaderRun[], sizes: BenchSizes): BenchOutcome {
  const warm = (values: readonly number[]) => median(values.slice(1));
  const rateOf = (r: ReaderRun) => (r.instances * 1000) / warm(r.ms);
  const get = (reader: Reader) => runs.find((r) => r.reader === reader);
  const rawRun = get("raw") as ReaderRun;
  const label: Record<Reader, string> = {
    ours: "pulumi-zookeeper readServiceInstances",
    raw: "node-zookeeper-client, getChildren + pipelined getData",
    kazoo: "kazoo, get_children + get_async",
  };
  const rows = runs.map((r) => [
    label[r.reader],
    ms(r.ms[0]),
    ms(warm(r.ms)),
    rate(rateOf(r)),
    ratio(rateOf(r) / rateOf(rawRun)),
    ms(warm(r.cpuMs)),
    mib(r.peakRssKiB),
    mib(r.peakRssKiB - r.baselineRssKiB),
  ]);
  const ours = get("ours");
  const verdicts: Verdict[] = ours
    ? [
        {
          measurement: `3. lookup of ${sizes.instances} instances vs raw client`,
          target: `≥ ${TARGET_RAW} of raw`,
          measured: ratio(rateOf(ours) / rateOf(rawRun)),
          met: sizes.smoke ? undefined : rateOf(ours) >= TARGET_RAW * rateOf(rawRun),
        },
        {
          measurement: `3. lookup of ${sizes.instances} instances vs kazoo`,
          target: "≥ kazoo's rate",
          measured: ratio(rateOf(ours) / rateOf(get("kazoo") as ReaderRun)),
          met: sizes.smoke ? undefined : rateOf(ours) >= rateOf(get("kazoo") as ReaderRun),
        },
      ]
    : [
        {
          measurement: "3. lookup",
          target: "reader present",
          measured: "provider/lookups/serviceInstances.ts missing",
          met: undefined,
        },
      ];
  return {
    name: "lookup",
    tables: [
      {
        title: `3. Lookup: one service with ${sizes.instances} Curator instances`,
        columns: [
          "reader",
          "cold read",
          "warm read",
          "instances/s",
          "vs raw",
          "client CPU",
          "peak RSS",
          "RSS added by reads",
        ],
        rows,
        notes: [
          `${sizes.repeats} rounds, the readers taking turns going first; in each, every reader in a fresh process of its own reads once cold, then ${sizes.repeats} times warm.`,
          `cold read: the first round's; warm read: the median of all ${sizes.repeats * sizes.repeats} warm reads (instances/s, vs raw and client CPU are warm);`,
          "each read opens a fresh session (connect included), all on the same follower.",
          "Every reader parses each znode's JSON; ours also validates it, syncs first, and sorts by registration time.",
          "client CPU: user + system time of the reader's process during a warm read; the servers' is not included.",
        ],
      },
    ],
    verdicts,
    data: { runs },
  };
}
