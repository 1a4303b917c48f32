import * as zookeeper from "node-zookeeper-client";
import {
  type Ensemble,
  type EnsembleMember,
  fourLetter,
  leaderId,
  startEnsemble,
  stopEnsemble,
} from "../../scripts/ensemble";

/** Starts a 3-member ensemble on loopback for the duration of `run`, and always stops it. */
export async function withEnsemble<T>(run: (ensemble: Ensemble) => Promise<T>): Promise<T> {
  const ensemble = await startEnsemble({ size: 3 });
  try {
    return await run(ensemble);
  } finally {
    await stopEnsemble(ensemble);
  }
}

/** A member that is not the leader (the one member of a single-member ensemble): where the benchmarks send everything. */
export async function aFollower(ensemble: Ensemble): Promise<EnsembleMember> {
  const leader = await leaderId(ensemble);
  return ensemble.members.find((m) => m.id !== leader) ?? ensemble.members[0];
}

/** A connected raw `node-zookeeper-client` session, the baseline the benchmarks compare against. */
export function rawSession(connectString: string, sessionTimeoutMs = 10_000): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: sessionTimeoutMs, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no answer from ${connectString} within ${sessionTimeoutMs} ms`));
    }, sessionTimeoutMs);
    client.once("connected", () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

const OPEN_ACL = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id("world", "anyone"))];

/** A raw client's error as an `Error`: its `Exception` is one at runtime, though its types do not say so. */
function asError(err: Error | zookeeper.Exception): Error {
  return err instanceof Error ? err : new Error(err.toString());
}

/** Promisified calls of the raw client. */
export const raw = {
  create: (client: zookeeper.Client, path: string, data: Buffer) =>
    new Promise<void>((resolve, reject) =>
      client.create(path, data, OPEN_ACL, zookeeper.CreateMode.PERSISTENT, (err) =>
        err ? reject(asError(err)) : resolve(),
      ),
    ),
  setData: (client: zookeeper.Client, path: string, data: Buffer, version: number) =>
    new Promise<void>((resolve, reject) =>
      client.setData(path, data, version, (err) => (err ? reject(asError(err)) : resolve())),
    ),
  remove: (client: zookeeper.Client, path: string, version: number) =>
    new Promise<void>((resolve, reject) =>
      client.remove(path, version, (err) => (err ? reject(asError(err)) : resolve())),
    ),
  getChildren: (client: zookeeper.Client, path: string) =>
    new Promise<string[]>((resolve, reject) =>
      client.getChildren(path, (err, children) => (err ? reject(asError(err)) : resolve(children))),
    ),
  getData: (client: zookeeper.Client, path: string) =>
    new Promise<Buffer>((resolve, reject) =>
      client.getData(path, (err, data) => (err ? reject(asError(err)) : resolve(data ?? Buffer.alloc(0)))),
    ),
};

/**
 * Each member's session-id counter. A member hands out consecutive ids (`nextSessionId++`, with
 * its server id in the top byte), so probing before and after tells exactly how many sessions it
 * opened in between, however short-lived: see {@link sessionsOpened}.
 */
export async function sessionCounters(ensemble: Ensemble): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const member of ensemble.members) {
    const probe = await rawSession(`127.0.0.1:${member.clientPort}`);
    ids.push(probe.getSessionId().readBigUInt64BE(0));
    probe.close();
  }
  return ids;
}

/** Sessions each member opened between two probes of {@link sessionCounters} (the probes excluded). */
export function sessionsOpened(before: readonly bigint[], after: readonly bigint[]): number[] {
  return before.map((id, i) => Number(after[i] - id - 1n));
}

/** Polls the four-letter word `cons` on every member and collects the session ids it lists. */
export class ConsWatch {
  private readonly seen = new Set<string>();
  private polls = 0;
  private running: Promise<void>;
  private stopped = false;

  constructor(
    private readonly ensemble: Ensemble,
    private readonly intervalMs = 100,
  ) {
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await Promise.all(
        this.ensemble.members.map(async (member) => {
          const text = await fourLetter("127.0.0.1", member.clientPort, "cons").catch(() => "");
          for (const match of text.matchAll(/sid=(0x[0-9a-f]+)/g)) this.seen.add(match[1]);
        }),
      );
      this.polls++;
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  /** Stops polling; the distinct session ids seen, and how many polls there were. */
  async stop(): Promise<{ sessionIds: string[]; polls: number }> {
    this.stopped = true;
    await this.running;
    return { sessionIds: [...this.seen].sort(), polls: this.polls };
  }
}

/** Requests received by the whole ensemble so far (`mntr` `zk_packets_received`, summed). */
export async function packetsReceived(ensemble: Ensemble): Promise<number> {
  let total = 0;
  for (const member of ensemble.members) {
    const text = await fourLetter("127.0.0.1", member.clientPort, "mntr");
    total += Number(/^zk_packets_received\s+(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return total;
}

/** Runs `work` on every item with at most `concurrency` in flight. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
