import { type AclEntry, normalizeAcl } from "../core/acl";
import { ZK_CHROOT } from "../core/definitions";
import { withChroot } from "../core/connectString";
import { planDiff, sameValue } from "../core/diff";
import * as msg from "../core/messages";
import { ProviderError } from "../core/messages";
import { joinPath } from "../core/paths";
import type { Quota } from "../core/quota";
import type { ZkChrootInputs } from "../core/schemas";
import { UNKNOWN, validate } from "../core/validation";
import { type MultiOp, type MultiResult, type ZkClient, ZkMultiError, type ZnodeStat } from "../zk/client";
import { isBadVersion, isNoNode, isNodeExists, isNotEmpty, isTransient } from "../zk/errors";
import { type ConnectionSettings } from "../zk/pool";
import {
  aclChange,
  aclFromState,
  GONE,
  inputSchemas,
  pathsFromState,
  type Props,
  settledAcl,
  engineMethods,
  withRecordedAcl,
} from "./dynamic";
import { createQuota, type QuotaRecord, readQuota, removeQuota, updateQuota } from "./quota";
import { pool, profileFailures, settingsFor, settingsOf, stackConnectString } from "./settings";
import { assertSameZnode, recordFromState, recordIn, recordOf, type ZnodeRecord } from "./record";
import { CreateInDoubt, type InDoubt, keepInDoubt, partialFailure, provesOwnCreate } from "./inDoubt";
import {
  inheritedAcl,
  parentOps,
  parentsCreatedWith,
  removeEmptyParents,
  withMissingParents,
} from "./parents";

const INPUTS = ZK_CHROOT.inputs;
const REPLACE_ON = ZK_CHROOT.replaceOn;

/** What state keeps of one primed child. */
interface ChildRecord {
  readonly version: number;
  readonly aversion: number;
  readonly czxid: string;
}

/**
 * A map keyed by child names from state or inputs. Only own entries count: a child named
 * `toString` or `constructor` must never match what a plain object inherits.
 */
function ownEntries<T>(value: unknown): Map<string, T> {
  return new Map(value && typeof value === "object" ? (Object.entries(value) as [string, T][]) : []);
}

const child = (root: string, rel: string) => joinPath(root, rel);
/** Deepest first, so a parent is deleted after its children. */
const deepestFirst = (rels: Iterable<string>) =>
  [...rels].sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? 1 : -1));

const childRecordOf = (stat: ZnodeStat): ChildRecord => ({
  version: stat.version,
  aversion: stat.aversion,
  czxid: stat.czxid,
});

/** A chroot's inputs as state records them: the ensemble's connect string apart from the output. */
type RecordedInputs = Omit<ZkChrootInputs, "connectString"> & {
  /** The `connectString` input (the ensemble), when one was given. */
  ensembleConnectString?: string;
  /** The output: the ensemble's connect string with the chroot appended. */
  connectString: string;
};

/** State of a `ZkChroot`: its inputs, the record of the chroot znode and those of its children. */
type ChrootState = RecordedInputs &
  ZnodeRecord & {
    /** The ACL as written or found; while the create is in doubt, the `acl` input. */
    acl?: AclEntry[];
    /** The chroot and the parents its create made, top down. */
    createdPaths: string[];
    /** Records of the primed children, keyed by path relative to the chroot. */
    childRecords: Record<string, ChildRecord>;
    quota?: Quota;
    quotaRecord?: QuotaRecord;
    /** Set while the create is in doubt (see `keepInDoubt`). */
    inDoubt?: InDoubt;
    /** Set while an update is in doubt (see `inDoubtError`). */
    pendingUpdate?: PendingUpdate;
  };

/** A chroot's state as the engine hands it back: inputs and records as create, read or update wrote them. */
function parseState(recorded: Props): ChrootState {
  return {
    ...(recorded as RecordedInputs &
      Pick<ChrootState, "quota" | "quotaRecord" | "inDoubt" | "pendingUpdate">),
    acl: aclFromState(recorded.acl),
    ...recordFromState(recorded),
    createdPaths: pathsFromState(recorded.createdPaths),
    childRecords: Object.fromEntries(ownEntries<ChildRecord>(recorded.childRecords)),
    deletePolicy: deletePolicyFromState(recorded.deletePolicy),
  };
}

/**
 * The recorded delete policy. Every state so far records one; anything else reads as the default,
 * `refuse`, the one that never deletes a znode this stack does not manage.
 */
function deletePolicyFromState(value: unknown): ZkChrootInputs["deletePolicy"] {
  return value === "recursive" || value === "retain" ? value : "refuse";
}

/** The inputs a chroot was created or last updated with. */
function recordedInputs(state: ChrootState): ZkChrootInputs {
  return { ...state, connectString: state.ensembleConnectString };
}

/** Stats of the given children (undefined when absent), asked for all at once. */
async function childStats(
  client: ZkClient,
  root: string,
  rels: Iterable<string>,
): Promise<Map<string, ZnodeStat | undefined>> {
  const list = [...rels];
  const stats = await Promise.all(list.map((rel) => client.exists(child(root, rel))));
  return new Map(list.map((rel, i) => [rel, stats[i]]));
}

