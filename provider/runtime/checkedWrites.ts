/**
 * Writes to a managed znode, each compare-and-set on the recorded versions and creation zxid, and
 * safe to retry after a lost reply.
 */
import * as msg from "../core/messages";
import { type AclEntry } from "../core/acl";
import { ProviderError } from "../core/messages";
import { parentPath } from "../core/paths";
import { type ZkClient, type ZnodeStat } from "../zk/client";
import { isBadVersion, isNoNode, isNotEmpty } from "../zk/errors";
import { type ConnectionSettings } from "../zk/pool";
import { pool } from "./settings";
import { type ZnodeRecord, recordOf, assertSameZnode, sameAcl } from "./record";
import { provesOwnCreate } from "./inDoubt";
import { type ParentRead, readParent, removeEmptyParentsWith } from "./parents";

/** Brings data and ACL of a znode we own to the wanted values, version-checked. */
export async function writeIfChanged(
  client: ZkClient,
  rec: ZnodeRecord,
  data: Buffer,
  acl: readonly AclEntry[] | undefined,
): Promise<ZnodeRecord> {
  const current = await client.getData(rec.path);
  let next = rec;
  if (!current.data.equals(data)) next = await setDataChecked(client, next, data, {});
  if (!acl) return next;
  const { acl: found } = await client.getAcl(rec.path);
  if (!sameAcl(found, acl)) next = await setAclChecked(client, next, acl, {});
  return next;
}

/**
 * The znode's stat once it is known to be the one recorded (same creation zxid), read behind a
 * sync whose zxid bounds what a later attempt may claim (see {@link provesOwnCreate}).
 */
async function checkIdentity(
  client: ZkClient,
  rec: ZnodeRecord,
): Promise<{ stat: ZnodeStat; synced: string }> {
  const [synced, stat] = await Promise.all([client.sync(rec.path), client.exists(rec.path)]);
  assertSameZnode(rec.path, rec.czxid, stat);
  return { stat, synced };
}

/** Fails when another writer changed the znode's ACL: a data write or a delete would bury that change. */
function checkAclVersion(rec: ZnodeRecord, stat: ZnodeStat): void {
  if (stat.aversion !== rec.aversion)
    throw new ProviderError(msg.versionConflict(rec.path, "acl", rec.aversion, stat.aversion));
}

/** Fails when another writer changed the znode's data: an ACL write would take it on as ours. */
function checkDataVersion(rec: ZnodeRecord, stat: ZnodeStat): void {
  if (stat.version !== rec.version)
    throw new ProviderError(msg.versionConflict(rec.path, "data", rec.version, stat.version));
}

/** One checked write over its attempts: the bound taken before its request was first sent. */
interface Sent {
  bound?: string;
}

async function setDataChecked(
  client: ZkClient,
  rec: ZnodeRecord,
  data: Buffer,
  sent: Sent,
): Promise<ZnodeRecord> {
  const { stat, synced } = await checkIdentity(client, rec);
  checkAclVersion(rec, stat);
  // Our earlier request was applied only if it was sent, and the write is newer than the bound.
  if (stat.version === rec.version + 1 && provesOwnCreate({ czxid: stat.mzxid }, sent.bound)) {
    const got = await client.getData(rec.path);
    if (got.data.equals(data) && got.stat.mzxid === stat.mzxid) return recordOf(rec.path, got.stat);
  }
  checkDataVersion(rec, stat);
  sent.bound ??= synced;
  try {
    return recordOf(rec.path, await client.setData(rec.path, data, rec.version));
  } catch (err) {
    if (!isBadVersion(err)) throw err;
    const now = await client.exists(rec.path);
    throw new ProviderError(msg.versionConflict(rec.path, "data", rec.version, now?.version ?? -1));
  }
}

async function setAclChecked(
  client: ZkClient,
  rec: ZnodeRecord,
  acl: readonly AclEntry[],
  sent: Sent,
): Promise<ZnodeRecord> {
  const { stat, synced } = await checkIdentity(client, rec);
  checkDataVersion(rec, stat);
  // An ACL change leaves no zxid: one version on with exactly our ACL is taken as ours, which
  // loses nobody's change, but only once our request was sent.
  if (sent.bound !== undefined && stat.aversion === rec.aversion + 1) {
    const got = await client.getAcl(rec.path);
    if (sameAcl(got.acl, acl)) return { ...rec, aversion: got.stat.aversion };
  }
  sent.bound ??= synced;
  try {
    // The data version stays the recorded one: a write by someone else in between stays theirs.
    return { ...rec, aversion: (await client.setAcl(rec.path, acl, rec.aversion)).aversion };
  } catch (err) {
    if (!isBadVersion(err)) throw err;
    const now = await client.exists(rec.path);
    throw new ProviderError(msg.versionConflict(rec.path, "acl", rec.aversion, now?.aversion ?? -1));
  }
}

/** Sets a managed znode's data, only if it still has the recorded version and creation zxid. */
export function updateData(s: ConnectionSettings, rec: ZnodeRecord, data: Buffer): Promise<ZnodeRecord> {
  const sent: Sent = {};
  return pool().run(s, `update ${rec.path}`, (client) => setDataChecked(client, rec, data, sent));
}

/**
 * Checks that a managed znode is still as recorded (same creation zxid, data and ACL versions):
 * an update that writes nothing must not report a znode that is gone or someone else's.
 */
export function verifyRecord(s: ConnectionSettings, rec: ZnodeRecord): Promise<ZnodeRecord> {
  return pool().run(s, `check ${rec.path}`, async (client) => {
    const { stat } = await checkIdentity(client, rec);
    checkDataVersion(rec, stat);
    checkAclVersion(rec, stat);
    return rec;
  });
}

/** Sets a managed znode's ACL, only if it still has the recorded ACL version and creation zxid. */
export function updateAcl(
  s: ConnectionSettings,
  rec: ZnodeRecord,
  acl: readonly AclEntry[],
): Promise<ZnodeRecord> {
  const sent: Sent = {};
  return pool().run(s, `set ACL of ${rec.path}`, (client) => setAclChecked(client, rec, acl, sent));
}

/**
 * Deletes a managed znode if unchanged (a znode already gone counts as deleted), then removes our
 * marked parents that it leaves empty.
 */
export function deleteZnode(s: ConnectionSettings, rec: ZnodeRecord): Promise<void> {
  return pool().run(s, `delete ${rec.path}`, async (client) => {
    const stat = await client.exists(rec.path);
    let parentRead: Promise<ParentRead> | undefined;
    if (stat) {
      assertSameZnode(rec.path, rec.czxid, stat);
      checkAclVersion(rec, stat);
      const removed = client.remove(rec.path, rec.version);
      // Sent right behind the delete, which ZooKeeper answers first: the parent as the delete left it.
      const parent = parentPath(rec.path);
      parentRead = parent === undefined || parent === "/" ? undefined : readParent(client, parent);
      parentRead?.catch(() => undefined);
      try {
        await removed;
      } catch (err) {
        if (isBadVersion(err)) {
          const now = await client.exists(rec.path);
          throw new ProviderError(msg.versionConflict(rec.path, "data", rec.version, now?.version ?? -1));
        }
        if (isNotEmpty(err)) {
          const children = await client.getChildren(rec.path);
          throw new ProviderError(
            msg.foreignChildren(rec.path, children, "Delete them first, or stop managing this znode."),
          );
        }
        if (!isNoNode(err)) throw err;
      }
    }
    await removeEmptyParentsWith(client, rec.path, parentRead);
  });
}
