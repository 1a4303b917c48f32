/**
 * ZooKeeper quotas as `zkCli.sh setquota` writes them (ZooKeeper 3.7+), pure: no I/O.
 * docs/DESIGN.md §1 ZkChroot, quota.
 */

/** Where ZooKeeper keeps quotas. */
export const QUOTA_ROOT = "/zookeeper/quota";
/** The znode under a quota path holding the limits. */
export const LIMITS_NODE = "zookeeper_limits";
/** The znode under a quota path where the server keeps the usage. */
export const STATS_NODE = "zookeeper_stats";

/** A chroot's quota as a program declares it. */
export interface Quota {
  /** Most znodes in the chroot, the chroot itself included (ZooKeeper's `count`). */
  readonly maxNodes?: number;
  /** Most bytes of data in the chroot, all its znodes' data together (ZooKeeper's `bytes`). */
  readonly maxBytes?: number;
  /**
   * Hard: the server refuses writes past the limit (`QuotaExceeded`, ZooKeeper 3.7+ started with
   * `zookeeper.enforceQuota=true`). Soft (the default): the server only logs a warning.
   */
  readonly hard?: boolean;
}

/** The four numbers of a limits znode; -1 means no limit. */
export interface Limits {
  readonly count: number;
  readonly bytes: number;
  readonly countHardLimit: number;
  readonly byteHardLimit: number;
}

/** The quota znodes of a chroot path. */
export function quotaPaths(chroot: string): { node: string; limits: string; stats: string } {
  const node = `${QUOTA_ROOT}${chroot}`;
  return { node, limits: `${node}/${LIMITS_NODE}`, stats: `${node}/${STATS_NODE}` };
}

/** The limits a quota stands for: soft ones in `count`/`bytes`, hard ones in the hard limits, as zkCli sets them. */
export function limitsOf(q: Quota): Limits {
  const nodes = q.maxNodes ?? -1;
  const bytes = q.maxBytes ?? -1;
  return q.hard
    ? { count: -1, bytes: -1, countHardLimit: nodes, byteHardLimit: bytes }
    : { count: nodes, bytes, countHardLimit: -1, byteHardLimit: -1 };
}

/**
 * The data of a limits znode, byte for byte what ZooKeeper's `StatsTrack` writes (and zkCli):
 * `count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1`.
 */
export function formatLimits(l: Limits): string {
  return `count=${l.count},bytes=${l.bytes}=;byteHardLimit=${l.byteHardLimit};countHardLimit=${l.countHardLimit}`;
}

/** The initial data of a stats znode; the server counts the subtree when it is created. */
export const INITIAL_STATS = "count=0,bytes=0";

/**
 * Parses a limits or stats znode as `StatsTrack` does: the old `count=N,bytes=M` form and the
 * 3.7+ form with `=;key=value` pairs after it. Missing numbers are -1; undefined when unreadable.
 */
export function parseLimits(text: string): Limits | undefined {
  const [head, ...extra] = text.split("=;");
  const values = new Map<string, number>();
  const pairs = [...(head ?? "").split(","), ...extra.join("=;").split(";")].filter((p) => p !== "");
  for (const pair of pairs) {
    const [key, value, ...rest] = pair.split("=");
    if (key === undefined || value === undefined || rest.length > 0 || !/^-?\d+$/.test(value.trim()))
      return undefined;
    values.set(key.trim(), Number(value.trim()));
  }
  if (!values.has("count") && !values.has("bytes")) return undefined;
  const get = (k: string) => values.get(k) ?? -1;
  return {
    count: get("count"),
    bytes: get("bytes"),
    countHardLimit: get("countHardLimit"),
    byteHardLimit: get("byteHardLimit"),
  };
}

/**
 * The quota some limits stand for, in a program's terms; `hard` when any hard limit is set (a
 * znode someone gave both soft and hard limits reads as its hard ones).
 */
export function quotaOfLimits(l: Limits): Quota {
  const pick = (v: number) => (v >= 0 ? v : undefined);
  const hard = l.countHardLimit >= 0 || l.byteHardLimit >= 0;
  const nodes = pick(hard ? l.countHardLimit : l.count);
  const bytes = pick(hard ? l.byteHardLimit : l.bytes);
  return {
    ...(nodes !== undefined ? { maxNodes: nodes } : {}),
    ...(bytes !== undefined ? { maxBytes: bytes } : {}),
    ...(hard ? { hard: true } : {}),
  };
}

/** A quota in words: `hard quota of 5 znodes and 1000 bytes`. */
export function describeQuota(q: Quota): string {
  const parts = [
    ...(q.maxNodes !== undefined ? [`${q.maxNodes} znodes`] : []),
    ...(q.maxBytes !== undefined ? [`${q.maxBytes} bytes`] : []),
  ];
  return `${q.hard ? "hard" : "soft"} quota of ${parts.join(" and ")}`;
}
