import { AclEntry, normalizeAcl } from "../core/acl";
import { withChroot } from "../core/connectString";
import { planDiff, sameValue } from "../core/diff";
import * as msg from "../core/messages";
import { ProviderError } from "../core/messages";
import { joinPath } from "../core/paths";
import type { ZkChrootInputs } from "../core/schemas";
import { validate } from "../core/validation";
import { BAD_VERSION, NO_NODE, NODE_EXISTS, NOT_EMPTY } from "../core/zkCodes";
import { MultiOp, ZkClient, ZkMultiError } from "../zk/client";
import { errorCode } from "../zk/errors";
import { ConnectionSettings } from "../zk/pool";
import { aclChange, inputSchemas, ProviderMethods, Props, withRecordedAcl } from "./dynamic";
import { pool, settingsFor } from "./settings";
import {
  inheritedAcl,
  parentOps,
  parentsCreatedWith,
  recordFromState,
  recordOf,
  removeEmptyParents,
  withMissingParents,
  ZnodeRecord,
} from "./znodes";

const INPUTS = ["connectString", "path", "data", "acl", "children", "deletePolicy", "adopt"] as const;
const REPLACE_ON = ["connectString", "path"];

/** What state keeps of one primed child. */
interface ChildRecord {
  readonly version: number;
  readonly aversion: number;
  readonly czxid: string;
}

/**
 * State of a chroot. `connectString` is the chrooted output, so the input is kept as
 * `ensembleConnectString`.
 */
type ChrootState = Omit<ZkChrootInputs, "connectString" | "acl"> & { acl: AclEntry[] } & ZnodeRecord & {
    ensembleConnectString?: string;
    connectString: string;
    createdPaths: string[];
    childRecords: Record<string, ChildRecord>;
  };

const child = (root: string, rel: string) => joinPath(root, rel);
/** Deepest first, so a parent is deleted after its children. */
const deepestFirst = (rels: string[]) =>
  [...rels].sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? 1 : -1));

function recordedInputs(olds: Props): Props {
  return { ...olds, connectString: olds.ensembleConnectString };
}

async function readRecords(
  client: ZkClient,
  path: string,
  rels: readonly string[],
): Promise<{ root: ZnodeRecord; children: Record<string, ChildRecord> }> {
  const rootStat = await client.exists(path);
  if (!rootStat)
    throw new ProviderError(`znode ${path} vanished right after it was written; another client deleted it`);
  const children: Record<string, ChildRecord> = {};
  for (const rel of rels) {
    const stat = await client.exists(child(path, rel));
    if (stat) children[rel] = { version: stat.version, aversion: stat.aversion, czxid: stat.czxid };
  }
  return { root: recordOf(path, rootStat), children };
}

/** Turns a failed chroot transaction into the message a user needs; nothing of it was applied. */
async function explainFailure(client: ZkClient, err: unknown, ops: readonly MultiOp[]): Promise<unknown> {
  if (!(err instanceof ZkMultiError)) return err;
  const op = ops[err.index];
  if (!op) return err;
  if (err.code === BAD_VERSION && "version" in op) {
    const now = await client.exists(op.path);
    return new ProviderError(msg.versionConflict(op.path, "data", op.version, now?.version ?? -1));
  }
  if (err.code === NODE_EXISTS)
    return new ProviderError(`${msg.alreadyExists(op.path)} The chroot transaction was not applied.`);
  if (err.code === NOT_EMPTY) {
    return new ProviderError(
      `znode ${op.path} has children this stack does not manage, so it cannot be removed from the chroot's children. The chroot transaction was not applied.`,
    );
  }
  if (err.code === NO_NODE) return new ProviderError(msg.deletedConflict(op.path));
  return err;
}

