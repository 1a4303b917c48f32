/**
 * A second writer against ZkChroot's children: names that plain objects inherit, children deleted
 * and re-created behind the stack's back, and reads that fail. Nothing of theirs may be changed
 * or deleted, and the stack's state must never claim what it did not write.
 */
import { digestAclId } from "../../provider/core/acl";
import { type ZkChrootInputs } from "../../provider/core/schemas";
import { zkChroot } from "../../provider/runtime/zkChroot";
import { ZkClient } from "../../provider/zk/client";
import { checkWith } from "../support/runtime";
import { freshRootPerTest, snapshotTree } from "../support/zk";

let raw: ZkClient;
let root: string;
const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];
type State = Record<string, unknown>;

/** Names every plain JavaScript object answers to without having them. */
const INHERITED = [
  "toString",
  "constructor",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "__defineGetter__",
];

const fixture = freshRootPerTest("chroot-conflicts");
beforeEach(() => void ({ raw, root } = fixture));

async function checked(news: State): Promise<ZkChrootInputs> {
  const { inputs, failures } = await checkWith<ZkChrootInputs>(zkChroot, {}, news);
  expect(failures).toEqual([]);
  return inputs;
}

async function created(news: State): Promise<{ id: string; outs: State }> {
  const { id, outs } = await zkChroot.create(await checked(news));
  return { id, outs: outs };
}

async function updated(id: string, olds: State, news: State): Promise<State> {
  return (await zkChroot.update(id, olds, await checked(news))).outs;
}

/** Deletes a child and creates it again with the same data: same version 0, new creation zxid. */
async function recreate(path: string): Promise<void> {
  const { data } = await raw.getData(path);
  await raw.remove(path, -1);
  await raw.create(path, data, OPEN);
}

const text = async (path: string) => (await raw.getData(path)).data.toString();