/**
 * Fails when another writer changed the ACL of a znode about to be written or removed: its change
 * would go with ours. An ACL that already is the wanted one (an earlier attempt of ours set it) is
 * no conflict. Data versions are checked by the transaction itself.
 */
async function checkAcls(
  client: ZkClient,
  znodes: readonly { path: string; rec: ChildRecord; stat: ZnodeStat }[],
  wanted: readonly AclEntry[] | undefined,
): Promise<void> {
  const changed = znodes.filter((z) => z.stat.aversion !== z.rec.aversion);
  const acls = await Promise.all(changed.map((z) => client.getAcl(z.path)));
  changed.forEach((z, i) => {
    const now = acls[i];
    if (wanted && now && sameValue(normalizeAcl(now.acl), normalizeAcl(wanted))) return;
    throw new ProviderError(msg.versionConflict(z.path, "acl", z.rec.aversion, z.stat.aversion));
  });
}

/** Turns a failed chroot transaction into the message a user needs; nothing of it was applied. */
async function explainFailure(client: ZkClient, err: unknown, ops: readonly MultiOp[]): Promise<unknown> {
  if (!(err instanceof ZkMultiError)) return err;
  const op = ops[err.index];
  if (!op) return err;
  if (isBadVersion(err) && "version" in op) {
    const now = await client.exists(op.path);
    return new ProviderError(msg.versionConflict(op.path, "data", op.version, now?.version ?? -1));
  }
  if (isNodeExists(err))
    return new ProviderError(`${msg.alreadyExists(op.path)} The chroot transaction was not applied.`);
  if (isNotEmpty(err)) {
    // Children written since they were listed (by another writer, or seen late by our member): name them.
    await client.sync(op.path);
    const removed = new Set(ops.filter((o) => o.op === "remove").map((o) => o.path));
    const foreign = (await client.getChildren(op.path).catch(() => [] as string[])).filter(
      (name) => !removed.has(child(op.path, name)),
    );
    const remedy =
      "The chroot transaction was not applied; remove them, or run the command again to see the current children.";
    if (foreign.length > 0) return new ProviderError(msg.foreignChildren(op.path, foreign, remedy));
    return new ProviderError(`znode ${op.path} had children this stack does not manage. ${remedy}`);
  }
  if (isNoNode(err)) return new ProviderError(msg.deletedConflict(op.path));
  return err;
}

/** What a chroot transaction did, as state records it. */
interface Written {
  readonly root: ZnodeRecord;
  readonly children: Map<string, ChildRecord>;
}

/** What a chroot create wrote or took over. */
type ChrootCreated = Written & { createdPaths: string[]; acl: AclEntry[]; adoptedChildren?: Set<string> };

/**
 * Creates (or adopts) the chroot with its parents and children in one transaction, safe to retry.
 * `resume` is the bound of an earlier create left in doubt: its chroot, if there, is claimed.
 */
async function createChroot(
  s: ConnectionSettings,
  inputs: ZkChrootInputs,
  resume?: string,
): Promise<ChrootCreated> {
  const wanted = ownEntries<string>(inputs.children);
  // Taken by a sync right before the first transaction was sent: see provesOwnCreate.
  let bound: string | undefined;
  try {
    return await pool().run(s, `create chroot ${inputs.path}`, (client) => attempt(client));
  } catch (err) {
    if (bound !== undefined && isTransient(err)) throw new CreateInDoubt(err as Error, bound);
    throw err;
  }

  async function attempt(client: ZkClient): Promise<ChrootCreated> {
    // The sync also makes the look that follows see every write committed before it.
    const [synced, existing] = await Promise.all([client.sync(inputs.path), client.exists(inputs.path)]);
    const claimable = bound ?? resume;
    if (existing && claimable !== undefined) {
      const own = await ownEarlierCreate(client, inputs, existing, wanted, claimable);
      if (own) return own;
    }
    if (existing && !inputs.adopt) throw new ProviderError(msg.alreadyExists(inputs.path));
    // Without an explicit ACL, the chroot and its children get the closest ancestor's (an adopted
    // chroot keeps its own).
    const inherited = await inheritedAcl(client, inputs.path);
    const acl = inputs.acl ?? (existing ? (await client.getAcl(inputs.path)).acl : inherited);
    const found = existing
      ? await childStats(client, inputs.path, wanted.keys())
      : new Map<string, ZnodeStat | undefined>();
    const prime = async (parents: string[]): Promise<Written & { parents: string[] }> => {
      const ops: MultiOp[] = [...parentOps(parents, inherited)];
      const data = Buffer.from(inputs.data);
      if (existing) ops.push({ op: "setData", path: inputs.path, data, version: existing.version });
      else ops.push({ op: "create", path: inputs.path, data, acl });
      const rootIndex = ops.length - 1;
      for (const [rel, value] of wanted) {
        const path = child(inputs.path, rel);
        const stat = found.get(rel);
        ops.push(
          stat
            ? { op: "setData", path, data: Buffer.from(value), version: stat.version }
            : { op: "create", path, data: Buffer.from(value), acl },
        );
      }
      bound ??= synced;
      const results = await client.multi(ops).catch(async (err) => {
        // Races on shared parents are retried by withMissingParents; explain everything else.
        const raced = err instanceof ZkMultiError && (err.index < parents.length || isNoNode(err));
        throw raced ? err : await explainFailure(client, err, ops);
      });
      const records = recordsFromResults(ops.slice(rootIndex), results.slice(rootIndex), found);
      const rootRecord = records.get("") as ChildRecord & { mzxid: string };
      records.delete("");
      return {
        root: { path: inputs.path, ...rootRecord },
        children: renameToRels(records, inputs.path),
        parents,
      };
    };
    const written = existing ? await prime([]) : await withMissingParents(client, inputs.path, prime);
    return {
      root: written.root,
      children: written.children,
      createdPaths: existing ? [] : [...written.parents, inputs.path],
      acl,
      // Adopted znodes keep their ACL unless one is given: then they get it, like new children.
      adoptedChildren: existing
        ? new Set([...found].filter(([, stat]) => stat !== undefined).map(([rel]) => rel))
        : undefined,
    };
  }
}

