import * as path from "path";
import { run } from "../test/support/pulumi";
import type { Report, Variant } from "./serialization-worker";
import { installedExample } from "./support/deployments";
import { type BenchOutcome, median, ms, ratio, type Verdict } from "./support/report";
import { type BenchSizes } from "./support/sizes";

/** Variants and settings, run in turn, `repeats` rounds; the median counts. */
const CASES: readonly { variant: Variant; cache: boolean }[] = [
  { variant: "floor", cache: true },
  { variant: "zookeeper", cache: true },
  { variant: "zookeeper", cache: false },
];
const LABEL: Record<Variant, string> = {
  floor: "floor (do-nothing dynamic resource)",
  zookeeper: "ZkServiceRegistration",
};

async function runWorker(
  program: string,
  variant: Variant,
  cache: boolean,
  resources: number,
): Promise<Report> {
  const args = ["-r", path.join(__dirname, "register.js"), path.join(__dirname, "serialization-worker.ts")];
  const result = await run(process.execPath, [...args, variant, String(resources)], {
    cwd: program,
    env: { ...process.env, PULUMI_NODEJS_CACHE_DYNAMIC_PROVIDERS: String(cache) },
  });
  if (result.code !== 0) throw new Error(`the serialization worker (${variant}) failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop() as string) as Report;
}

/**
 * Measurement 5: what the program spends on serializing dynamic providers. Each case is a program
 * constructing N resources against Pulumi's mock monitor, in its own process, in an installed
 * example (the package from its tarball, as users have it), with the SDK's closure serializer
 * wrapped to count and time its calls.
 */
export async function serializationBench(sizes: BenchSizes): Promise<BenchOutcome> {
  const resources = sizes.serializedResources;
  const reports: Report[] = [];
  const program = await installedExample("many-registrations");
  // A first pass fills the transpile cache, so no timed run pays for TypeScript.
  await runWorker(program, "zookeeper", true, 1);
  for (let round = 0; round < sizes.repeats; round++) {
    for (const c of CASES) {
      const report = await runWorker(program, c.variant, c.cache, resources);
      console.log(
        `  ${report.variant.padEnd(18)} cache=${String(report.cache).padEnd(5)} registered in ${ms(report.registeredMs)}, ` +
          `${report.serializeCalls} serializations`,
      );
      reports.push(report);
    }
  }
  const of = (variant: Variant, cache: boolean) =>
    reports.filter((r) => r.variant === variant && r.cache === cache);
  const med = (variant: Variant, cache: boolean, pick: (r: Report) => number) =>
    median(of(variant, cache).map(pick));
  const floorPerResource = med("floor", true, (r) => r.registeredMs) / resources;
  const rows = CASES.map(({ variant, cache }) => {
    const sample = of(variant, cache)[0];
    const perResource = med(variant, cache, (r) => r.registeredMs) / resources;
    const serializationPerResource = cache
      ? (med(variant, true, (r) => r.quietSerializeMs) * sample.serializeCalls) / resources
      : perResource - med(variant, true, (r) => r.registeredMs) / resources;
    // The floor is there for program time; its provider, defined in the worker outside node_modules, is not comparable.
    const isFloor = variant === "floor";
    return [
      LABEL[variant],
      cache ? "on (default)" : "off",
      sample.properties,
      sample.serializeCalls,
      isFloor ? "—" : ms(med(variant, cache, (r) => r.quietSerializeMs)),
      isFloor ? "—" : ms(serializationPerResource),
      ms(perResource),
      ratio(perResource / floorPerResource),
      sample.providerTextLengths.join(", "),
    ];
  });
  const calls = of("zookeeper", true)[0].serializeCalls;
  const verdicts: Verdict[] = [
    {
      measurement: "5. provider serialization",
      target: "once per resource type, not per resource",
      measured: `${calls} serializations for ${resources} registrations + 10 ZkNodes (2 types)`,
      met: calls === 2,
    },
  ];
  return {
    name: "serialization",
    tables: [
      {
        title: `5. Serialization: program time for ${resources} resources (Pulumi mock monitor, no engine)`,
        columns: [
          "resource",
          "provider cache",
          "properties",
          "serializations",
          "one serialization",
          "serialization/resource",
          "program time/resource",
          "vs floor",
          "__provider length",
        ],
        rows,
        notes: [
          `Median of ${sizes.repeats} runs, each in a fresh process.`,
          "serializations: calls of the SDK's closure serializer (runtime/closure/serializeClosure.serializeFunction).",
          "one serialization: one more call, warm, with nothing else running.",
          "serialization/resource: with the cache, one serialization × calls / N; without, the time the program took longer per resource.",
          "program time/resource: from the first constructor call until the mock monitor saw every registration, / N.",
          "properties: inputs and declared outputs passed to the SDK, __provider included; the SDK captures a stack trace per property.",
          "floor: a do-nothing dynamic resource with the same inputs, as a reference for program time only.",
        ],
      },
    ],
    verdicts,
    data: { reports },
  };
}