describe("children named like inherited object properties", () => {
  it.each(INHERITED)("a refusing destroy keeps another writer's child named %s", async (name) => {
    const { id, outs } = await created({ path: `${root}/app`, children: { mine: "m" } });
    await raw.create(`${root}/app/${name}`, Buffer.from("theirs"), OPEN);
    await expect(zkChroot.delete(id, outs)).rejects.toThrow(
      `znode ${root}/app has children this stack does not manage: ${name}.`,
    );
    expect(await text(`${root}/app/${name}`)).toBe("theirs");
    expect(await text(`${root}/app/mine`)).toBe("m");
  });

  it.each(INHERITED)("adding a child named %s never overwrites another writer's znode", async (name) => {
    const { id, outs } = await created({ path: `${root}/app`, children: { a: "1" } });
    await raw.create(`${root}/app/${name}`, Buffer.from("theirs"), OPEN);
    const before = await snapshotTree(raw, root);
    await expect(
      updated(id, outs, { path: `${root}/app`, children: { a: "1", [name]: "mine" } }),
    ).rejects.toThrow(`znode ${root}/app/${name} already exists.`);
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("manages children named like inherited properties through create, update, refresh and destroy", async () => {
    const children = Object.fromEntries(INHERITED.map((n) => [n, `v-${n}`]));
    const { id, outs } = await created({
      path: `${root}/app`,
      children: { ...children, "x/toString": "deep" },
    });
    for (const n of INHERITED) expect(await text(`${root}/app/${n}`)).toBe(`v-${n}`);
    expect(Object.keys(outs.childRecords as object).sort()).toEqual([...INHERITED, "x", "x/toString"].sort());

    const next = await updated(id, outs, {
      path: `${root}/app`,
      children: { toString: "changed", valueOf: "v-valueOf" },
    });
    expect(await raw.getChildren(`${root}/app`)).toEqual(["toString", "valueOf"]);
    expect(await text(`${root}/app/toString`)).toBe("changed");
    expect(next.childRecords).toEqual({
      toString: expect.objectContaining({ version: 1 }) as unknown,
      valueOf: expect.objectContaining({ version: 0 }) as unknown,
    });

    const read = await zkChroot.read(id, next);
    expect(read.props?.children).toEqual({ toString: "changed", valueOf: "v-valueOf" });
    await zkChroot.delete(id, read.props ?? {});
    expect(await raw.exists(`${root}/app`)).toBeUndefined();
  });

  it("refuses a child named __proto__ in check, naming the property, as a key of its own or as an implicit parent", async () => {
    for (const children of [JSON.parse('{"__proto__": "x"}') as object, { "__proto__/deeper": "x" }]) {
      const { failures } = await checkWith(zkChroot, {}, { path: `${root}/app`, children });
      expect(failures?.[0]).toEqual({
        property: "children",
        reason: expect.stringContaining("'__proto__' is a reserved name in JavaScript objects") as unknown,
      });
    }
    // A deeper child named __proto__ is an ordinary key and works.
    const { id, outs } = await created({ path: `${root}/app`, children: { "a/__proto__": "deep" } });
    expect(await text(`${root}/app/a/__proto__`)).toBe("deep");
    await zkChroot.delete(id, outs);
  });
});

describe("children deleted and re-created by another writer", () => {
  async function withRecreatedChild() {
    const chroot = await created({ path: `${root}/app`, children: { a: "1", b: "2" } });
    await recreate(`${root}/app/a`);
    const stat = await raw.exists(`${root}/app/a`);
    expect(stat?.version).toBe(0);
    return { ...chroot, before: await snapshotTree(raw, root) };
  }

  const recreated = (czxid: string) =>
    new RegExp(
      `znode ${root}/app/a was deleted and re-created outside this stack: expected creation zxid ${czxid}, found \\d+`,
    );

  it("a refusing destroy does not delete it", async () => {
    const { id, outs, before } = await withRecreatedChild();
    const czxid = (outs.childRecords as Record<string, { czxid: string }>).a?.czxid;
    await expect(zkChroot.delete(id, outs)).rejects.toThrow(recreated(czxid));
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("a recursive destroy does not delete it either: it was ours and is not any more", async () => {
    const chroot = await created({ path: `${root}/app`, children: { a: "1" }, deletePolicy: "recursive" });
    await recreate(`${root}/app/a`);
    const before = await snapshotTree(raw, root);
    await expect(zkChroot.delete(chroot.id, chroot.outs)).rejects.toThrow(/re-created outside this stack/);
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it.each([
    ["drops it", { b: "2" }],
    ["changes it", { a: "changed", b: "2" }],
    ["keeps it unchanged", { a: "1", b: "changed" }],
  ])("an update that %s fails and writes nothing", async (_what, children) => {
    const { id, outs, before } = await withRecreatedChild();
    await expect(updated(id, outs, { path: `${root}/app`, children })).rejects.toThrow(
      /re-created outside this stack/,
    );
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("after a refresh the re-created child is recorded as it is, and the update goes through", async () => {
    const { id, outs } = await withRecreatedChild();
    const read = await zkChroot.read(id, outs);
    const czxid = (await raw.exists(`${root}/app/a`))?.czxid;
    expect((read.props?.childRecords as Record<string, { czxid: string }>).a?.czxid).toBe(czxid);
    const next = await updated(id, read.props ?? {}, {
      path: `${root}/app`,
      children: { a: "changed", b: "2" },
    });
    expect(await text(`${root}/app/a`)).toBe("changed");
    expect((next.childRecords as Record<string, { czxid: string }>).a?.czxid).toBe(czxid);
  });

  it("a child removed by another writer counts as removed when the update drops it", async () => {
    const { id, outs } = await created({ path: `${root}/app`, children: { a: "1", b: "2" } });
    await raw.remove(`${root}/app/a`, -1);
    const next = await updated(id, outs, { path: `${root}/app`, children: { b: "2" } });
    expect(Object.keys(next.childRecords as object)).toEqual(["b"]);
  });
});

describe("records come from the transaction, not from a later read", () => {
  it("records a new child with the creation zxid of the update's own transaction", async () => {
    const { id, outs } = await created({ path: `${root}/app`, children: { a: "1" } });
    const next = await updated(id, outs, { path: `${root}/app`, children: { a: "1", b: "2" } });
    const stat = await raw.exists(`${root}/app/b`);
    expect((next.childRecords as Record<string, unknown>).b).toEqual({
      version: 0,
      aversion: 0,
      czxid: stat?.czxid,
    });
  });
});

describe("refresh", () => {
  it("fails on a child it cannot read instead of dropping it from the state", async () => {
    const { id, outs } = await created({ path: `${root}/app`, children: { a: "1", b: "2" } });
    // Another identity locks the child: reading it is refused, which is not the child being gone.
    await raw.setAcl(
      `${root}/app/a`,
      [{ scheme: "digest", id: digestAclId("other", "pw"), perms: "rwcda" }],
      -1,
    );
    await expect(zkChroot.read(id, outs)).rejects.toThrow(/NO_AUTH/);
  });

  it("drops only a child that is gone", async () => {
    const { id, outs } = await created({ path: `${root}/app`, children: { a: "1", b: "2" } });
    await raw.remove(`${root}/app/a`, -1);
    const read = await zkChroot.read(id, outs);
    expect(read.props?.children).toEqual({ b: "2" });
    expect(Object.keys(read.props?.childRecords as object)).toEqual(["b"]);
  });
});

describe("children whose ACL another writer changed", () => {
  const LOCKED = [
    { scheme: "world" as const, id: "anyone", perms: "rwcda" },
    { scheme: "ip" as const, id: "127.0.0.1", perms: "rwcda" },
  ];

  async function withForeignAcl() {
    const chroot = await created({ path: `${root}/app`, children: { a: "1", b: "2" } });
    await raw.setAcl(`${root}/app/a`, LOCKED, -1);
    return { ...chroot, before: await snapshotTree(raw, root) };
  }

  const aclConflict = () =>
    `znode ${root}/app/a was changed outside this stack: expected ACL version 0, found 1.`;

  it.each([
    ["drops it", { b: "2" }],
    ["changes it", { a: "changed", b: "2" }],
    ["changes a sibling", { a: "1", b: "changed" }],
  ])("an update that %s fails and writes nothing", async (_what, children) => {
    const { id, outs, before } = await withForeignAcl();
    await expect(updated(id, outs, { path: `${root}/app`, children })).rejects.toThrow(aclConflict());
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("a destroy fails and deletes nothing, whatever the delete policy", async () => {
    const { id, outs, before } = await withForeignAcl();
    await expect(zkChroot.delete(id, outs)).rejects.toThrow(aclConflict());
    await expect(zkChroot.delete(id, { ...outs, deletePolicy: "recursive" })).rejects.toThrow(aclConflict());
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("an update that sets exactly that ACL goes through", async () => {
    const { id, outs } = await withForeignAcl();
    const next = await updated(id, outs, { path: `${root}/app`, acl: LOCKED, children: { a: "1", b: "2" } });
    expect((await raw.getAcl(`${root}/app/b`)).acl).toEqual(LOCKED);
    expect(next.childRecords).toMatchObject({ a: { aversion: 1 }, b: { aversion: 1 } });
  });
});

describe("adoption", () => {
  it("gives an adopted chroot and its adopted children an explicit ACL, as new children get it", async () => {
    await raw.create(`${root}/app`, Buffer.from("old"), OPEN);
    await raw.create(`${root}/app/a`, Buffer.from("old"), OPEN);
    const acl = [...OPEN, { scheme: "ip" as const, id: "127.0.0.1", perms: "rwcda" }];
    const { outs } = await created({ path: `${root}/app`, adopt: true, acl, children: { a: "1", b: "2" } });
    for (const p of ["", "/a", "/b"]) expect((await raw.getAcl(`${root}/app${p}`)).acl).toEqual(acl);
    expect(outs).toMatchObject({ aversion: 1, childRecords: { a: { aversion: 1 }, b: { aversion: 0 } } });
    expect(await text(`${root}/app/a`)).toBe("1");
  });
});

describe("a child added between the listing and the transaction", () => {
  it("is named in the refusal of a destroy, and kept with everything else", async () => {
    const { id, outs } = await created({ path: `${root}/app`, children: { mine: "m" } });
    // Another writer's create lands after the destroy listed the subtree, right before its transaction.
    const spy = jest.spyOn(ZkClient.prototype, "multi");
    spy.mockImplementationOnce(async function (this: ZkClient, ops) {
      await raw.create(`${root}/app/mine/late`, Buffer.from("theirs"), OPEN);
      // Restored, the prototype holds the real method again: the transaction itself goes through it.
      spy.mockRestore();
      return this.multi(ops);
    });
    try {
      await expect(zkChroot.delete(id, outs)).rejects.toThrow(
        `znode ${root}/app/mine has children this stack does not manage: late. The chroot transaction was not applied`,
      );
    } finally {
      spy.mockRestore();
    }
    expect(await text(`${root}/app/mine/late`)).toBe("theirs");
    expect(await text(`${root}/app/mine`)).toBe("m");
  });
});