async function createChroot(
  s: ConnectionSettings,
  inputs: ZkChrootInputs,
): Promise<{
  root: ZnodeRecord;
  children: Record<string, ChildRecord>;
  createdPaths: string[];
  acl: AclEntry[];
}> {
  const rels = Object.keys(inputs.children);
  return pool().run(s, `create chroot ${inputs.path}`, async (client, attempt) => {
    const existing = await client.exists(inputs.path);
    if (
      existing &&
      attempt > 0 &&
      (await client.getData(inputs.path)).data.equals(Buffer.from(inputs.data))
    ) {
      // An earlier attempt committed before its reply was lost: the whole transaction is there.
      const records = await readRecords(client, inputs.path, rels);
      const { acl } = await client.getAcl(inputs.path);
      if (Object.keys(records.children).length === rels.length) {
        const parents = await parentsCreatedWith(client, inputs.path, records.root.czxid);
        return { ...records, createdPaths: [...parents, inputs.path], acl };
      }
    }
    if (existing && !inputs.adopt) throw new ProviderError(msg.alreadyExists(inputs.path));
    // Without an explicit ACL, the chroot and its children get the closest ancestor's (an adopted
    // chroot keeps its own).
    const inherited = await inheritedAcl(client, inputs.path);
    const acl = inputs.acl ?? (existing ? (await client.getAcl(inputs.path)).acl : inherited);
    const prime = async (parents: string[]): Promise<string[]> => {
      const ops: MultiOp[] = [...parentOps(parents, inherited)];
      const data = Buffer.from(inputs.data);
      if (existing) ops.push({ op: "setData", path: inputs.path, data, version: existing.version });
      else ops.push({ op: "create", path: inputs.path, data, acl });
      for (const rel of rels) {
        const path = child(inputs.path, rel);
        const stat = existing ? await client.exists(path) : undefined;
        const childData = Buffer.from(inputs.children[rel] as string);
        ops.push(
          stat
            ? { op: "setData", path, data: childData, version: stat.version }
            : { op: "create", path, data: childData, acl },
        );
      }
      await client.multi(ops).catch(async (err) => {
        // Races on shared parents are retried by withMissingParents; explain everything else.
        const raced = err instanceof ZkMultiError && (err.index < parents.length || err.code === NO_NODE);
        throw raced ? err : await explainFailure(client, err, ops);
      });
      return parents;
    };
    const parents = existing ? await prime([]) : await withMissingParents(client, inputs.path, prime);
    const records = await readRecords(client, inputs.path, rels);
    return { ...records, createdPaths: existing ? [] : [...parents, inputs.path], acl };
  });
}

/** Ops that bring the primed children from the recorded state to the new one, version-checked. */
function childOps(
  root: string,
  olds: Props,
  news: ZkChrootInputs,
  records: Record<string, ChildRecord>,
  acl: readonly AclEntry[],
): MultiOp[] {
  const oldChildren = (olds.children as Record<string, string>) ?? {};
  const ops: MultiOp[] = [];
  const removed = Object.keys(oldChildren).filter((rel) => !(rel in news.children) && records[rel]);
  for (const rel of deepestFirst(removed))
    ops.push({ op: "remove", path: child(root, rel), version: (records[rel] as ChildRecord).version });
  for (const [rel, data] of Object.entries(news.children)) {
    const rec = records[rel];
    if (!rec) ops.push({ op: "create", path: child(root, rel), data: Buffer.from(data), acl });
    else if (oldChildren[rel] !== data)
      ops.push({ op: "setData", path: child(root, rel), data: Buffer.from(data), version: rec.version });
    else ops.push({ op: "check", path: child(root, rel), version: rec.version });
  }
  return ops;
}

async function setAclEverywhere(
  client: ZkClient,
  paths: Record<string, number>,
  acl: readonly AclEntry[],
): Promise<void> {
  for (const [path, aversion] of Object.entries(paths)) {
    try {
      await client.setAcl(path, acl, aversion);
    } catch (err) {
      if (errorCode(err) !== BAD_VERSION) throw err;
      const now = await client.exists(path);
      if (now && !sameValue(normalizeAcl((await client.getAcl(path)).acl), normalizeAcl(acl))) {
        throw new ProviderError(msg.versionConflict(path, "acl", aversion, now.aversion));
      }
    }
  }
}

