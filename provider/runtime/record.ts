/**
 * What state records of a managed znode, and how to tell that a znode is still the one recorded.
 */
import * as msg from "../core/messages";
import { type AclEntry, normalizeAcl } from "../core/acl";
import { sameValue } from "../core/diff";
import { ProviderError } from "../core/messages";
import { type ZkClient, type ZnodeStat } from "../zk/client";
import { isNoNode } from "../zk/errors";
import { type ConnectionSettings } from "../zk/pool";
import { type Props } from "./dynamic";
import { pool } from "./settings";

/** What state records of a managed znode, to compare-and-set against later. */
export type ZnodeRecord = {
  /** Real path. */
  readonly path: string;
  /** Data version. */
  readonly version: number;
  /** ACL version. */
  readonly aversion: number;
  /** Creation zxid: tells a re-created znode from ours. */
  readonly czxid: string;
  /** Last modification zxid. */
  readonly mzxid: string;
};

/** The record of a znode from its stat. */
export function recordOf(path: string, stat: ZnodeStat): ZnodeRecord {
  return { path, version: stat.version, aversion: stat.aversion, czxid: stat.czxid, mzxid: stat.mzxid };
}

/** Just the record of a state that holds one (a state holds inputs too, which must not travel with it). */
export function recordIn(state: ZnodeRecord): ZnodeRecord {
  const { path, version, aversion, czxid, mzxid } = state;
  return { path, version, aversion, czxid, mzxid };
}

/** The record of the managed znode kept in a resource's state, as the engine hands it back. */
export function recordFromState(p: Props): ZnodeRecord {
  return {
    // Every state records its path; without one, `read` falls back to the resource id.
    path: typeof p.path === "string" ? p.path : "",
    version: Number(p.version),
    aversion: Number(p.aversion),
    czxid: String(p.czxid),
    mzxid: String(p.mzxid),
  };
}

/**
 * Fails unless a znode is still the one recorded in state: there (not deleted) and with the
 * recorded creation zxid (not deleted and re-created, whatever its data and versions).
 */
export function assertSameZnode<S extends { czxid: string }>(
  path: string,
  recordedCzxid: string,
  stat: S | undefined,
): asserts stat is S {
  if (!stat) throw new ProviderError(msg.deletedConflict(path));
  if (stat.czxid !== recordedCzxid)
    throw new ProviderError(msg.recreatedConflict(path, recordedCzxid, stat.czxid));
}

export const sameAcl = (a: readonly AclEntry[], b: readonly AclEntry[]) =>
  sameValue(normalizeAcl(a), normalizeAcl(b));

export async function holds(
  client: ZkClient,
  path: string,
  data: Buffer,
  acl: readonly AclEntry[],
): Promise<ZnodeStat | undefined> {
  try {
    const got = await client.getData(path);
    if (got.stat.ephemeralOwner !== "0" || !got.data.equals(data)) return undefined;
    const { acl: found } = await client.getAcl(path);
    return sameAcl(found, acl) ? got.stat : undefined;
  } catch (err) {
    if (isNoNode(err)) return undefined;
    throw err;
  }
}

/** The znode's current data, ACL and record, or undefined when it is gone. */
export function readZnode(
  s: ConnectionSettings,
  path: string,
): Promise<{ data: Buffer; acl: AclEntry[]; record: ZnodeRecord } | undefined> {
  return pool().run(s, `read ${path}`, async (client) => {
    try {
      await client.sync();
      // Data and ACL come from two reads; repeat until both saw the same version of the znode.
      for (;;) {
        const got = await client.getData(path);
        const { acl, stat } = await client.getAcl(path);
        if (stat.mzxid === got.stat.mzxid && stat.aversion >= got.stat.aversion)
          return { data: got.data, acl, record: recordOf(path, stat) };
      }
    } catch (err) {
      if (isNoNode(err)) return undefined;
      throw err;
    }
  });
}
