import { decodeInstance, ServiceInstance, sortInstances } from "../core/formats";
import { joinPath } from "../core/paths";
import { RegistrationFormat } from "../core/schemas";
import { NO_NODE, NOT_READ_ONLY } from "../core/zkCodes";
import { ZkClient } from "../zk/client";
import { errorCode } from "../zk/errors";
import { ConnectionSettings, connectSession, retryPolicy } from "../zk/pool";
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
        return await readWith(client, dir, query, warn);
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
    if (errorCode(err) !== NOT_READ_ONLY) throw err;
    warn(
      "the ZooKeeper member serving this lookup is in read-only mode (cut off from its quorum); " +
        "what it returns may be stale",
    );
  }
}

async function readWith(
  client: ZkClient,
  dir: string,
  query: ServiceQuery,
  warn: (m: string) => void,
): Promise<ServiceInstance[]> {
  let names: string[];
  try {
    names = await client.getChildren(dir);
  } catch (err) {
    if (errorCode(err) === NO_NODE) return [];
    throw err;
  }
  const found: ServiceInstance[] = [];
  for (let i = 0; i < names.length; i += PIPELINE) {
    const batch = names.slice(i, i + PIPELINE);
    const reads = await Promise.all(
      batch.map((name) =>
        client.getData(joinPath(dir, name)).catch((err) => {
          // Deregistered between the listing and the read: simply not there any more.
          if (errorCode(err) === NO_NODE) return undefined;
          throw err;
        }),
      ),
    );
    reads.forEach((got, j) => {
      if (!got) return;
      const name = batch[j] as string;
      const path = joinPath(dir, name);
      const facts = {
        service: query.service,
        name,
        path,
        ephemeral: got.stat.ephemeralOwner !== "0",
        ctime: got.stat.ctime,
      };
      const instance = decodeInstance(got.data, facts);
      if ("problem" in instance) warn(`skipping ${path}: not a service instance, ${instance.problem}`);
      else if (wanted(query, instance)) found.push(instance);
    });
  }
  return sortInstances(found);
}

/** Whether a query returns an instance: its format is asked for, and it serves unless all are. */
function wanted(query: ServiceQuery, instance: ServiceInstance): boolean {
  if (query.formats && !query.formats.includes(instance.format)) return false;
  return instance.serving || query.includeNotServing === true;
}
