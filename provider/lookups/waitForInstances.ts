import { endpointOf, notServingReason, type ServiceInstance } from "../core/formats";
import { joinPath } from "../core/paths";
import { type ZkClient } from "../zk/client";
import { isTransient } from "../zk/errors";
import { type ConnectionSettings, connectSession } from "../zk/pool";
import { backoffDelay } from "../zk/retry";
import {
  type DirectoryRead,
  readDirectory,
  type ServiceQuery,
  skippedMessage,
  syncOrWarn,
} from "./serviceInstances";

/** How many serving instances to wait for, and for how long. */
export interface WaitFor {
  /** Serving instances needed. */
  readonly minInstances: number;
  /** Give up after this many seconds. */
  readonly timeoutSeconds: number;
}

/** Where a wait reports: progress as info, odd children and stale reads as warnings. */
export interface WaitLog {
  /** Reports progress. A plain function: the wait calls it detached from this object. */
  readonly info: (message: string) => void;
  /** Reports an odd child or a stale read. A plain function: the wait hands it on detached. */
  readonly warn: (message: string) => void;
}

/** How often a wait checks that its session is still alive (watches do not survive a new session). */
const SESSION_CHECK_MS = 500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One line per instance: `id (address:port)`, and for one that does not serve, why. */
function listed(instances: readonly ServiceInstance[]): string {
  if (instances.length === 0) return "none";
  return instances
    .map((i) => {
      const why = notServingReason(i);
      return `${i.id} (${endpointOf(i)})${why ? `: ${why}` : ""}`;
    })
    .join("; ");
}

/** The progress line of a wait, also the core of its timeout message. */
export function waitSummary(query: ServiceQuery, wait: WaitFor, seen: DirectoryRead | undefined): string {
  const dir = joinPath(query.basePath, query.service);
  if (!seen) return `service ${query.service}: ${dir} could not be read yet`;
  if (!seen.exists)
    return `service ${query.service}: ${dir} does not exist yet, so 0 of ${wait.minInstances} serving instances`;
  const serving = seen.instances.filter((i) => i.serving);
  const others = seen.instances.filter((i) => !i.serving);
  const parts = [
    `service ${query.service}: ${serving.length} of ${wait.minInstances} serving instances under ${dir}`,
    `serving: ${listed(serving)}`,
  ];
  if (others.length > 0) parts.push(`not counted: ${listed(others)}`);
  if (seen.skipped.length > 0)
    parts.push(`not instances: ${seen.skipped.map((s) => `${s.path} (${s.problem})`).join("; ")}`);
  return parts.join("; ");
}

/** The error of a wait that ran out of time: what it saw, and what to do. */
export function waitTimeoutMessage(
  query: ServiceQuery,
  wait: WaitFor,
  seen: DirectoryRead | undefined,
  lastError?: unknown,
): string {
  const problem = lastError instanceof Error ? ` The last read failed: ${lastError.message}.` : "";
  return (
    `getServiceInstances waited ${wait.timeoutSeconds} s for ${wait.minInstances} serving instances and saw fewer: ` +
    `${waitSummary(query, wait, seen)}.${problem} Start or enable more instances of ${query.service}, ` +
    "or lower wait.minInstances or raise wait.timeoutSeconds."
  );
}

/** Resolves with "changed" when a watch fires, "timeout" at the deadline, "lost" when the session dies. */
function nextEvent(changed: Promise<void>, deadline: number, client: ZkClient): Promise<string> {
  const timers: NodeJS.Timeout[] = [];
  const outcome = Promise.race([
    changed.then(() => "changed"),
    new Promise<string>((r) =>
      timers.push(setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now()))),
    ),
    new Promise<string>((r) => {
      const check = setInterval(() => {
        if (!client.usable) r("lost");
      }, SESSION_CHECK_MS);
      timers.push(check);
    }),
  ]);
  return outcome.finally(() => timers.forEach((t) => clearTimeout(t)));
}

/**
 * Waits until the service has at least `wait.minInstances` serving instances, then returns its
 * instances as `readServiceInstances` does. Driven by ZooKeeper watches on the directory, its
 * children and their data, not by polling; a lost session is replaced and the watches set again.
 * Logs a progress line whenever what it sees changes. Throws, at the deadline, an error listing
 * every instance it saw and why each that did not count does not serve.
 */
export async function waitForServiceInstances(
  settings: ConnectionSettings,
  query: ServiceQuery,
  wait: WaitFor,
  log: WaitLog,
): Promise<ServiceInstance[]> {
  const dir = joinPath(query.basePath, query.service);
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  const warned = new Set<string>();
  let seen: DirectoryRead | undefined;
  let lastLine = "";
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    let client: ZkClient | undefined;
    try {
      client = await connectSession(settings, { allowReadOnly: true });
      await syncOrWarn(client, log.warn);
      for (;;) {
        let wake: () => void = () => undefined;
        const changed = new Promise<void>((r) => (wake = r));
        seen = await readDirectory(client, dir, query, () => wake());
        for (const s of seen.skipped) {
          if (!warned.has(s.path)) log.warn(skippedMessage(s.path, s.problem));
          warned.add(s.path);
        }
        const serving = seen.instances.filter((i) => i.serving);
        if (serving.length >= wait.minInstances) return query.includeNotServing ? seen.instances : serving;
        const line = waitSummary(query, wait, seen);
        if (line !== lastLine) log.info(`waiting: ${line}`);
        lastLine = line;
        const event = await nextEvent(changed, deadline, client);
        if (event === "timeout") throw new WaitTimeout(waitTimeoutMessage(query, wait, seen));
        if (event === "lost") break;
      }
    } catch (err) {
      if (err instanceof WaitTimeout || !isTransient(err)) throw err;
      lastError = err;
    } finally {
      client?.close();
    }
    const pause = backoffDelay(attempt + 1, { deadlineMs: 0, baseDelayMs: 100, maxDelayMs: 2000 });
    if (Date.now() + pause >= deadline)
      throw new WaitTimeout(waitTimeoutMessage(query, wait, seen, lastError));
    await sleep(pause);
  }
}

/** A wait that ran out of time; its message lists what it saw. */
export class WaitTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WaitTimeout";
  }
}
