/**
 * ZkChroot transactions whose replies are lost. The retry must recognise its own committed
 * transaction (and only its own): no "already exists" about a child it wrote itself, no "changed
 * outside this stack" about its own change, and no claim on a chroot somebody else created.
 */
import { zkChroot } from "../../provider/runtime";
import {
  faultStack,
  LOSE,
  LOST_REPLIES,
  managedPaths,
  mustSucceed,
  parseState,
  printed,
  throughPartition,
  tryUp,
  useProxiedRuntime,
  withFault,
} from "../support/fault";
import { changeSummary } from "../support/pulumi";
import { checkWith } from "../support/runtime";
import { randomRoot, snapshotTree } from "../support/zk";

jest.setTimeout(120_000);

const SESSION_TIMEOUT_MS = 4000;
const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];
type State = Record<string, unknown>;

const root = randomRoot("chroot-lost-reply");
const env = useProxiedRuntime(root, SESSION_TIMEOUT_MS);

async function inputs(news: State): Promise<State> {
  const { inputs, failures } = await checkWith<State>(zkChroot, {}, news);
  expect(failures ?? []).toEqual([]);
  return inputs;
}

const text = async (p: string) => (await env.raw.getData(p)).data.toString();

describe("a ZkChroot update whose reply is lost", () => {
  it.each(LOST_REPLIES)("adding a child succeeds once and records the child (%s)", async (name, fault) => {
    const path = `${root}/add-${name}`;
    const { id, outs } = await zkChroot.create(await inputs({ path, children: { a: "1" } }));
    const news = await inputs({ path, children: { a: "1", b: "2" } });
    const { outs: next } = await withFault(env.proxy, "create", fault, () => zkChroot.update(id, outs, news));
    expect(await env.raw.getChildren(path)).toEqual(["a", "b"]);
    const stat = await env.raw.exists(`${path}/b`);
    expect(next.childRecords).toMatchObject({ b: { version: 0, czxid: stat?.czxid } });
    // The next update goes on from that record: nothing is stuck.
    const again = await inputs({ path, children: { a: "1", b: "3" } });
    await zkChroot.update(id, next, again);
    expect(await text(`${path}/b`)).toBe("3");
  });

  it("changing a child's data succeeds without calling its own change foreign", async () => {
    const path = `${root}/change`;
    const { id, outs } = await zkChroot.create(await inputs({ path, children: { a: "1", b: "2" } }));
    const news = await inputs({ path, children: { a: "1", b: "changed" } });
    const { outs: next } = await withFault(env.proxy, "setData", LOSE, () => zkChroot.update(id, outs, news));
    expect(await text(`${path}/b`)).toBe("changed");
    expect(next.childRecords).toMatchObject({ b: { version: 1 } });
  });

  it("changing the chroot's data and dropping a child succeeds", async () => {
    const path = `${root}/root-data`;
    const { id, outs } = await zkChroot.create(
      await inputs({ path, data: "v1", children: { a: "1", b: "2" } }),
    );
    const news = await inputs({ path, data: "v2", children: { a: "1" } });
    const { outs: next } = await withFault(env.proxy, "setData", LOSE, () => zkChroot.update(id, outs, news));
    expect(await env.raw.getChildren(path)).toEqual(["a"]);
    expect(await text(path)).toBe("v2");
    expect(next.version).toBe(1);
  });
});

describe("a ZkChroot create whose reply is lost", () => {
  it("claims the chroot its own transaction created", async () => {
    const path = `${root}/own/app`;
    const { outs } = await withFault(env.proxy, "create", LOSE, () =>
      inputs({ path, children: { toString: "t" } }).then((i) => zkChroot.create(i)),
    );
    expect(outs.createdPaths).toEqual([`${root}/own`, path]);
    expect(await text(`${path}/toString`)).toBe("t");
  });

  it("does not claim a chroot with the same contents that somebody else created first", async () => {
    const path = `${root}/theirs`;
    await env.raw.create(path, Buffer.from("same"), OPEN);
    await env.raw.create(`${path}/a`, Buffer.from("1"), OPEN);
    const before = await snapshotTree(env.raw, root);
    // The first look's reply is lost, so the create goes on as a retry that finds the chroot.
    const failed = await withFault(env.proxy, "exists", LOSE, () =>
      inputs({ path, data: "same", children: { a: "1" } }).then((i) =>
        zkChroot.create(i).catch((e: Error) => e),
      ),
    );
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toContain(`znode ${path} already exists.`);
    expect(await snapshotTree(env.raw, root)).toEqual(before);
  });
});

