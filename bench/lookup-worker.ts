// One reader of the lookup benchmark in its own process, so its peak RSS is its own:
// `node -r ./bench/register.js bench/lookup-worker.ts <ours|raw> <connectString> <basePath> <service> <repeats>`:
// one cold read, then `repeats` warm ones.
// Prints one JSON line: { reader, ms: [...], cpuMs: [...], instances, warnings, baselineRssKiB, peakRssKiB }.
import { performance } from "perf_hooks";
import { providerModule } from "./support/source";
import { raw, rawSession } from "./support/zookeeper";

/** The reader under test, as provider/lookups/serviceInstances.ts exports it. */
type ReadServiceInstances = (
  settings: { connectString: string; sessionTimeoutMs: number },
  query: { service: string; basePath: string },
  warn: (message: string) => void,
) => Promise<unknown[]>;

/** Connects, lists, reads every child at once (pipelined) and parses it: the least a reader must do. */
async function readRaw(connectString: string, dir: string): Promise<number> {
  const client = await rawSession(connectString);
  try {
    const names = await raw.getChildren(client, dir);
    const datas = await Promise.all(names.map((name) => raw.getData(client, `${dir}/${name}`)));
    return datas.map((data) => JSON.parse(data.toString("utf8")) as unknown).length;
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const [reader, connectString, basePath, service, repeats] = process.argv.slice(2) as [
    string,
    string,
    string,
    string,
    string,
  ];
  let read: () => Promise<number>;
  let warnings = 0;
  if (reader === "ours") {
    const { readServiceInstances } = providerModule<{ readServiceInstances: ReadServiceInstances }>(
      "lookups/serviceInstances",
    );
    const settings = { connectString, sessionTimeoutMs: 10_000 };
    read = async () =>
      (await readServiceInstances(settings, { service, basePath }, () => void warnings++)).length;
  } else if (reader === "raw") {
    read = () => readRaw(connectString, `${basePath}/${service}`);
  } else {
    throw new Error(`unknown reader ${reader}`);
  }
  const baselineRssKiB = Math.round(process.memoryUsage().rss / 1024);
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let instances = 0;
  // The first read is the cold one (JIT, first allocations); `repeats` warm reads follow.
  for (let i = 0; i <= Number(repeats); i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    instances = await read();
    ms.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }
  const peakRssKiB = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ reader, ms, cpuMs, instances, warnings, baselineRssKiB, peakRssKiB }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
