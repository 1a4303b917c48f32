// Quota znodes are world-writable, as zkCli creates them.
import { OPEN_ACL } from "../core/acl";
import { parseConnectString } from "../core/connectString";
import { ProviderError } from "../core/messages";
import { ancestors, joinPath } from "../core/paths";
import {
  describeQuota,
  formatLimits,
  INITIAL_STATS,
  limitsOf,
  LIMITS_NODE,
  parseLimits,
  type Quota,
  QUOTA_ROOT,
  quotaOfLimits,
  quotaPaths,
  STATS_NODE,
} from "../core/quota";
import { type MultiOp, type ZkClient } from "../zk/client";
import { isBadVersion, isNoNode, isNotEmpty } from "../zk/errors";
import { type ConnectionSettings } from "../zk/pool";
import { pool } from "./settings";

/** What state records of a chroot's quota: its limits znode, to compare-and-set against. */
export interface QuotaRecord {
  /** Data version of the limits znode. */
  readonly version: number;
  /** Creation zxid of the limits znode: tells a re-created quota from ours. */
  readonly czxid: string;
}

const conflict = (chroot: string, what: string) =>
  new ProviderError(
    `the quota of chroot ${chroot} was ${what} outside this stack. Nothing was written; the other writer's change is kept. ` +
      "Run 'pulumi refresh' to accept it into the stack's state, then 'pulumi up' again.",
  );

/** Quotas live at absolute paths: a session chrooted by its connect string cannot reach them. */
function checkUnchrooted(s: ConnectionSettings, chroot: string): void {
  const parsed = parseConnectString(s.connectString);
  if ("problem" in parsed || parsed.chroot === undefined || parsed.chroot === "/") return;
  throw new ProviderError(
    `cannot set a quota on ${chroot} through the connect string '${s.connectString}': it has a chroot of its own ` +
      `(${parsed.chroot}), and quotas live under ${QUOTA_ROOT} at the ensemble's root. Give the ZkChroot the ensemble's connect string without a chroot.`,
  );
}

/**
 * ZooKeeper allows no quota above or below another one (zkCli refuses them, the server counts
 * wrongly): the ancestors and descendants of `chroot` that have a quota.
 */
async function nestedQuotas(client: ZkClient, chroot: string): Promise<string[]> {
  const found: string[] = [];
  for (const a of ancestors(chroot)) {
    if (await client.exists(quotaPaths(a).limits)) found.push(a);
  }
  const walk = async (node: string): Promise<void> => {
    const names = await client.getChildren(node).catch((err) => {
      if (isNoNode(err)) return [] as string[];
      throw err;
    });
    for (const name of names) {
      if (name === LIMITS_NODE || name === STATS_NODE) continue;
      const childNode = joinPath(node, name);
      if (await client.exists(joinPath(childNode, LIMITS_NODE)))
        found.push(childNode.slice(QUOTA_ROOT.length));
      await walk(childNode);
    }
  };
  await walk(quotaPaths(chroot).node);
  return found;
}

/**
 * Sets a quota on `chroot` as `zkCli.sh setquota` does: the missing znodes under /zookeeper/quota,
 * the limits, then the stats (whose creation makes the server count the subtree), in one
 * transaction. Refuses a quota someone else set on the same path, and nested quotas.
 */