/** The chroot a create left in doubt made, if it is there and provably ours; reads only. */
async function findInDoubtChroot(
  s: ConnectionSettings,
  state: ChrootState,
): Promise<ChrootCreated | undefined> {
  const inputs = recordedInputs(state);
  const bound = state.inDoubt?.createdAfter ?? undefined;
  if (bound === undefined) return undefined;
  return pool().run(s, `find chroot ${inputs.path}`, async (client) => {
    await client.sync(inputs.path);
    const existing = await client.exists(inputs.path);
    return existing
      ? ownEarlierCreate(client, inputs, existing, ownEntries<string>(inputs.children), bound)
      : undefined;
  });
}

/**
 * On a retry, the chroot an earlier attempt created before its reply was lost: the chroot is
 * newer than anything seen before the first attempt and every wanted child was created by the
 * same transaction (the same creation zxid) with the wanted data. Anything else is not ours.
 */
async function ownEarlierCreate(
  client: ZkClient,
  inputs: ZkChrootInputs,
  existing: ZnodeStat,
  wanted: Map<string, string>,
  bound: string,
): Promise<(Written & { createdPaths: string[]; acl: AclEntry[] }) | undefined> {
  if (!provesOwnCreate(existing, bound)) return undefined;
  const rels = [...wanted.keys()];
  const [rootData, ...children] = await Promise.all([
    client.getData(inputs.path).catch(() => undefined),
    ...rels.map((rel) => client.getData(child(inputs.path, rel)).catch(() => undefined)),
  ]);
  if (!rootData || !rootData.data.equals(Buffer.from(inputs.data))) return undefined;
  const records = new Map<string, ChildRecord>();
  for (const [i, rel] of rels.entries()) {
    const got = children[i];
    if (!got || got.stat.czxid !== existing.czxid || !got.data.equals(Buffer.from(wanted.get(rel) ?? "")))
      return undefined;
    records.set(rel, childRecordOf(got.stat));
  }
  const { acl } = await client.getAcl(inputs.path);
  const parents = await parentsCreatedWith(client, inputs.path, existing.czxid);
  return {
    root: recordOf(inputs.path, rootData.stat),
    children: records,
    createdPaths: [...parents, inputs.path],
    acl,
  };
}

/**
 * Records of the znodes a committed transaction wrote, from its reply alone (a read after it
 * could see another writer's znode): created ones are new at the transaction's zxid, changed
 * ones have the stat the reply gives, checked ones keep their record. Keyed by path.
 */
function recordsFromResults(
  ops: readonly MultiOp[],
  results: readonly MultiResult[],
  checked: Map<string, ChildRecord | ZnodeStat | undefined>,
): Map<string, ChildRecord & { mzxid: string }> {
  const out = new Map<string, ChildRecord & { mzxid: string }>();
  ops.forEach((op, i) => {
    const result = results[i];
    if (!result || op.op === "remove") return;
    const key = i === 0 ? "" : op.path;
    if (op.op === "create") out.set(key, { version: 0, aversion: 0, czxid: result.zxid, mzxid: result.zxid });
    else if (op.op === "setData" && result.stat)
      out.set(key, { ...childRecordOf(result.stat), mzxid: result.stat.mzxid });
    else {
      const kept = checked.get(key === "" ? "" : op.path);
      if (kept)
        out.set(key, { version: kept.version, aversion: kept.aversion, czxid: kept.czxid, mzxid: "" });
    }
  });
  return out;
}

/** Children's records, keyed by path relative to the chroot. */
function renameToRels(byPath: Map<string, ChildRecord>, root: string): Map<string, ChildRecord> {
  const prefix = `${root}/`;
  return new Map(
    [...byPath].map(([path, { version, aversion, czxid }]) => [
      path.slice(prefix.length),
      { version, aversion, czxid },
    ]),
  );
}

