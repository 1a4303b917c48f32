/**
 * The life of a znode a resource manages: created with its missing parents in one transaction
 * (or an existing one adopted), a create left in doubt settled, updated and deleted, every write
 * compare-and-set (see checkedWrites.ts).
 */
import * as msg from "../core/messages";
import { type AclEntry } from "../core/acl";
import { ProviderError } from "../core/messages";
import { baseName, parentPath } from "../core/paths";
import { type CreateMode, type ZkClient } from "../zk/client";
import { isNoNode, isNodeExists, isTransient } from "../zk/errors";
import { type ConnectionSettings } from "../zk/pool";
import { aclChange, aclFromState, pathsFromState, type Props, settledAcl } from "./dynamic";
import { pool } from "./settings";
import { type ZnodeRecord, recordOf, recordIn, holds, recordFromState } from "./record";
import { CreateInDoubt, type InDoubt, boundOf, provesOwnCreate } from "./inDoubt";
import { inheritedAcl, withMissingParents, parentsCreatedWith, parentOps } from "./parents";
import { deleteZnode, updateAcl, updateData, verifyRecord, writeIfChanged } from "./checkedWrites";

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

/** A create spec whose ACL is settled. */
export type ResolvedSpec = CreateSpec & { readonly acl: readonly AclEntry[] };

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
        throw new ProviderError(msg.missingParent(spec.path, parents[parents.length - 1]));
      }
      const ops = [
        ...parentOps(parents, parents.length > 0 ? await parentAcl() : []),
        { op: "create", path: spec.path, data: spec.data, acl: spec.acl, mode } as const,
      ];
      // From here on a transient failure leaves the outcome unknown: the multi may have been applied.
      inDoubt = true;
      const results = await client.multi(ops);
      // The create is the last op. A fresh znode: versions 0, created and modified by this transaction.
      const { path = spec.path, zxid } = results[results.length - 1];
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

/** The znode an earlier create in doubt made, found by its data, ACL and creation zxid, or undefined. */
function findInDoubt(
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

/** What the state of a resource that manages one znode holds besides its inputs. */
export type ManagedState = ZnodeRecord & {
  /** The znode's ACL as written or found; while the create is in doubt, the `acl` input. */
  acl?: AclEntry[];
  /** Parents created on the way, top down. */
  createdParents: string[];
  /** Set while the create is in doubt (see `keepInDoubt`). */
  inDoubt?: InDoubt;
};

/** What a recorded state holds of its managed znode. Earlier versions may not record `createdParents`. */
export function managedFromState(recorded: Props): ManagedState {
  return {
    acl: aclFromState(recorded.acl),
    ...recordFromState(recorded),
    createdParents: pathsFromState(recorded.createdParents),
  };
}

/**
 * State whose create was in doubt, settled: the create is finished (or its znode found) with the
 * spec it had, so an update can go on from a real record. Other state is returned as it is.
 */
async function settleInDoubt<S extends ManagedState>(
  s: ConnectionSettings,
  olds: S,
  specOf: (state: S) => CreateSpec,
): Promise<Omit<S, "inDoubt"> & { acl: AclEntry[] }> {
  const { inDoubt, ...rest } = olds;
  if (!inDoubt) return { ...rest, acl: settledAcl(rest) };
  const { adopted: _a, ...found } = await createZnode(s, specOf(olds), inDoubt);
  return { ...rest, ...found };
}

/**
 * A refresh of state whose create was in doubt: the state with the record of the znode that create
 * made, or undefined when it made none (the resource is gone). Reads only.
 */
export async function refreshInDoubt<S extends ManagedState>(
  s: ConnectionSettings,
  state: S,
  inDoubt: InDoubt,
  specOf: (state: S) => CreateSpec,
): Promise<(Omit<S, "inDoubt"> & ZnodeRecord) | undefined> {
  const { inDoubt: _settled, ...rest } = state;
  const own = await findInDoubt(s, specOf(state), inDoubt);
  return own && { ...rest, ...own };
}

/** What an update asks of a managed znode: its data as recorded and as wanted, and the wanted ACL. */
export interface ZnodeChange {
  readonly before: Buffer;
  readonly after: Buffer;
  /** Absent: the ACL stays as recorded. */
  readonly acl: readonly AclEntry[] | undefined;
}

/**
 * Brings a managed znode from its recorded state to the wanted data and ACL (settling a create in
 * doubt first), each write compare-and-set. With nothing to write, it still checks that the znode
 * is the one recorded, unchanged: state must not describe a znode that is gone or someone else's.
 */
export async function updateManaged<S extends ManagedState>(
  s: ConnectionSettings,
  olds: S,
  specOf: (state: S) => CreateSpec,
  change: ZnodeChange,
): Promise<{ settled: Omit<S, "inDoubt"> & { acl: AclEntry[] }; record: ZnodeRecord }> {
  const settled = await settleInDoubt(s, olds, specOf);
  const recorded = recordIn(settled);
  let record = recorded;
  if (!change.before.equals(change.after)) record = await updateData(s, record, change.after);
  const acl = aclChange(settled, change.acl);
  if (acl) record = await updateAcl(s, record, acl);
  if (record === recorded) record = await verifyRecord(s, record);
  return { settled, record };
}

/** Deletes the znode a resource manages (finding it first when its create was in doubt) and our empty parents. */
export async function deleteManaged<S extends ManagedState>(
  s: ConnectionSettings,
  props: S,
  specOf: (state: S) => CreateSpec,
): Promise<void> {
  const own = props.inDoubt ? await findInDoubt(s, specOf(props), props.inDoubt) : undefined;
  if (props.inDoubt && !own) return;
  await deleteZnode(s, own ?? recordIn(props));
}