describe("a ZkChroot update cut off past the retry deadline", () => {
  /** Runs an update whose transaction reaches the server while the ensemble then stays out of reach. */
  async function updateInDoubt(id: string, olds: State, news: State): Promise<State> {
    const failed = await throughPartition(env.proxy, () =>
      zkChroot.update(id, olds, news).catch((e: Error & { properties?: State }) => e),
    );
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toContain("The update may have taken effect");
    const state = (failed as { properties?: State }).properties as State;
    expect(state.pendingUpdate).toBeDefined();
    return state;
  }

  it("keeps the update in state as in doubt; the next update finds it applied and goes on", async () => {
    const path = `${root}/doubt-applied`;
    const { id, outs } = await zkChroot.create(await inputs({ path, children: { a: "1" } }));
    const state = await updateInDoubt(id, outs, await inputs({ path, children: { a: "1", b: "2" } }));
    const refreshed = await zkChroot.read(id, state);
    expect(refreshed.props?.children).toEqual({ a: "1", b: "2" });
    expect(refreshed.props?.pendingUpdate).toBeUndefined();
    const { outs: next } = await zkChroot.update(
      id,
      state,
      await inputs({ path, children: { a: "1", b: "3" } }),
    );
    expect(await text(`${path}/b`)).toBe("3");
    expect(next.childRecords).toMatchObject({ b: { version: 1 } });
  });

  it("an update in doubt that was refused by the server settles as not applied, and another writer's child stays", async () => {
    const path = `${root}/doubt-refused`;
    const { id, outs } = await zkChroot.create(await inputs({ path, children: { a: "1" } }));
    await env.raw.create(`${path}/b`, Buffer.from("theirs"), OPEN);
    const news = await inputs({ path, children: { a: "1", b: "2" } });
    const state = await updateInDoubt(id, outs, news);
    await expect(zkChroot.update(id, state, news)).rejects.toThrow(`znode ${path}/b already exists.`);
    expect(await text(`${path}/b`)).toBe("theirs");
    const refreshed = await zkChroot.read(id, state);
    expect(refreshed.props?.children).toEqual({ a: "1" });
  });
});

describe("a ZkChroot update cut off past the deadline, through pulumi up", () => {
  it("fails as unavailable, and the next up finds its own transaction instead of reporting 'already exists'", async () => {
    const path = `${root}/cli`;
    const declare = (children: Record<string, string>) =>
      JSON.stringify([{ kind: "ZkChroot", name: "chroot", args: { path, children } }]);
    const stack = await faultStack("fault-resources", {
      "zookeeper:connectString": env.proxy.connectString,
      "zookeeper:sessionTimeoutMs": "2000",
      "fault-resources:resources": declare({ a: "1" }),
    });
    try {
      mustSucceed(await tryUp(stack), "the first up");
      await stack.ok(["config", "set", "fault-resources:resources", declare({ a: "1", toString: "2" })]);
      const failed = await throughPartition(env.proxy, () => tryUp(stack));
      expect(failed.code).not.toBe(0);
      expect(printed(failed)).toContain("The update may have taken effect");

      const converged = await tryUp(stack);
      mustSucceed(converged, "the up after the partition healed");
      expect(printed(converged)).not.toMatch(/already exists/);
      expect(await env.raw.getChildren(path)).toEqual(["a", "toString"]);
      const state = managedPaths(parseState(await stack.exportState())).get(path);
      const czxid = (await env.raw.exists(`${path}/toString`))?.czxid;
      expect(state?.outputs.childRecords).toMatchObject({ toString: { czxid } });
      expect(state?.outputs.pendingUpdate).toBeUndefined();
      expect(changeSummary((await stack.preview()).stdout)).toEqual({ same: 2 });
    } finally {
      env.proxy.heal();
      await stack.discard();
    }
  });
});

describe("a ZkChroot create cut off past the retry deadline", () => {
  async function createInDoubt(path: string): Promise<State> {
    const failed = await throughPartition(env.proxy, () =>
      inputs({ path, children: { toString: "1" } }).then((i) =>
        zkChroot.create(i).catch((e: Error & { properties?: State }) => e),
      ),
    );
    expect((failed as Error).message).toContain("The create may have taken effect");
    const state = (failed as { properties?: State }).properties as State;
    expect(state.inDoubt).toEqual({ createdAfter: expect.stringMatching(/^\d+$/) as unknown });
    return state;
  }

  it("is found by refresh, finished by the next up and deleted by destroy", async () => {
    const path = `${root}/create-doubt`;
    const state = await createInDoubt(path);
    const read = await zkChroot.read(path, state);
    expect(read.id).toBe(path);
    expect(read.props?.childRecords).toMatchObject({ toString: { version: 0 } });
    // Settled by the refresh: later operations go by the record, not by the in-doubt search.
    expect(read.props?.inDoubt).toBeUndefined();
    expect(read.props?.czxid).toBe((await env.raw.exists(path))?.czxid);
    const { outs } = await zkChroot.update(path, state, await inputs({ path, children: { toString: "2" } }));
    expect(await text(`${path}/toString`)).toBe("2");
    expect(outs.inDoubt).toBeUndefined();
    await zkChroot.delete(path, outs);
    expect(await env.raw.exists(path)).toBeUndefined();
  });

  it("never claims a chroot somebody else created in its place", async () => {
    const path = `${root}/create-doubt-theirs`;
    const state = await createInDoubt(path);
    // Ours is gone and another writer's chroot with the same contents took its place.
    await env.raw.remove(`${path}/toString`, -1);
    await env.raw.remove(path, -1);
    await env.raw.create(path, Buffer.from(""), OPEN);
    await env.raw.create(`${path}/toString`, Buffer.from("1"), OPEN);
    const before = await snapshotTree(env.raw, root);
    expect((await zkChroot.read(path, state)).id).toBe("");
    await zkChroot.delete(path, state);
    await expect(
      zkChroot.update(path, state, await inputs({ path, children: { toString: "1" } })),
    ).rejects.toThrow(`znode ${path} already exists.`);
    expect(await snapshotTree(env.raw, root)).toEqual(before);
  });
});