/** A chroot update, planned from the recorded state alone: the transaction and what it expects. */
interface UpdatePlan {
  readonly ops: MultiOp[];
  /** Recorded children that the transaction checks, changes or removes. */
  readonly touched: Map<string, ChildRecord>;
  /** Children the transaction removes. */
  readonly removed: string[];
  /** Children it creates or changes, with their new data. */
  readonly written: Map<string, string>;
}

function planUpdate(
  root: ZnodeRecord,
  oldData: unknown,
  inputs: ZkChrootInputs,
  oldChildren: Map<string, string>,
  records: Map<string, ChildRecord>,
  acl: readonly AclEntry[],
): UpdatePlan {
  const wanted = ownEntries<string>(inputs.children);
  const ops: MultiOp[] = [
    oldData !== inputs.data
      ? { op: "setData", path: root.path, data: Buffer.from(inputs.data), version: root.version }
      : { op: "check", path: root.path, version: root.version },
  ];
  const touched = new Map<string, ChildRecord>();
  const written = new Map<string, string>();
  const removed = deepestFirst([...records.keys()].filter((rel) => !wanted.has(rel)));
  for (const rel of removed) {
    const rec = records.get(rel) as ChildRecord;
    touched.set(rel, rec);
    ops.push({ op: "remove", path: child(root.path, rel), version: rec.version });
  }
  for (const [rel, data] of wanted) {
    const rec = records.get(rel);
    const path = child(root.path, rel);
    if (!rec) {
      written.set(rel, data);
      ops.push({ op: "create", path, data: Buffer.from(data), acl });
      continue;
    }
    touched.set(rel, rec);
    if (oldChildren.get(rel) !== data) {
      written.set(rel, data);
      ops.push({ op: "setData", path, data: Buffer.from(data), version: rec.version });
    } else ops.push({ op: "check", path, version: rec.version });
  }
  return { ops, touched, removed, written };
}

/**
 * On a retry, whether the earlier attempt's transaction was applied before its reply was lost:
 * every znode it wrote carries one modification zxid, newer than anything seen before the first
 * attempt, with the wanted data; what it removed is gone and what it only checked is unchanged.
 * Returns the records it left, or undefined when it was not applied.
 */
async function appliedEarlier(
  client: ZkClient,
  root: ZnodeRecord,
  plan: UpdatePlan,
  rootStat: ZnodeStat,
  stats: Map<string, ZnodeStat | undefined>,
  bound: string,
): Promise<Written | undefined> {
  const rootWritten = plan.ops[0]?.op === "setData";
  const writtenPaths = [
    ...(rootWritten ? [root.path] : []),
    ...[...plan.written.keys()].map((r) => child(root.path, r)),
  ];
  if (writtenPaths.length === 0 && plan.removed.length === 0) return undefined;
  if (plan.removed.some((rel) => stats.get(rel) !== undefined)) return undefined;
  const reads = await Promise.all(writtenPaths.map((p) => client.getData(p).catch(() => undefined)));
  const zxids = new Set(reads.map((r) => r?.stat.mzxid));
  const [zxid] = zxids;
  if (
    writtenPaths.length > 0 &&
    (zxids.size !== 1 || zxid === undefined || !provesOwnCreate({ czxid: zxid }, bound))
  )
    return undefined;
  const wantedData = [
    ...(rootWritten ? [(plan.ops[0] as { data: Buffer }).data] : []),
    ...[...plan.written.values()].map((d) => Buffer.from(d)),
  ];
  if (reads.some((r, i) => !r || !r.data.equals(wantedData[i]))) return undefined;
  const children = new Map<string, ChildRecord>();
  for (const [rel, rec] of plan.touched) {
    if (plan.removed.includes(rel)) continue;
    const stat = stats.get(rel);
    if (!stat || stat.czxid !== rec.czxid) return undefined;
    if (!plan.written.has(rel) && stat.version !== rec.version) return undefined;
    children.set(rel, childRecordOf(stat));
  }
  for (const rel of plan.written.keys()) {
    const stat = stats.get(rel);
    if (!stat) return undefined;
    // A created child is new in that transaction; a changed one is one version on.
    const rec = plan.touched.get(rel);
    if (rec ? stat.version !== rec.version + 1 : stat.czxid !== zxid) return undefined;
    children.set(rel, childRecordOf(stat));
  }
  if (!rootWritten && rootStat.version !== root.version) return undefined;
  return { root: recordOf(root.path, rootStat), children };
}

/** What state records of a chroot update whose outcome is unknown, to settle it later. */
interface PendingUpdate {
  /** The newest zxid seen before the update's transaction was sent. */
  readonly bound: string;
  /** The inputs the update was to apply. */
  readonly inputs: ZkChrootInputs;
}

/** The ensemble stayed out of reach after an update's transaction was sent: it may have been applied. */
class UpdateInDoubt extends Error {
  constructor(
    readonly failure: Error,
    readonly bound: string,
  ) {
    super(failure.message);
  }
}