export function createQuota(s: ConnectionSettings, chroot: string, quota: Quota): Promise<QuotaRecord> {
  checkUnchrooted(s, chroot);
  return pool().run(s, `set the quota of ${chroot}`, async (client) => {
    const paths = quotaPaths(chroot);
    if (await client.exists(paths.limits)) {
      const existing = parseLimits((await client.getData(paths.limits)).data.toString("utf8"));
      throw new ProviderError(
        `chroot ${chroot} already has a quota (${existing ? describeQuota(quotaOfLimits(existing)) : "unreadable"}) that this stack did not set. ` +
          `Nothing was written. Remove it ('zkCli.sh delquota ${chroot}'), or drop quota from this ZkChroot.`,
      );
    }
    const nested = await nestedQuotas(client, chroot);
    if (nested.length > 0) {
      throw new ProviderError(
        `cannot set a quota on ${chroot}: ${nested.join(", ")} already ${nested.length > 1 ? "have quotas" : "has a quota"}, ` +
          "and ZooKeeper allows no quota above or below another. Nothing was written. Remove that quota, or drop quota from this ZkChroot.",
      );
    }
    const missing: string[] = [];
    for (const p of [...ancestors(paths.node), paths.node]) {
      if (p.length > QUOTA_ROOT.length && p.startsWith(QUOTA_ROOT) && !(await client.exists(p)))
        missing.push(p);
    }
    const ops: MultiOp[] = [
      ...missing.map((p): MultiOp => ({ op: "create", path: p, data: Buffer.alloc(0), acl: OPEN_ACL })),
      { op: "create", path: paths.limits, data: Buffer.from(formatLimits(limitsOf(quota))), acl: OPEN_ACL },
      { op: "create", path: paths.stats, data: Buffer.from(INITIAL_STATS), acl: OPEN_ACL },
    ];
    await client.multi(ops);
    const stat = await client.exists(paths.limits);
    if (!stat) throw conflict(chroot, "removed");
    return { version: stat.version, czxid: stat.czxid };
  });
}

/** Changes a chroot's quota, compare-and-set on the limits znode's version and creation zxid. */
export function updateQuota(
  s: ConnectionSettings,
  chroot: string,
  rec: QuotaRecord,
  quota: Quota,
): Promise<QuotaRecord> {
  checkUnchrooted(s, chroot);
  return pool().run(s, `change the quota of ${chroot}`, async (client) => {
    const { limits } = quotaPaths(chroot);
    const stat = await client.exists(limits);
    if (!stat) throw conflict(chroot, "removed");
    if (stat.czxid !== rec.czxid) throw conflict(chroot, "removed and set again");
    try {
      const after = await client.setData(limits, Buffer.from(formatLimits(limitsOf(quota))), rec.version);
      return { version: after.version, czxid: after.czxid };
    } catch (err) {
      if (isBadVersion(err)) throw conflict(chroot, "changed");
      throw err;
    }
  });
}

/**
 * Removes a chroot's quota as `zkCli.sh delquota` does, compare-and-set on the limits znode
 * (already gone counts as removed), then the znodes under /zookeeper/quota it leaves empty.
 */
export function removeQuota(s: ConnectionSettings, chroot: string, rec: QuotaRecord): Promise<void> {
  checkUnchrooted(s, chroot);
  return pool().run(s, `remove the quota of ${chroot}`, async (client) => {
    const paths = quotaPaths(chroot);
    const stat = await client.exists(paths.limits);
    if (stat) {
      if (stat.czxid !== rec.czxid) throw conflict(chroot, "removed and set again");
      try {
        await client.multi([
          { op: "remove", path: paths.stats, version: -1 },
          { op: "remove", path: paths.limits, version: rec.version },
        ]);
      } catch (err) {
        if (isBadVersion(err)) throw conflict(chroot, "changed");
        if (!isNoNode(err)) throw err;
      }
    }
    // Empty, data-less quota znodes above: zkCli trims them too. Stops at the first still in use.
    for (const p of [paths.node, ...ancestors(paths.node).reverse()]) {
      if (p.length <= QUOTA_ROOT.length) break;
      try {
        await client.remove(p, -1);
      } catch (err) {
        if (isNoNode(err)) continue;
        if (isNotEmpty(err)) break;
        throw err;
      }
    }
  });
}

/** A chroot's quota as ZooKeeper has it, with its record; undefined when it has none. */
export function readQuota(
  s: ConnectionSettings,
  chroot: string,
): Promise<{ quota: Quota; record: QuotaRecord } | undefined> {
  checkUnchrooted(s, chroot);
  return pool().run(s, `read the quota of ${chroot}`, async (client) => {
    try {
      const got = await client.getData(quotaPaths(chroot).limits);
      const limits = parseLimits(got.data.toString("utf8"));
      const record = { version: got.stat.version, czxid: got.stat.czxid };
      return { quota: limits ? quotaOfLimits(limits) : {}, record };
    } catch (err) {
      if (isNoNode(err)) return undefined;
      throw err;
    }
  });
}
