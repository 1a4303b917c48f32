import { type AclEntry, normalizeAcl } from "../core/acl";
import { sameValue } from "../core/diff";
import * as msg from "../core/messages";
import { ProviderError } from "../core/messages";
import { ancestors, baseName, parentPath } from "../core/paths";
import {
  type CreateMode,
  type MultiOp,
  type MultiResult,
  type ZkClient,
  ZkMultiError,
  type ZnodeStat,
} from "../zk/client";
import { isBadVersion, isNoNode, isNodeExists, isNotEmpty, isTransient } from "../zk/errors";
import { type ConnectionSettings } from "../zk/pool";
import type { Props } from "./dynamic";
import { pool } from "./settings";

/**
 * Data of parents this package creates on the way. It marks them as ours, so that whichever
 * resource goes last removes them once empty, and parents that existed before are never touched.
 */
export const PARENT_MARKER = Buffer.from("pulumi-zookeeper:parent");

/** What state records of a managed znode, to compare-and-set against later. */
export interface ZnodeRecord {
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
}

/** The record of a znode from its stat. */
export function recordOf(path: string, stat: ZnodeStat): ZnodeRecord {
  return { path, version: stat.version, aversion: stat.aversion, czxid: stat.czxid, mzxid: stat.mzxid };
}

/** What to create. */
export interface CreateSpec {
  readonly path: string;
  readonly data: Buffer;
  /** The znode's ACL; when absent, the ACL of the closest existing ancestor. */
  readonly acl?: readonly AclEntry[];
  readonly sequential: boolean;
  readonly createParents: boolean;
  readonly adopt: boolean;
}

/** The outcome of a create. */
export interface Created extends ZnodeRecord {
  /** Parents created on the way, top down. */
  readonly createdParents: string[];
  /** True when an existing znode was taken over. */
  readonly adopted: boolean;
  /** The znode's ACL as written (or found, when adopted without an ACL). */
  readonly acl: AclEntry[];
}

/**
 * A create whose outcome is unknown: its request may have been applied with the reply lost, and
 * the ensemble stayed out of reach until the retry deadline. See {@link keepInDoubt}.
 */
export class CreateInDoubt extends ProviderError {
  constructor(
    cause: Error,
    /** The bound taken before the first attempt (see {@link provesOwnCreate}). */
    readonly createdAfter: string | undefined,
  ) {
    super(
      `${cause.message}. The create may have taken effect: the next 'pulumi up' or 'pulumi refresh' finds out and finishes it`,
    );
  }
}

/** What state records of a create in doubt, to settle it later. */
export interface InDoubt {
  /** The bound taken before the first attempt (see {@link provesOwnCreate}); null when none was. */
  readonly createdAfter?: string | null;
  /** In states of earlier versions, for sequential creates only: the parent's pzxid before the first attempt. */
  readonly parentPzxid?: string | null;
}

/** The bound a create in doubt recorded (see {@link provesOwnCreate}), if any. */
export function boundOf(inDoubt: InDoubt, sequential: boolean): string | undefined {
  if (inDoubt.createdAfter !== undefined) return inDoubt.createdAfter ?? undefined;
  // Earlier versions recorded one for sequential creates only; null meant the parent did not exist yet.
  return sequential ? (inDoubt.parentPzxid ?? "0") : undefined;
}

/**
 * True when a znode's creation zxid proves it was created after `bound` was taken. `bound` is
 * what {@link ZkClient.sync} returned before a create's first request was sent: every znode that
 * existed then (also one another member had not applied yet) has a creation zxid of at most
 * `bound`, and every create sent afterwards commits under a larger one. So a retry whose earlier
 * request may have been applied claims a znode only when this holds and the znode has the data
 * and ACL that request wrote; anything older was someone else's. Without a bound, nothing is
 * proven.
 */
export function provesOwnCreate(stat: Pick<ZnodeStat, "czxid">, bound: string | undefined): boolean {
  return bound !== undefined && BigInt(stat.czxid) > BigInt(bound);
}

/**
 * Turns a create in doubt into the error that makes the engine keep the resource in state (an
 * initialization failure, which the engine updates on the next `up`), with `inDoubt` set and
 * placeholder versions. Any other error is returned as it is.
 */
export function keepInDoubt(err: unknown, id: string, props: Record<string, unknown>): unknown {
  if (!(err instanceof CreateInDoubt)) return err;
  const inDoubt: InDoubt = { createdAfter: err.createdAfter ?? null };
  const record = { version: -1, aversion: -1, czxid: "0", mzxid: "0", createdParents: [] };
  return partialFailure(err, id, { ...props, ...record, inDoubt });
}

/**
 * An error that still hands the engine the resource's state (the SDK turns `id` and `properties`
 * into an initialization failure, which the engine records): what was written is not forgotten.
 */