/** Sends the chroot update's transaction, retried safely; see {@link appliedEarlier}. */
async function writeUpdate(
  s: ConnectionSettings,
  olds: ChrootState,
  inputs: ZkChrootInputs,
): Promise<Written> {
  const root = recordIn(olds);
  const records = ownEntries<ChildRecord>(olds.childRecords);
  const acl = inputs.acl ?? settledAcl(olds);
  const plan = planUpdate(root, olds.data, inputs, ownEntries<string>(olds.children), records, acl);
  let bound: string | undefined;
  try {
    return await pool().run(s, `update chroot ${root.path}`, async (client) => {
      // The sync bounds what this attempt may later claim, and makes the reads behind it fresh.
      const [synced, stat, stats] = await Promise.all([
        client.sync(root.path),
        client.exists(root.path),
        planStats(client, root.path, plan),
      ]);
      if (bound !== undefined && stat?.czxid === root.czxid) {
        const earlier = await appliedEarlier(client, root, plan, stat, stats, bound);
        if (earlier) return earlier;
      }
      assertSameZnode(root.path, root.czxid, stat);
      const checked = [{ path: root.path, rec: root as ChildRecord, stat }];
      // Every recorded child the transaction touches must still be ours; one already gone needs no removing.
      const ops = plan.ops.filter((op, i) => {
        const rel = i === 0 ? undefined : op.path.slice(root.path.length + 1);
        const rec = rel === undefined ? undefined : plan.touched.get(rel);
        if (rel === undefined || !rec) return true;
        const now = stats.get(rel);
        if (op.op === "remove" && !now) return false;
        assertSameZnode(op.path, rec.czxid, now);
        checked.push({ path: op.path, rec, stat: now });
        return true;
      });
      await checkAcls(client, checked, inputs.acl);
      bound ??= synced;
      const results = await client.multi(ops).catch(async (err) => {
        throw await explainFailure(client, err, ops);
      });
      const byPath = recordsFromResults(
        ops,
        results,
        new Map<string, ChildRecord | ZnodeStat | undefined>([
          ["", root],
          ...[...plan.touched].map(([rel, rec]) => [child(root.path, rel), rec] as const),
        ]),
      );
      const rootAfter = byPath.get("") as ChildRecord & { mzxid: string };
      byPath.delete("");
      return {
        root: { ...root, ...rootAfter, mzxid: rootAfter.mzxid || root.mzxid },
        children: renameToRels(byPath, root.path),
      };
    });
  } catch (err) {
    if (bound !== undefined && isTransient(err)) throw new UpdateInDoubt(err as Error, bound);
    throw err;
  }
}

const planStats = (client: ZkClient, root: string, plan: UpdatePlan) =>
  childStats(client, root, new Set([...plan.touched.keys(), ...plan.written.keys()]));

/** Sets a new ACL on the chroot and on the children it had before the update (new ones got it at creation). */
async function setChrootAcl(
  s: ConnectionSettings,
  written: Written,
  before: Map<string, ChildRecord>,
  acl: readonly AclEntry[],
): Promise<Written> {
  const rootPath = written.root.path;
  const aversions = new Map<string, number>([[rootPath, written.root.aversion]]);
  for (const [rel, rec] of written.children)
    if (before.has(rel)) aversions.set(child(rootPath, rel), rec.aversion);
  const stats = await pool().run(s, `set ACL of chroot ${rootPath}`, (client) =>
    setAclEverywhere(client, aversions, acl),
  );
  const children = new Map(written.children);
  let root = written.root;
  for (const [path, stat] of stats) {
    if (path === rootPath) root = { ...root, aversion: stat.aversion };
    else {
      const rel = path.slice(rootPath.length + 1);
      const rec = children.get(rel);
      if (rec) children.set(rel, { ...rec, aversion: stat.aversion });
    }
  }
  return { root, children };
}

/**
 * The error that makes the engine keep an update in doubt in state (a partial failure), with
 * what settles it on the next `up`, `refresh` or `destroy`.
 */
function inDoubtError(err: UpdateInDoubt, id: string, olds: ChrootState, inputs: ZkChrootInputs): unknown {
  const pendingUpdate: PendingUpdate = { bound: err.bound, inputs: { ...inputs } };
  return partialFailure(
    new ProviderError(
      `${err.failure.message}. The update may have taken effect: the next 'pulumi up' or 'pulumi refresh' finds out and finishes it`,
    ),
    id,
    { ...olds, pendingUpdate },
  );
}

/**
 * State with an update in doubt, settled: when its transaction was applied, the state takes
 * what it wrote; otherwise the state stays as it was. Reads only.
 */
