import { randomBytes } from "crypto";
import * as zookeeper from "node-zookeeper-client";
import { pool, setConfig } from "../../provider/runtime/settings";
import { ZkClient } from "../../provider/zk/client";
import { isNoNode } from "../../provider/zk/errors";

/** The connect string of the ensemble globalSetup started. */
export function connectString(): string {
  const cs = process.env.ZK_CONNECT_STRING;
  if (!cs) throw new Error("ZK_CONNECT_STRING is not set: the server tiers run through jest's globalSetup");
  return cs;
}

/** A fresh root path for one test, so tests never see each other's znodes. */
export function randomRoot(prefix = "t"): string {
  return `/${prefix}-${randomBytes(6).toString("hex")}`;
}

/** A raw session and a fresh root znode of one integration test; see {@link freshRootPerTest}. */
export interface TestRoot {
  /** A raw session to check what was written, reads synced. */
  readonly raw: ZkClient;
  /** An empty znode made for this test, removed after it. */
  readonly root: string;
}

/**
 * The integration tier's fixture, set up by jest hooks: the provider runtime on the test ensemble,
 * a raw session for the file, and before every test a fresh root znode (world-writable), removed after it.
 */
export function freshRootPerTest(prefix: string): TestRoot {
  const fixture = { raw: undefined as unknown as ZkClient, root: "" };
  beforeAll(async () => {
    useTestEnsemble();
    fixture.raw = await rawClient();
  });
  afterAll(async () => {
    fixture.raw?.close();
    await pool().closeAll();
  });
  beforeEach(async () => {
    fixture.root = randomRoot(prefix);
    await fixture.raw.create(fixture.root, Buffer.alloc(0), [
      { scheme: "world", id: "anyone", perms: "rwcda" },
    ]);
  });
  afterEach(() => removeTree(fixture.raw, fixture.root));
  return fixture;
}

/** Points the provider runtime at the test ensemble. */
export function useTestEnsemble(extra: { digest?: string } = {}): void {
  setConfig({ connectString: connectString(), sessionTimeoutMs: 6000, ...extra });
}

/**
 * A raw session, independent of the provider's pool, for checking what was written. It may talk
 * to another member than the provider did, so every read is preceded by a sync. By default on the
 * tier's ensemble; the fault tier passes its private ensembles' connect strings (and more time).
 */
export async function rawClient(
  digest?: string,
  ensemble: string = connectString(),
  requestTimeoutMs = 10_000,
): Promise<ZkClient> {
  const client = await ZkClient.connect({
    connectString: ensemble,
    ...(digest ? { digest } : {}),
    sessionTimeoutMs: 6000,
    connectTimeoutMs: requestTimeoutMs,
    requestTimeoutMs,
  });
  for (const read of ["exists", "getData", "getChildren", "getAcl"] as const) {
    const plain = client[read].bind(client) as (path: string) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[read] = async (path: string) => {
      await client.sync();
      return plain(path);
    };
  }
  return client;
}

/**
 * Every znode under a root with its data and versions: compare two snapshots to prove nothing was
 * written. With `childVersions`, a child created and deleted again also shows (as a changed
 * cversion of its parent); leave it off to compare a tree restored by a destroy.
 */
export async function snapshotTree(
  client: ZkClient,
  root: string,
  childVersions = true,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (p: string): Promise<void> => {
    const got = await client.getData(p).catch(() => undefined);
    if (!got) return;
    const cversion = childVersions ? `/${got.stat.cversion}` : "";
    out[p] = `${got.stat.version}/${got.stat.aversion}${cversion}:${got.data.toString("base64")}`;
    for (const c of await client.getChildren(p).catch(() => [] as string[]))
      await walk(p === "/" ? `/${c}` : `${p}/${c}`);
  };
  await walk(root);
  return out;
}

/** Deletes a subtree, for test cleanup. */
export async function removeTree(client: ZkClient, root: string): Promise<void> {
  const children = await client.getChildren(root).catch(() => [] as string[]);
  for (const c of children) await removeTree(client, `${root}/${c}`);
  await client.remove(root, -1).catch(() => undefined);
}

export { zookeeper };

/** One znode of a {@link statTree}: its data and everything that tells who wrote it last. */
export interface ZnodeSnapshot {
  readonly data: Buffer;
  /** Creation zxid: a znode deleted and created again has a new one. */
  readonly czxid: string;
  /** Zxid of the last create or setData. */
  readonly mzxid: string;
  readonly version: number;
  /** ACL version: the only trace a setACL leaves. */
  readonly aversion: number;
  readonly numChildren: number;
}

/** A read's fallback when the znode is gone; any other error is thrown, not taken for absence. */
const whenGone =
  <T>(value: T) =>
  (err: unknown): T => {
    if (isNoNode(err)) return value;
    throw err;
  };

/**
 * Every znode under `root` (itself included) by path, read after a write barrier so that the
 * snapshot holds every write acknowledged before it on any member. Not `sync`: the leader answers a
 * sync like a read, ahead of commits it has queued but not applied, which a follower may already
 * have acknowledged to its client. A write is applied after every earlier commit, and this
 * session's reads wait for it; a `check` of "/" changes no znode. Empty when `root` is gone.
 */
export async function statTree(client: ZkClient, root: string): Promise<Map<string, ZnodeSnapshot>> {
  await client.multi([{ op: "check", path: "/", version: -1 }]);
  const out = new Map<string, ZnodeSnapshot>();
  const walk = async (p: string): Promise<void> => {
    const [got, children] = await Promise.all([
      client.getData(p).catch(whenGone(undefined)),
      client.getChildren(p).catch(whenGone([] as string[])),
    ]);
    if (!got) return;
    const { stat } = got;
    out.set(p, {
      data: got.data,
      czxid: stat.czxid,
      mzxid: stat.mzxid,
      version: stat.version,
      aversion: stat.aversion,
      numChildren: stat.numChildren,
    });
    await Promise.all(children.map((c) => walk(p === "/" ? `/${c}` : `${p}/${c}`)));
  };
  await walk(root);
  return out;
}