export function partialFailure(err: unknown, id: string, state: object): unknown {
  if (!(err instanceof Error)) return err;
  // Through JSON: the engine's protobuf Struct cannot carry undefined values.
  const properties = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
  return Object.assign(err, { id, properties, reasons: [err.message] });
}

/** A create spec whose ACL is settled. */
type ResolvedSpec = CreateSpec & { readonly acl: readonly AclEntry[] };

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

const sameAcl = (a: readonly AclEntry[], b: readonly AclEntry[]) =>
  sameValue(normalizeAcl(a), normalizeAcl(b));

async function holds(
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

/** Parents of `path` that do not exist, top down. */
export async function missingParents(client: ZkClient, path: string): Promise<string[]> {
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

/**
 * Creates a znode (with its missing parents, in one transaction), safe to retry: a retried
 * create that finds the node accepts it only if it holds exactly what was written and
 * {@link provesOwnCreate} says it is newer than the first attempt.
 */
export async function createZnode(
  s: ConnectionSettings,
  spec: CreateSpec,
  resume?: InDoubt,
): Promise<Created> {
  let bound = resume && boundOf(resume, spec.sequential);
  let inDoubt = false;
  try {
    return await pool().run(s, `create ${spec.path}`, async (client) => {
      // Resuming a create in doubt, or after an attempt that sent its request: the znode may be ours.
      const mayBeOurs = resume !== undefined || inDoubt;
      // Awaited before the multi is sent, not pipelined with it: a connection lost right after
      // sending would take both replies, and our own create could no longer be proven.
      const syncing = bound === undefined ? client.sync(parentPath(spec.path) ?? "/") : undefined;
      // With an explicit ACL, the inherited one is needed only for parents to create.
      let inherited: Promise<AclEntry[]> | undefined;
      const parentAcl = () => (inherited ??= inheritedAcl(client, spec.path));
      const [synced, acl] = await Promise.all([syncing, spec.acl ?? parentAcl()]);
      bound ??= synced;
      const resolved: ResolvedSpec = { ...spec, acl };
      return createResolved(client, resolved, spec.acl === undefined, parentAcl, mayBeOurs);
    });
  } catch (err) {
    if (inDoubt && isTransient(err)) throw new CreateInDoubt(err as Error, bound);
    throw err;
  }

  async function createResolved(
    client: ZkClient,
    spec: ResolvedSpec,
    keepExistingAcl: boolean,
    parentAcl: () => Promise<AclEntry[]>,
    mayBeOurs: boolean,
  ): Promise<Created> {
    if (spec.sequential && mayBeOurs) {
      // The member this retry reached may lag behind the leader that applied the earlier attempt.
      await client.sync();
      const own = await findOwnSequential(client, spec, bound);
      if (own) {
        const createdParents = await parentsCreatedWith(client, own.path, own.czxid);
        return { ...own, createdParents, adopted: false, acl: [...spec.acl] };
      }
    }
    const mode: CreateMode = spec.sequential ? "sequential" : "persistent";
    // No look before the create: an existing target fails it with NodeExists (handled below, also
    // for a retry finding its own earlier write) and missing parents with NoNode (then looked up).
    const commit = async (parents: string[]): Promise<Created> => {
      if (parents.length > 0 && !spec.createParents) {
        throw new ProviderError(msg.missingParent(spec.path, parents[parents.length - 1] as string));
      }
      const ops = [
        ...parentOps(parents, parents.length > 0 ? await parentAcl() : []),
        { op: "create", path: spec.path, data: spec.data, acl: spec.acl, mode } as const,
      ];
      // From here on a transient failure leaves the outcome unknown: the multi may have been applied.
      inDoubt = true;
      const results = await client.multi(ops);
      // The create is the last op. A fresh znode: versions 0, created and modified by this transaction.
      const { path = spec.path, zxid } = results[results.length - 1] as MultiResult;
      const record = { path, version: 0, aversion: 0, czxid: zxid, mzxid: zxid };
      return { ...record, createdParents: parents, adopted: false, acl: [...spec.acl] };
    };
    try {
      return await withMissingParents(client, spec.path, commit, []);
    } catch (err) {
      if (isNodeExists(err) && !spec.sequential) {
        return takeOverExisting(client, spec, keepExistingAcl, mayBeOurs ? bound : undefined);
      }
      throw err;
    }
  }
}

/**
 * A create that failed with NodeExists: the znode an earlier attempt of ours created (provable
 * only with `ownBound`, see {@link provesOwnCreate}), else taken over if `adopt`, else refused.
 */
async function takeOverExisting(
  client: ZkClient,
  spec: ResolvedSpec,
  keepExistingAcl: boolean,
  ownBound: string | undefined,
): Promise<Created> {
  if (ownBound !== undefined) {
    const mine = await holds(client, spec.path, spec.data, spec.acl);
    if (mine && provesOwnCreate(mine, ownBound)) {
      const createdParents = await parentsCreatedWith(client, spec.path, mine.czxid);
      return { ...recordOf(spec.path, mine), createdParents, adopted: false, acl: [...spec.acl] };
    }
  }
  if (!spec.adopt) throw new ProviderError(msg.alreadyExists(spec.path));
  const { stat } = await client.getData(spec.path);
  if (stat.ephemeralOwner !== "0") {
    throw new ProviderError(
      `znode ${spec.path} is ephemeral (owned by session 0x${BigInt(stat.ephemeralOwner).toString(16)}); only persistent znodes can be adopted`,
    );
  }
  // Adopted without an explicit ACL, the znode keeps the ACL it has.
  const wanted = keepExistingAcl ? undefined : spec.acl;
  const record = await writeIfChanged(client, recordOf(spec.path, stat), spec.data, wanted);
  const acl = wanted ? [...wanted] : (await client.getAcl(spec.path)).acl;
  return { ...record, createdParents: [], adopted: true, acl };
}

async function findOwnSequential(
  client: ZkClient,
  spec: ResolvedSpec,
  bound: string | undefined,
): Promise<ZnodeRecord | undefined> {
  if (bound === undefined) return undefined;
  const parent = parentPath(spec.path) ?? "/";
  const prefix = baseName(spec.path);
  let children: string[];
  try {
    children = await client.getChildren(parent);
  } catch (err) {
    if (isNoNode(err)) return undefined;
    throw err;
  }
  for (const child of children.filter(
    (c) => c.startsWith(prefix) && /^\d{10}$/.test(c.slice(prefix.length)),
  )) {
    const path = parent === "/" ? `/${child}` : `${parent}/${child}`;
    const stat = await holds(client, path, spec.data, spec.acl);
    if (stat && provesOwnCreate(stat, bound)) return recordOf(path, stat);
  }
  return undefined;
}

/** Brings data and ACL of a znode we own to the wanted values, version-checked. */
async function writeIfChanged(
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

/** A parent's data and stat, or undefined when it is gone. */
type ParentRead = { data: Buffer; stat: ZnodeStat } | undefined;

async function readParent(client: ZkClient, path: string): Promise<ParentRead> {
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

async function removeEmptyParentsWith(
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

/** The znode an earlier create in doubt made, found by its data, ACL and creation zxid, or undefined. */
export function findInDoubt(
  s: ConnectionSettings,
  spec: CreateSpec,
  inDoubt: InDoubt,
): Promise<(ZnodeRecord & { acl: AclEntry[] }) | undefined> {
  return pool().run(s, `find ${spec.path}`, async (client) => {
    await client.sync();
    const resolved: ResolvedSpec = { ...spec, acl: spec.acl ?? (await inheritedAcl(client, spec.path)) };
    const bound = boundOf(inDoubt, spec.sequential);
    const found = spec.sequential
      ? await findOwnSequential(client, resolved, bound)
      : await holds(client, spec.path, spec.data, resolved.acl).then((stat) =>
          stat && provesOwnCreate(stat, bound) ? recordOf(spec.path, stat) : undefined,
        );
    return found && { ...found, acl: [...resolved.acl] };
  });
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

/** The record of the managed znode kept in a resource's state. */
export function recordFromState(p: Props): ZnodeRecord {
  return {
    path: String(p.path),
    version: Number(p.version),
    aversion: Number(p.aversion),
    czxid: String(p.czxid),
    mzxid: String(p.mzxid),
  };
}

/**
 * State whose create was in doubt, settled: the create is finished (or its znode found) with the
 * spec it had, so an update can go on from a real record. Other state is returned as it is.
 */
export async function settleInDoubt(
  s: ConnectionSettings,
  olds: Props,
  specOf: (state: Props) => CreateSpec,
): Promise<Props> {
  if (!olds.inDoubt) return olds;
  const { inDoubt, ...rest } = olds;
  const { adopted: _a, createdParents, ...found } = await createZnode(s, specOf(rest), inDoubt as InDoubt);
  return { ...rest, ...found, createdParents };
}

/** Deletes the znode a resource manages (finding it first when its create was in doubt) and our empty parents. */
export async function deleteManaged(
  s: ConnectionSettings,
  props: Props,
  specOf: (state: Props) => CreateSpec,
): Promise<void> {
  const own = props.inDoubt ? await findInDoubt(s, specOf(props), props.inDoubt as InDoubt) : undefined;
  if (props.inDoubt && !own) return;
  const record = own ?? recordFromState(props);
  await deleteZnode(s, record);
}