async function settlePending(s: ConnectionSettings, olds: ChrootState): Promise<ChrootState> {
  const { pendingUpdate: pending, ...rest } = olds;
  if (!pending) return olds;
  const wanted = pending.inputs;
  const root = recordIn(rest);
  const records = ownEntries<ChildRecord>(rest.childRecords);
  const acl = wanted.acl ?? settledAcl(rest);
  const plan = planUpdate(root, rest.data, wanted, ownEntries<string>(rest.children), records, acl);
  const earlier = await pool().run(s, `settle update of chroot ${root.path}`, async (client) => {
    await client.sync();
    const [stat, stats] = await Promise.all([client.exists(root.path), planStats(client, root.path, plan)]);
    if (!stat || stat.czxid !== root.czxid) return undefined;
    return appliedEarlier(client, root, plan, stat, stats, pending.bound);
  });
  if (!earlier) return rest;
  return {
    ...rest,
    data: wanted.data,
    children: wanted.children,
    ...earlier.root,
    childRecords: Object.fromEntries(earlier.children),
  };
}

/** Sets the ACL of each path whose recorded ACL version is given; returns the new stats. */
async function setAclEverywhere(
  client: ZkClient,
  paths: Map<string, number>,
  acl: readonly AclEntry[],
): Promise<Map<string, ZnodeStat>> {
  const out = new Map<string, ZnodeStat>();
  for (const [path, aversion] of paths) {
    try {
      out.set(path, await client.setAcl(path, acl, aversion));
    } catch (err) {
      if (!isBadVersion(err)) throw err;
      // An earlier attempt whose reply was lost may have set it already.
      const now = await client.getAcl(path);
      if (!sameValue(normalizeAcl(now.acl), normalizeAcl(acl)))
        throw new ProviderError(msg.versionConflict(path, "acl", aversion, now.stat.aversion));
      out.set(path, now.stat);
    }
  }
  return out;
}

async function listSubtree(client: ZkClient, root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await client.getChildren(rel === "" ? root : child(root, rel));
    } catch (err) {
      if (isNoNode(err)) return;
      throw err;
    }
    for (const name of names) {
      const r = rel === "" ? name : `${rel}/${name}`;
      out.push(r);
      await walk(r);
    }
  };
  await walk("");
  return out;
}

const MAX_OPS_PER_MULTI = 500;

async function deleteChroot(s: ConnectionSettings, props: ChrootState): Promise<void> {
  const root = recordIn(props);
  const records = ownEntries<ChildRecord>(props.childRecords);
  const policy = props.deletePolicy;
  if (policy === "retain") return;
  await pool().run(s, `delete chroot ${root.path}`, async (client) => {
    // Behind a sync: the subtree as the ensemble has it, not as a lagging member last saw it.
    const [, stat] = await Promise.all([client.sync(root.path), client.exists(root.path)]);
    if (!stat) return;
    assertSameZnode(root.path, root.czxid, stat);
    const subtree = await listSubtree(client, root.path);
    const foreign = subtree.filter((rel) => !records.has(rel));
    if (foreign.length > 0 && policy === "refuse") {
      throw new ProviderError(
        msg.foreignChildren(
          root.path,
          foreign,
          "The chroot was not deleted (deletePolicy 'refuse'). Remove them, or set deletePolicy to 'recursive' to delete the whole subtree or 'retain' to leave it.",
        ),
      );
    }
    // Our children must still be the znodes we created, whatever the policy.
    const managed = subtree.filter((rel) => records.has(rel));
    const stats = await childStats(client, root.path, managed);
    const checked = [{ path: root.path, rec: root as ChildRecord, stat }];
    for (const rel of managed) {
      const now = stats.get(rel);
      if (!now) continue;
      const rec = records.get(rel) as ChildRecord;
      assertSameZnode(child(root.path, rel), rec.czxid, now);
      checked.push({ path: child(root.path, rel), rec, stat: now });
    }
    await checkAcls(client, checked, undefined);
    const ops: MultiOp[] = deepestFirst(subtree.filter((rel) => !records.has(rel) || stats.get(rel))).map(
      (rel) => ({ op: "remove", path: child(root.path, rel), version: records.get(rel)?.version ?? -1 }),
    );
    ops.push({ op: "remove", path: root.path, version: root.version });
    // Large foreign subtrees under 'recursive' go in batches, deepest first; the chroot is in the last one.
    for (let i = 0; i < ops.length; i += MAX_OPS_PER_MULTI) {
      const batch = ops.slice(i, i + MAX_OPS_PER_MULTI);
      await client.multi(batch).catch(async (err) => {
        throw await explainFailure(client, err, batch);
      });
    }
  });
  await removeEmptyParents(s, root.path);
}

/** The connect string a resource's input stands for: the stack config's when absent. */
function ensembleOf(connectString: unknown): unknown {
  if (connectString === UNKNOWN) return UNKNOWN;
  try {
    return settingsFor(connectString as string | undefined).connectString;
  } catch {
    return connectString;
  }
}

/** The znode path a chroot input stands for on its ensemble, or undefined while unknown. */
function absolutePathOf(connectString: unknown, path: unknown): string | undefined {
  if (
    connectString === UNKNOWN ||
    typeof connectString !== "string" ||
    typeof path !== "string" ||
    path === UNKNOWN
  )
    return undefined;
  const target = withChroot(connectString, path);
  return target.slice(target.indexOf("/"));
}

