import { randomBytes } from "crypto";
import { encodeRegistration } from "../provider/core/formats";
import { waitForServiceInstances } from "../provider/lookups/waitForInstances";
import { type Ensemble } from "../scripts/ensemble";
import { type BenchOutcome, median, ms, now } from "./support/report";
import { type BenchSizes } from "./support/sizes";
import { packetsReceived, raw, rawSession } from "./support/zookeeper";

/** How long a wait sits idle before the last instance registers: long enough to see no polling. */
const IDLE_MS = 2000;

/** One measured wait: from the N-th registration's reply to the wait returning. */
interface WaitRun {
  readonly instances: number;
  readonly wakeMs: number;
  /** Requests the whole ensemble received while the wait sat idle (pings included). */
  readonly idleRequests: number;
}

/**
 * The cost of `getServiceInstances({ wait })` (docs/DESIGN.md §1): a wait for N serving instances
 * starts on an empty service; N - 1 register, the wait sits idle for 2 s, the N-th registers, and
 * the time from that create's reply to the wait returning is measured.
 */
export async function waitBench(ensemble: Ensemble, sizes: BenchSizes): Promise<BenchOutcome> {
  const counts = sizes.smoke ? [1, 10] : [1, 10, 100];
  const rounds = Math.max(3, sizes.repeats);
  const runs: WaitRun[] = [];
  const client = await rawSession(ensemble.connectString);
  try {
    for (const n of counts) {
      for (let round = 0; round < rounds; round++) runs.push(await oneWait(ensemble, client, n));
    }
  } finally {
    client.close();
  }
  const rows = counts.map((n) => {
    const mine = runs.filter((r) => r.instances === n);
    const wake = mine.map((r) => r.wakeMs);
    return [n, ms(median(wake)), ms(Math.max(...wake)), median(mine.map((r) => r.idleRequests))];
  });
  return {
    name: "wait",
    tables: [
      {
        title: "7. Waiting for providers: from the N-th registration to the wait returning",
        columns: ["N", "median", "max", "requests while idle 2 s (median)"],
        rows,
        notes: [
          `${rounds} rounds each. The wait follows watches (children of the service, data of each instance);`,
          "the requests while idle are the whole ensemble's, pings of every open session included: a poll",
          "would add a read per instance per interval.",
        ],
      },
    ],
    verdicts: [],
    data: runs,
  };
}

async function oneWait(ensemble: Ensemble, client: Awaited<ReturnType<typeof rawSession>>, n: number) {
  const base = `/bench-wait-${randomBytes(4).toString("hex")}`;
  const dir = `${base}/web`;
  await raw.create(client, base, Buffer.alloc(0));
  await raw.create(client, dir, Buffer.alloc(0));
  const register = (i: number) =>
    raw.create(
      client,
      `${dir}/i-${i}`,
      Buffer.from(
        encodeRegistration("curator", {
          service: "web",
          id: `i-${i}`,
          address: "10.9.0.1",
          port: 1000 + i,
          registrationTimeUTC: Date.now(),
        }),
      ),
    );
  let returned = 0;
  const quiet = { info: () => undefined, warn: () => undefined };
  const waiting = waitForServiceInstances(
    { connectString: ensemble.connectString, sessionTimeoutMs: 10_000 },
    { service: "web", basePath: base },
    { minInstances: n, timeoutSeconds: 120 },
    quiet,
  ).then(() => (returned = now()));
  for (let i = 1; i < n; i++) await register(i);
  await new Promise((r) => setTimeout(r, 200));
  const before = await packetsReceived(ensemble);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleRequests = (await packetsReceived(ensemble)) - before;
  await register(n);
  const registered = now();
  await waiting;
  for (let i = 1; i <= n; i++) await raw.remove(client, `${dir}/i-${i}`, -1);
  await raw.remove(client, dir, -1);
  await raw.remove(client, base, -1);
  return { instances: n, wakeMs: returned - registered, idleRequests };
}
