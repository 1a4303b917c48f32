/**
 * Parents of managed znodes: the ones this package creates on the way (marked), their ACL, and
 * their removal once the last znode under them is gone.
 */
import { type AclEntry } from "../core/acl";
import { ProviderError } from "../core/messages";
import { ancestors, parentPath } from "../core/paths";
import { type MultiOp, type ZkClient, ZkMultiError, type ZnodeStat } from "../zk/client";
import { isBadVersion, isNoNode, isNodeExists, isNotEmpty } from "../zk/errors";
import { type ConnectionSettings } from "../zk/pool";
import { pool } from "./settings";

/**
 * Data of parents this package creates on the way. It marks them as ours, so that whichever
 * resource goes last removes them once empty, and parents that existed before are never touched.
 */
export const PARENT_MARKER = Buffer.from("pulumi-zookeeper:parent");

/**
 * The ACL of the closest existing ancestor of `path`. Znodes and parents created without an
 * explicit ACL get it, so a protected subtree stays protected. Digest hashes that ZooKeeper hides
 * from identities without ADMIN permission cannot be copied: that is an error, not a weaker ACL.
 */
export async function inheritedAcl(client: ZkClient, path: string): Promise<AclEntry[]> {
  let synced = false;
  for (let p = parentPath(path); p !== undefined; p = parentPath(p)) {
    let acl: AclEntry[];
    try {
      acl = (await client.getAcl(p)).acl;
    } catch (err) {
      if (!isNoNode(err)) throw err;
      // A parent another session just created may not have reached this member yet: catch up once
      // and look again, or the walk would copy a higher, possibly weaker, ACL.
      if (!synced) {
        synced = true;
        await client.sync();
        p = path;
      }
      continue;
    }
    if (acl.some((e) => e.scheme === "digest" && e.id.endsWith(":x"))) {
      throw new ProviderError(
        `permission denied: this identity may not read the full ACL of ${p} (it lacks ADMIN permission there), ` +
          `so ${path} cannot be given that ACL. Use an identity with write access, or give the resource an explicit acl.`,
      );
    }
    return acl;
  }
  return [];
}

/** Parents of `path` that do not exist, top down. */
async function missingParents(client: ZkClient, path: string): Promise<string[]> {
  const missing: string[] = [];
  for (const p of ancestors(path)) {
    if (missing.length > 0 || (await client.exists(p)) === undefined) missing.push(p);
  }
  return missing;
}

/**
 * Runs a commit whose transaction starts by creating `path`'s missing parents. Resources of one
 * deployment run in parallel, so another one may create or remove a shared parent in between:
 * that only means finding the missing parents again and retrying. With `firstGuess`, the first
 * commit trusts it instead of looking the parents up (`[]`: they usually exist), and ZooKeeper's
 * `NoNode` answer is what sends it looking.
 */
export async function withMissingParents<T>(
  client: ZkClient,
  path: string,
  commit: (parents: string[]) => Promise<T>,
  firstGuess?: string[],
): Promise<T> {
  let parents = firstGuess ?? (await missingParents(client, path));
  for (let tries = 0; ; tries++) {
    try {
      return await commit(parents);
    } catch (err) {
      const racedOnParent = err instanceof ZkMultiError && err.index < parents.length && isNodeExists(err);
      const parentVanished = err instanceof ZkMultiError && isNoNode(err);
      if (!(racedOnParent || parentVanished) || tries >= 5) throw err;
    }
    parents = await missingParents(client, path);
  }
}

/**
 * Parents of `path` created by the same transaction as the znode with this creation zxid: a
 * `multi` commits under one zxid, so they are the ones an earlier attempt created for it.
 */
export async function parentsCreatedWith(client: ZkClient, path: string, czxid: string): Promise<string[]> {
  const created: string[] = [];
  for (const p of ancestors(path)) if ((await client.exists(p))?.czxid === czxid) created.push(p);
  return created;
}

/** Ops that create the given parents with the marker. */
export function parentOps(parents: readonly string[], acl: readonly AclEntry[]): MultiOp[] {
  return parents.map((p) => ({ op: "create", path: p, data: PARENT_MARKER, acl }));
}

/** A parent's data and stat, or undefined when it is gone. */
export type ParentRead = { data: Buffer; stat: ZnodeStat } | undefined;

export async function readParent(client: ZkClient, path: string): Promise<ParentRead> {
  try {
    return await client.getData(path);
  } catch (err) {
    if (isNoNode(err)) return undefined;
    throw err;
  }
}

/** Removes our marked parents of `path` that are now empty, bottom up; stops at the first that is not. */
export function removeEmptyParents(s: ConnectionSettings, path: string): Promise<void> {
  return pool().run(s, `clean up parents of ${path}`, (client) => removeEmptyParentsWith(client, path));
}

export async function removeEmptyParentsWith(
  client: ZkClient,
  path: string,
  firstRead?: Promise<ParentRead>,
): Promise<void> {
  let read = firstRead;
  for (const p of ancestors(path).reverse()) {
    const got = await (read ?? readParent(client, p));
    read = undefined;
    if (!got) continue;
    if (!got.data.equals(PARENT_MARKER) || got.stat.numChildren > 0) return;
    try {
      await client.remove(p, got.stat.version);
    } catch (err) {
      if (isNoNode(err)) continue;
      if (isNotEmpty(err) || isBadVersion(err)) return;
      throw err;
    }
  }
}