/**
 * A chroot's inputs as state records them. `connectString` is the chrooted output, so the input
 * is kept as `ensembleConnectString`.
 */
function recordedInputsOf(s: ConnectionSettings, inputs: ZkChrootInputs): RecordedInputs {
  const { connectString: ensembleConnectString, ...rest } = inputs;
  return {
    ...rest,
    ...(ensembleConnectString ? { ensembleConnectString } : {}),
    connectString: withChroot(s.connectString, inputs.path),
  };
}

/** A chroot's state from its inputs and what its create wrote. */
function stateOf(s: ConnectionSettings, inputs: ZkChrootInputs, created: ChrootCreated): ChrootState {
  return {
    ...recordedInputsOf(s, inputs),
    acl: created.acl,
    ...created.root,
    createdPaths: created.createdPaths,
    childRecords: Object.fromEntries(created.children),
  };
}

/** Adopted znodes keep their ACL unless one is given: then they get it, like new children. */
async function withAdoptedAcl(
  s: ConnectionSettings,
  inputs: ZkChrootInputs,
  created: ChrootCreated,
): Promise<ChrootState> {
  if (!created.adoptedChildren || !inputs.acl) return stateOf(s, inputs, created);
  const adopted = new Map([...created.children].filter(([rel]) => created.adoptedChildren?.has(rel)));
  const written = await setChrootAcl(s, created, adopted, inputs.acl);
  return stateOf(s, inputs, { ...created, ...written });
}

/**
 * State whose create was in doubt, settled: the chroot that create made is claimed, or made now
 * (another writer's is "already exists"). Other state is returned as it is.
 */
async function settleCreate(s: ConnectionSettings, olds: ChrootState): Promise<ChrootState> {
  const { inDoubt, ...rest } = olds;
  if (!inDoubt) return olds;
  const inputs = recordedInputs(rest);
  const created = await createChroot(s, inputs, inDoubt.createdAfter ?? undefined);
  return { ...rest, ...(await withAdoptedAcl(s, inputs, created)) };
}

/** What state records of a chroot's quota: the limits asked for and the znode that holds them. */
type QuotaState = Pick<ChrootState, "quota" | "quotaRecord">;

/**
 * Brings the chroot's quota from what state records to what the inputs ask for: sets, changes
 * (compare-and-set) or removes it. Returns the state properties that describe it afterwards.
 */
async function reconcileQuota(
  s: ConnectionSettings,
  chroot: string,
  olds: QuotaState,
  wanted: Quota | undefined,
): Promise<QuotaState> {
  const had = olds.quotaRecord;
  if (had && wanted && sameValue(olds.quota, wanted)) return { quota: wanted, quotaRecord: had };
  if (!wanted) {
    if (had) await removeQuota(s, chroot, had);
    return {};
  }
  const record = had ? await updateQuota(s, chroot, had, wanted) : await createQuota(s, chroot, wanted);
  return { quota: wanted, quotaRecord: record };
}

/** State with the quota properties replaced (absent ones removed). */
function withQuota(state: ChrootState, quota: QuotaState): ChrootState {
  const { quota: _q, quotaRecord: _r, ...rest } = state;
  return { ...rest, ...quota };
}

