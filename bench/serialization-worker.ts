// The serialization benchmark's program, run against Pulumi's mock monitor in its own process, in
// the directory of an installed example, so that @pulumi/pulumi and pulumi-zookeeper load from its
// node_modules exactly as in a user's program:
//   cd <installed many-registrations> && node -r <repo>/bench/register.js <repo>/bench/serialization-worker.ts <variant> <resources>
// with PULUMI_NODEJS_CACHE_DYNAMIC_PROVIDERS=true|false. Prints one JSON line (see `Report`).
import { createRequire } from "module";
import * as path from "path";
import { performance } from "perf_hooks";
import type * as pulumiModule from "@pulumi/pulumi";
import type * as packageModule from "../provider/index";

/** The resources a variant constructs. */
export const VARIANTS = ["floor", "zookeeper"] as const;
export type Variant = (typeof VARIANTS)[number];

/** What one run of the program measured. */
export interface Report {
  readonly variant: Variant;
  /** Whether the SDK cached serialized providers per provider object. */
  readonly cache: boolean;
  readonly resources: number;
  /** Properties the resource passes to the SDK (inputs, declared outputs and `__provider`). */
  readonly properties: number;
  /** Time in the resource constructors (synchronous part). */
  readonly constructMs: number;
  /** Time until every resource was registered, serialized provider included. */
  readonly registeredMs: number;
  /** Calls of the SDK's closure serializer, and how long each took until its text was ready. */
  readonly serializeCalls: number;
  readonly serializeMs: number[];
  /** Length of each distinct serialized provider text. */
  readonly providerTextLengths: number[];
  /** The first provider serialized once more, warm, with nothing else running. */
  readonly quietSerializeMs: number;
}

interface SerializedFunction {
  readonly text: string;
}
type SerializeFunction = (...args: unknown[]) => Promise<SerializedFunction>;

/** Inputs and outputs as the SDK hands them to a provider or the mocks: untyped. */
type Props = Record<string, unknown>;

/** Modules as the program in the current directory resolves them. */
const programRequire = createRequire(path.join(process.cwd(), "index.js"));
const pulumi = programRequire("@pulumi/pulumi") as typeof pulumiModule;

/** The inputs examples/many-registrations gives instance `i`. */
const registrationArgs = (i: number) => ({
  basePath: "/bench/services",
  service: `svc-${i % 10}`,
  address: `10.0.${Math.floor(i / 250)}.${i % 250}`,
  port: 8080,
  format: "curator" as const,
  payload: { index: i },
});

/** Properties a resource passed to the SDK: its own enumerable fields other than the SDK's, and `__provider`. */
function propertyCount(resource: object): number {
  const own = Object.keys(resource).filter((key) => !key.startsWith("__") && key !== "urn" && key !== "id");
  return own.length + 1;
}

/** A constructor per variant; the package loads after the mocks, as a program loads its imports. */
function constructors(): Record<Variant, (i: number) => object> {
  const { ZkServiceRegistration } = programRequire("pulumi-zookeeper") as typeof packageModule;
  // examples/bench-floor's provider: does nothing.
  const noop: pulumiModule.dynamic.ResourceProvider = {
    create(inputs: Props) {
      return Promise.resolve({ id: String(inputs.address), outs: inputs });
    },
  };
  class Noop extends pulumi.dynamic.Resource {}
  return {
    floor: (i) => new Noop(noop, `instance-${i}`, { path: undefined, ...registrationArgs(i) }),
    zookeeper: (i) => new ZkServiceRegistration(`instance-${i}`, registrationArgs(i)),
  };
}

async function main(): Promise<void> {
  const variant = process.argv[2] as Variant;
  const resources = Number(process.argv[3]);
  // One more resource type after the timed part: serialization must happen once per type.
  const nodes = variant === "zookeeper" ? 10 : 0;
  let registered = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const registeredCount = (count: number) =>
    new Promise<void>((resolve) => (registered >= count ? resolve() : waiting.push({ count, resolve })));
  const providerTexts = new Set<string>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Props & { __provider?: string };
        if (inputs.__provider) providerTexts.add(inputs.__provider);
        registered++;
        for (const w of waiting) if (registered >= w.count) w.resolve();
        return { id: args.name, state: inputs };
      },
      call: (args) => args.inputs as Props,
    },
    "serialization",
    "bench",
    false,
  );
  // The SDK looks the serializer up on its module at each call, so wrapping the export sees every call.
  const closure = programRequire("@pulumi/pulumi/runtime/closure/serializeClosure") as {
    serializeFunction: SerializeFunction;
  };
  const original = closure.serializeFunction;
  const serializeMs: number[] = [];
  let firstProvider: (() => unknown) | undefined;
  closure.serializeFunction = (...args) => {
    firstProvider ??= args[0] as () => unknown;
    const started = performance.now();
    return original(...args).then((result) => {
      serializeMs.push(performance.now() - started);
      return result;
    });
  };
  const construct = constructors()[variant];
  const started = performance.now();
  let properties = 0;
  for (let i = 0; i < resources; i++) properties = propertyCount(construct(i));
  const constructMs = performance.now() - started;
  await registeredCount(resources);
  const registeredMs = performance.now() - started;
  if (nodes > 0) {
    const { ZkNode } = programRequire("pulumi-zookeeper") as typeof packageModule;
    for (let i = 0; i < nodes; i++) new ZkNode(`node-${i}`, { path: `/bench/nodes/n${i}` });
    await registeredCount(resources + nodes);
  }
  const quietStarted = performance.now();
  const provider = (firstProvider as () => unknown)();
  await original(() => provider, { allowSecrets: true });
  const quietSerializeMs = performance.now() - quietStarted;
  const report: Report = {
    variant,
    cache: process.env.PULUMI_NODEJS_CACHE_DYNAMIC_PROVIDERS !== "false",
    resources,
    properties,
    constructMs,
    registeredMs,
    serializeCalls: serializeMs.length,
    serializeMs,
    providerTextLengths: [...providerTexts].map((text) => text.length),
    quietSerializeMs,
  };
  console.log(JSON.stringify(report));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