async function listSubtree(client: ZkClient, root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await client.getChildren(rel === "" ? root : child(root, rel));
    } catch (err) {
      if (errorCode(err) === NO_NODE) return;
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

async function deleteChroot(s: ConnectionSettings, props: Props): Promise<void> {
  const root = recordFromState(props);
  const records = (props.childRecords as Record<string, ChildRecord>) ?? {};
  const policy = String(props.deletePolicy ?? "refuse");
  if (policy === "retain") return;
  await pool().run(s, `delete chroot ${root.path}`, async (client) => {
    const stat = await client.exists(root.path);
    if (!stat) return;
    if (stat.czxid !== root.czxid)
      throw new ProviderError(msg.recreatedConflict(root.path, root.czxid, stat.czxid));
    const subtree = await listSubtree(client, root.path);
    const foreign = subtree.filter((rel) => !(rel in records));
    if (foreign.length > 0 && policy === "refuse") {
      throw new ProviderError(
        msg.foreignChildren(
          root.path,
          foreign,
          "The chroot was not deleted (deletePolicy 'refuse'). Remove them, or set deletePolicy to 'recursive' to delete the whole subtree or 'retain' to leave it.",
        ),
      );
    }
    const ops: MultiOp[] = deepestFirst(subtree).map((rel) => ({
      op: "remove",
      path: child(root.path, rel),
      version: records[rel]?.version ?? -1,
    }));
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

/** `ZkChroot`'s dynamic-provider methods. */
export const zkChroot: ProviderMethods = {
  async check(_olds, news) {
    const { zkChrootInputs, ZK_CHROOT_DEFAULTS } = inputSchemas();
    return validate(zkChrootInputs, news, ZK_CHROOT_DEFAULTS);
  },

  async diff(_id, olds, news) {
    return planDiff(recordedInputs(olds), withRecordedAcl(olds, news), INPUTS, REPLACE_ON);
  },

  async create(raw) {
    const inputs = raw as ZkChrootInputs;
    const s = settingsFor(inputs.connectString);
    const { root, children, createdPaths, acl } = await createChroot(s, inputs);
    const { connectString: ensembleConnectString, ...rest } = inputs;
    const outs: ChrootState = {
      ...rest,
      acl,
      ...root,
      ...(ensembleConnectString ? { ensembleConnectString } : {}),
      connectString: withChroot(s.connectString, inputs.path),
      createdPaths,
      childRecords: children,
    };
    return { id: root.path, outs };
  },

  async read(id, props) {
    const s = settingsFor(props.ensembleConnectString as string | undefined);
    const root = String(props.path ?? id);
    const oldChildren = (props.children as Record<string, string>) ?? {};
    const found = await pool().run(s, `read chroot ${root}`, async (client) => {
      await client.sync();
      const got = await client.getData(root).catch((err) => {
        if (errorCode(err) === NO_NODE) return undefined;
        throw err;
      });
      if (!got) return undefined;
      const { acl } = await client.getAcl(root);
      const children: Record<string, string> = {};
      const childRecords: Record<string, ChildRecord> = {};
      for (const rel of Object.keys(oldChildren)) {
        const c = await client.getData(child(root, rel)).catch(() => undefined);
        if (!c) continue;
        children[rel] = c.data.toString("utf8");
        childRecords[rel] = { version: c.stat.version, aversion: c.stat.aversion, czxid: c.stat.czxid };
      }
      return {
        data: got.data.toString("utf8"),
        acl,
        record: recordOf(root, got.stat),
        children,
        childRecords,
      };
    });
    if (!found) return { id: "", props: {} };
    const { record, ...rest } = found;
    return { id, props: { ...props, ...rest, ...record } };
  },

  async update(_id, olds, news) {
    const inputs = news as ZkChrootInputs;
    const s = settingsFor(inputs.connectString);
    const root = recordFromState(olds);
    const records = (olds.childRecords as Record<string, ChildRecord>) ?? {};
    const result = await pool().run(s, `update chroot ${root.path}`, async (client, attempt) => {
      const stat = await client.exists(root.path);
      if (!stat) throw new ProviderError(msg.deletedConflict(root.path));
      if (stat.czxid !== root.czxid)
        throw new ProviderError(msg.recreatedConflict(root.path, root.czxid, stat.czxid));
      const dataChanged = olds.data !== inputs.data;
      if (attempt > 0 && stat.version !== root.version) {
        // A retry after a lost reply: accept only if everything is already as wanted.
        const now = await readRecords(client, root.path, Object.keys(inputs.children));
        const rootData = (await client.getData(root.path)).data.toString("utf8");
        if (
          rootData === inputs.data &&
          Object.keys(now.children).length === Object.keys(inputs.children).length
        )
          return now;
      }
      const ops: MultiOp[] = [
        dataChanged
          ? { op: "setData", path: root.path, data: Buffer.from(inputs.data), version: root.version }
          : { op: "check", path: root.path, version: root.version },
        ...childOps(root.path, olds, inputs, records, inputs.acl ?? (olds.acl as AclEntry[])),
      ];
      await client.multi(ops).catch(async (err) => {
        throw await explainFailure(client, err, ops);
      });
      const acl = aclChange(olds, inputs.acl);
      if (acl) {
        const aversions: Record<string, number> = { [root.path]: root.aversion };
        for (const [rel, rec] of Object.entries(records))
          if (rel in inputs.children) aversions[child(root.path, rel)] = rec.aversion;
        await setAclEverywhere(client, aversions, acl);
      }
      return readRecords(client, root.path, Object.keys(inputs.children));
    });
    const { connectString: ensembleConnectString, ...rest } = inputs;
    const outs: ChrootState = {
      ...rest,
      acl: inputs.acl ?? (olds.acl as AclEntry[]),
      ...result.root,
      ...(ensembleConnectString ? { ensembleConnectString } : {}),
      connectString: withChroot(s.connectString, inputs.path),
      createdPaths: (olds.createdPaths as string[]) ?? [],
      childRecords: result.children,
    };
    return { outs };
  },

  async delete(_id, props) {
    await deleteChroot(settingsFor(props.ensembleConnectString as string | undefined), props);
  },
};