/** `ZkChroot`'s dynamic-provider methods. */
export const zkChroot = engineMethods<ZkChrootInputs, ChrootState>(parseState, {
  check(_olds, news) {
    const { zkChrootInputs, ZK_CHROOT_DEFAULTS, unrepresentableChildProblem, stackTargetFailures } =
      inputSchemas();
    const checked = validate(zkChrootInputs, news, ZK_CHROOT_DEFAULTS);
    const problem = unrepresentableChildProblem(news.children);
    if (problem) return { ...checked, failures: [problem, ...checked.failures] };
    if (checked.failures.length > 0) return checked;
    // Without a connect string of its own, the chroot is written through the stack's, chroot included.
    const profile = profileFailures(checked.inputs.profile);
    if (profile.length > 0) return { ...checked, failures: profile };
    const target = stackConnectString(checked.inputs.profile);
    return { ...checked, failures: stackTargetFailures("ZkChroot", checked.inputs, target) };
  },

  diff(_id, olds, news) {
    // Connect strings compare by members and chroot, so another spelling of the same is no change.
    const before = { ...recordedInputs(olds), connectString: ensembleOf(olds.ensembleConnectString) };
    const after = { ...withRecordedAcl(olds, news), connectString: ensembleOf(news.connectString) };
    const from = absolutePathOf(before.connectString, olds.path);
    const to = absolutePathOf(after.connectString, news.path);
    // A move that may land on the same znode (the same ensemble under another name) must free it first.
    const samePath = from === undefined || to === undefined || from === to;
    return planDiff(before, after, INPUTS, REPLACE_ON, () => samePath);
  },

  async create(inputs) {
    const s = settingsOf(inputs);
    const created = await createChroot(s, inputs).catch((err: unknown) => {
      // Kept in state as in doubt: the next up, refresh or destroy finds out (see settleCreate).
      throw keepInDoubt(err, inputs.path, { ...recordedInputsOf(s, inputs), childRecords: {} });
    });
    const outs = await withAdoptedAcl(s, inputs, created);
    if (!inputs.quota) return { id: created.root.path, outs };
    // The chroot exists whatever happens to its quota: state records it, without the quota on failure.
    const quota = await reconcileQuota(s, created.root.path, {}, inputs.quota).catch((err: unknown) => {
      throw partialFailure(err, created.root.path, withQuota(outs, {}));
    });
    return { id: created.root.path, outs: withQuota(outs, quota) };
  },

  async read(id, olds) {
    if (!olds) return GONE;
    const s = settingsOf({ connectString: olds.ensembleConnectString, profile: olds.profile });
    if (olds.inDoubt) {
      const found = await findInDoubtChroot(s, olds);
      const { inDoubt: _settled, ...rest } = olds;
      return found
        ? { id: found.root.path, props: { ...rest, ...stateOf(s, recordedInputs(rest), found) } }
        : GONE;
    }
    const props = await settlePending(s, olds);
    const root = props.path || id;
    const rels = [...ownEntries<string>(props.children).keys()];
    const found = await pool().run(s, `read chroot ${root}`, async (client) => {
      await client.sync();
      const got = await client.getData(root).catch((err) => {
        if (isNoNode(err)) return undefined;
        throw err;
      });
      if (!got) return undefined;
      const { acl } = await client.getAcl(root);
      // Only a child that is gone leaves the state; any other error fails the refresh.
      const reads = await Promise.all(
        rels.map((rel) =>
          client.getData(child(root, rel)).catch((err) => {
            if (isNoNode(err)) return undefined;
            throw err;
          }),
        ),
      );
      const children = new Map<string, string>();
      const childRecords = new Map<string, ChildRecord>();
      rels.forEach((rel, i) => {
        const c = reads[i];
        if (!c) return;
        children.set(rel, c.data.toString("utf8"));
        childRecords.set(rel, childRecordOf(c.stat));
      });
      return {
        data: got.data.toString("utf8"),
        acl,
        record: recordOf(root, got.stat),
        children: Object.fromEntries(children),
        childRecords: Object.fromEntries(childRecords),
      };
    });
    if (!found) return GONE;
    const { record, ...rest } = found;
    const next = { ...props, ...rest, ...record };
    if (!props.quota && !props.quotaRecord) return { id, props: next };
    // A quota changed or removed by someone else shows up as drift, which the next up puts back.
    const quota = await readQuota(s, root);
    return { id, props: withQuota(next, quota ? { quota: quota.quota, quotaRecord: quota.record } : {}) };
  },

  async update(id, olds, inputs) {
    const s = settingsOf(inputs);
    const settled = await settlePending(s, await settleCreate(s, olds));
    const { createdPaths } = settled;
    const recordedAcl = settledAcl(settled);
    const stateWith = (written: Written, acl: readonly AclEntry[]) =>
      stateOf(s, inputs, { ...written, acl: [...acl], createdPaths });
    const written = await writeUpdate(s, settled, inputs).catch((err: unknown) => {
      throw err instanceof UpdateInDoubt ? inDoubtError(err, id, settled, inputs) : err;
    });
    // The children are written: whatever happens to the quota, state must record them.
    const withQuotaUpdate = async (state: ChrootState): Promise<ChrootState> => {
      const old: QuotaState = settled.quotaRecord
        ? { quota: settled.quota, quotaRecord: settled.quotaRecord }
        : {};
      const quota = await reconcileQuota(s, written.root.path, settled, inputs.quota).catch(
        (err: unknown) => {
          throw partialFailure(err, id, withQuota(state, old));
        },
      );
      return withQuota(state, quota);
    };
    const newAcl = aclChange({ acl: recordedAcl }, inputs.acl);
    if (!newAcl) return { outs: await withQuotaUpdate(stateWith(written, recordedAcl)) };
    // The children are written: whatever happens to the ACL, state must record them.
    const withAcl = await setChrootAcl(
      s,
      written,
      ownEntries<ChildRecord>(settled.childRecords),
      newAcl,
    ).catch((err: unknown) => {
      throw partialFailure(err, id, stateWith(written, recordedAcl));
    });
    return { outs: await withQuotaUpdate(stateWith(withAcl, newAcl)) };
  },

  async delete(_id, props) {
    const s = settingsOf({ connectString: props.ensembleConnectString, profile: props.profile });
    if (props.inDoubt) {
      const found = await findInDoubtChroot(s, props);
      if (found) await deleteChroot(s, { ...props, ...stateOf(s, recordedInputs(props), found) });
      return;
    }
    const settled = await settlePending(s, props);
    await deleteChroot(s, settled);
    // The quota goes with the chroot; a retained chroot keeps it.
    const quota = settled.quotaRecord;
    if (quota && settled.deletePolicy !== "retain") await removeQuota(s, settled.path, quota);
  },
});
