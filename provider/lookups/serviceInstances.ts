import { decodeInstance, type ServiceInstance, sortInstances } from "../core/formats";
import { joinPath } from "../core/paths";
import { type RegistrationFormat } from "../core/schemas";
import { type Watch, type ZkClient } from "../zk/client";
import { isNoNode, isNotReadOnly } from "../zk/errors";
import { type ConnectionSettings, connectSession, retryPolicy } from "../zk/pool";
import { withRetry } from "../zk/retry";

/** What to look up. */
export interface ServiceQuery {
  /** Service name. */
  readonly service: string;
  /** Where services live. */
  readonly basePath: string;
  /** Formats to return; all when absent. */
  readonly formats?: readonly RegistrationFormat[];
  /** Return instances that are not serving too (drained, not ALIVE); only serving ones when absent. */
  readonly includeNotServing?: boolean;
}

/** How many getData requests are in flight at once. */
const PIPELINE = 512;

/**
 * Reads the instances of a service: all three formats, whoever registered them (ephemeral
 * instances of running services included), sorted by registration time; only serving ones unless
 * `includeNotServing`. A child that is not a
 * service instance is skipped with a warning that names it; a service nobody registered gives [].
 * Syncs first, so the answer includes every write committed before the lookup started.
 */
export async function readServiceInstances(
  settings: ConnectionSettings,
  query: ServiceQuery,
  warn: (message: string) => void,
): Promise<ServiceInstance[]> {
  const dir = joinPath(query.basePath, query.service);
  return withRetry(
    `look up service ${query.service} under ${query.basePath}`,
    async () => {
      const client = await connectSession(settings, { allowReadOnly: true });
      try {
        await syncOrWarn(client, warn);
        const seen = await readDirectory(client, dir, query);
        for (const { path, problem } of seen.skipped) warn(skippedMessage(path, problem));
        return sortInstances(seen.instances.filter((i) => i.serving || query.includeNotServing === true));
      } finally {
        client.close();
      }
    },
    retryPolicy(settings),
  );
}

/**
 * Syncs a lookup's session. A member in read-only mode (cut off from its quorum) cannot sync; its
 * data is served anyway, with a warning that it may be stale.
 */
export async function syncOrWarn(client: ZkClient, warn: (m: string) => void): Promise<void> {
  try {
    await client.sync();
  } catch (err) {
    if (!isNotReadOnly(err)) throw err;
    warn(
      "the ZooKeeper member serving this lookup is in read-only mode (cut off from its quorum); " +
        "what it returns may be stale",
    );
  }
}

/** A child of a service directory that is not a service instance, and why. */
export interface Skipped {
  readonly path: string;
  readonly problem: string;
}

/** What a service directory holds: its instances in the asked formats (serving or not), and the rest. */
export interface DirectoryRead {
  /** False when the directory does not exist (yet). */
  readonly exists: boolean;
  readonly instances: ServiceInstance[];
  readonly skipped: Skipped[];
}

/** The warning for a child that is not a service instance. */
export function skippedMessage(path: string, problem: string): string {
  return `skipping ${path}: not a service instance, ${problem}`;
}

/**
 * Reads a service directory. With `watch`, every read also sets a watch that fires once when the
 * directory's children, any child's data, or (while it is missing) the directory itself change.
 */
export async function readDirectory(
  client: ZkClient,
  dir: string,
  query: ServiceQuery,
  watch?: Watch,
): Promise<DirectoryRead> {
  let names: string[];
  try {
    names = await client.getChildren(dir, watch);
  } catch (err) {
    if (!isNoNode(err)) throw err;
    // Created meanwhile: the caller reads again at once instead of waiting for a watch that was never set.
    if (watch && (await client.exists(dir, watch))) watch();
    return { exists: false, instances: [], skipped: [] };
  }
  const instances: ServiceInstance[] = [];
  const skipped: Skipped[] = [];
  for (let i = 0; i < names.length; i += PIPELINE) {
    const batch = names.slice(i, i + PIPELINE);
    const reads = await Promise.all(
      batch.map((name) =>
        client.getData(joinPath(dir, name), watch).catch((err) => {
          // Deregistered between the listing and the read: simply not there any more.
          if (isNoNode(err)) return undefined;
          throw err;
        }),
      ),
    );
    reads.forEach((got, j) => {
      if (!got) return;
      const name = batch[j];
      const path = joinPath(dir, name);
      const facts = {
        service: query.service,
        name,
        path,
        ephemeral: got.stat.ephemeralOwner !== "0",
        ctime: got.stat.ctime,
      };
      const instance = decodeInstance(got.data, facts);
      if ("problem" in instance) skipped.push({ path, problem: instance.problem });
      else if (!query.formats || query.formats.includes(instance.format)) instances.push(instance);
    });
  }
  return { exists: true, instances: sortInstances(instances), skipped };
}
