import { digestAclId } from "../../provider/core/acl";
import { type ZkNodeInputs } from "../../provider/core/schemas";
import { zkNode } from "../../provider/runtime/zkNode";
import { PARENT_MARKER } from "../../provider/runtime/parents";
import { type ZkClient, type ZnodeStat } from "../../provider/zk/client";
import { checkWith } from "../support/runtime";
import { freshRootPerTest, rawClient, useTestEnsemble } from "../support/zk";

let raw: ZkClient;
let root: string;

const fixture = freshRootPerTest("node");
beforeEach(() => void ({ raw, root } = fixture));

async function checked(news: Record<string, unknown>): Promise<ZkNodeInputs> {
  const { inputs, failures } = await checkWith<ZkNodeInputs>(zkNode, {}, news);
  expect(failures).toEqual([]);
  return inputs;
}

async function created(news: Record<string, unknown>) {
  const inputs = await checked(news);
  const { id, outs } = await zkNode.create(inputs);
  return { id, outs, inputs };
}

describe("ZkNode against a real ensemble", () => {
  it("creates, reads, updates and deletes with version checks", async () => {
    const { id, outs, inputs } = await created({ path: `${root}/a`, data: "one" });
    expect(id).toBe(`${root}/a`);
    const first = await raw.getData(`${root}/a`);
    expect(first.data.toString()).toBe("one");
    expect(outs).toMatchObject({
      path: `${root}/a`,
      version: 0,
      aversion: 0,
      czxid: first.stat.czxid,
      mzxid: first.stat.mzxid,
    });

    const next = await checked({ path: `${root}/a`, data: "two" });
    const { outs: updated } = await zkNode.update(id, outs, next);
    expect((await raw.getData(`${root}/a`)).data.toString()).toBe("two");
    expect(updated).toMatchObject({ version: 1, data: "two" });

    const read = await zkNode.read(id, updated);
    expect(read.props).toMatchObject({ data: "two", version: 1 });

    await zkNode.delete(id, updated);
    expect(await raw.exists(`${root}/a`)).toBeUndefined();
    expect(inputs.acl).toBeUndefined();
    expect(outs.acl).toEqual([{ scheme: "world", id: "anyone", perms: "rwcda" }]);
  });

  it("creates missing parents in one transaction, marks them, and removes them on delete once empty", async () => {
    const { id, outs } = await created({ path: `${root}/p/q/leaf`, data: "x", createParents: true });
    expect(outs.createdParents).toEqual([`${root}/p`, `${root}/p/q`]);
    expect((await raw.getData(`${root}/p`)).data.equals(PARENT_MARKER)).toBe(true);
    // The record comes from the transaction's reply: it matches what ZooKeeper stored, parents included.
    const stat = (await raw.exists(`${root}/p/q/leaf`)) as ZnodeStat;
    expect(outs).toMatchObject({ version: 0, aversion: 0, czxid: stat.czxid, mzxid: stat.mzxid });
    expect((await raw.exists(`${root}/p`))?.czxid).toBe(stat.czxid);
    await zkNode.delete(id, outs);
    expect(await raw.exists(`${root}/p`)).toBeUndefined();
    expect(await raw.exists(root)).toBeDefined();
  });

  it("keeps marked parents that still have children, and the last resource removes them", async () => {
    const a = await created({ path: `${root}/p/a`, createParents: true });
    const b = await created({ path: `${root}/p/b`, createParents: true });
    expect(b.outs.createdParents).toEqual([]);
    await zkNode.delete(a.id, a.outs);
    expect(await raw.exists(`${root}/p`)).toBeDefined();
    await zkNode.delete(b.id, b.outs);
    expect(await raw.exists(`${root}/p`)).toBeUndefined();
  });

  it("treats a re-created parent by its data: a copy with the marker goes once empty, other data stays", async () => {
    // docs/DESIGN.md §2.3: the marker is the contract, not who created the znode.
    const a = await created({ path: `${root}/copied/a`, createParents: true });
    const b = await created({ path: `${root}/kept/b`, createParents: true });
    for (const [parent, data] of [
      [`${root}/copied`, PARENT_MARKER],
      [`${root}/kept`, Buffer.from("mine now")],
    ] as const) {
      await raw.remove(`${parent}/${parent.endsWith("copied") ? "a" : "b"}`, -1);
      await raw.remove(parent, -1);
      await raw.create(parent, data, [{ scheme: "world", id: "anyone", perms: "rwcda" }]);
    }
    await zkNode.delete(a.id, a.outs);
    await zkNode.delete(b.id, b.outs);
    expect(await raw.exists(`${root}/copied`)).toBeUndefined();
    expect((await raw.getData(`${root}/kept`)).data.toString()).toBe("mine now");
  });

  it("refuses a missing parent without createParents and writes nothing", async () => {
    const inputs = await checked({ path: `${root}/nope/leaf` });
    await expect(zkNode.create(inputs)).rejects.toThrow(
      `cannot create znode ${root}/nope/leaf: its parent ${root}/nope does not exist. Set createParents: true, or create the parent first.`,
    );
    expect(await raw.exists(`${root}/nope`)).toBeUndefined();
  });

  it("refuses an existing znode unless adopt is set, then adopts it", async () => {
    await raw.create(`${root}/e`, Buffer.from("theirs"), [{ scheme: "world", id: "anyone", perms: "rwcda" }]);
    await expect(zkNode.create(await checked({ path: `${root}/e`, data: "mine" }))).rejects.toThrow(
      `znode ${root}/e already exists. Set adopt: true to take it over, or choose another path.`,
    );
    expect((await raw.getData(`${root}/e`)).data.toString()).toBe("theirs");
    const { outs } = await created({ path: `${root}/e`, data: "mine", adopt: true });
    expect((await raw.getData(`${root}/e`)).data.toString()).toBe("mine");
    expect(outs.version).toBe(1);
  });

  it("never overwrites a change made outside the stack, and accepts it after refresh", async () => {
    const { id, outs } = await created({ path: `${root}/c`, data: "ours" });
    await raw.setData(`${root}/c`, Buffer.from("theirs"), -1);
    await expect(
      zkNode.update(id, outs, await checked({ path: `${root}/c`, data: "ours-v2" })),
    ).rejects.toThrow(
      `znode ${root}/c was changed outside this stack: expected version 0, found 1. Nothing was written; the other writer's change is kept. ` +
        "Run 'pulumi refresh' to accept the change into the stack's state, then 'pulumi up' again.",
    );
    expect((await raw.getData(`${root}/c`)).data.toString()).toBe("theirs");
    await expect(zkNode.delete(id, outs)).rejects.toThrow("expected version 0, found 1");
    expect(await raw.exists(`${root}/c`)).toBeDefined();

    const refreshed = await zkNode.read(id, outs);
    expect(refreshed.props).toMatchObject({ data: "theirs", version: 1 });
    const { outs: after } = await zkNode.update(
      id,
      refreshed.props,
      await checked({ path: `${root}/c`, data: "ours-v2" }),
    );
    expect((await raw.getData(`${root}/c`)).data.toString()).toBe("ours-v2");
    expect(after).toMatchObject({ version: 2 });
  });

  it("detects a znode deleted and re-created by someone else", async () => {
    const { id, outs } = await created({ path: `${root}/r`, data: "ours" });
    await raw.remove(`${root}/r`, -1);
    await raw.create(`${root}/r`, Buffer.from("new"), [{ scheme: "world", id: "anyone", perms: "rwcda" }]);
    const found = (await raw.exists(`${root}/r`))?.czxid;
    await expect(zkNode.update(id, outs, await checked({ path: `${root}/r`, data: "x" }))).rejects.toThrow(
      `znode ${root}/r was deleted and re-created outside this stack: expected creation zxid ${String(outs.czxid)}, found ${found}.`,
    );
    await expect(zkNode.delete(id, outs)).rejects.toThrow("deleted and re-created");
    expect((await raw.getData(`${root}/r`)).data.toString()).toBe("new");
  });

  it("refreshes a state without a path (none records so, but a hand-edited one may) at the resource id", async () => {
    const { id, outs } = await created({ path: `${root}/nopath`, data: "ours" });
    const { path: _path, ...withoutPath } = outs;
    const read = await zkNode.read(id, withoutPath);
    expect(read.id).toBe(id);
    expect(read.props).toMatchObject({ path: `${root}/nopath`, data: "ours", version: 0 });
  });

  it("neither writes nor deletes a znode whose ACL someone else changed, until a refresh accepts it", async () => {
    const { id, outs } = await created({ path: `${root}/acl`, data: "ours" });
    const theirs = [
      { scheme: "world" as const, id: "anyone", perms: "rwcda" },
      { scheme: "ip" as const, id: "127.0.0.1", perms: "rwcda" },
    ];
    await raw.setAcl(`${root}/acl`, theirs, -1);
    const conflict = `znode ${root}/acl was changed outside this stack: expected ACL version 0, found 1.`;
    await expect(zkNode.update(id, outs, await checked({ path: `${root}/acl`, data: "x" }))).rejects.toThrow(
      conflict,
    );
    await expect(zkNode.delete(id, outs)).rejects.toThrow(conflict);
    expect((await raw.getData(`${root}/acl`)).data.toString()).toBe("ours");
    const read = await zkNode.read(id, outs);
    await zkNode.delete(id, read.props);
    expect(await raw.exists(`${root}/acl`)).toBeUndefined();
  });

  it("an update that writes nothing still fails on a znode deleted or re-created outside the stack", async () => {
    const { id, outs } = await created({ path: `${root}/quiet`, data: "ours", adopt: true });
    const noWrite = await checked({ path: `${root}/quiet`, data: "ours", adopt: false });
    await raw.remove(`${root}/quiet`, -1);
    await expect(zkNode.update(id, outs, noWrite)).rejects.toThrow(
      `znode ${root}/quiet was deleted outside this stack`,
    );
    await raw.create(`${root}/quiet`, Buffer.from("ours"), [
      { scheme: "world", id: "anyone", perms: "rwcda" },
    ]);
    await expect(zkNode.update(id, outs, noWrite)).rejects.toThrow(
      "was deleted and re-created outside this stack",
    );
  });

  it("an ACL update does not take on another writer's data write as its own", async () => {
    const { id, outs } = await created({ path: `${root}/same`, data: "" });
    await raw.setData(`${root}/same`, Buffer.from(""), -1);
    const acl = [
      { scheme: "world" as const, id: "anyone", perms: "rwcda" },
      { scheme: "ip" as const, id: "127.0.0.1", perms: "rwcda" },
    ];
    await expect(
      zkNode.update(id, outs, await checked({ path: `${root}/same`, data: "", acl })),
    ).rejects.toThrow(`znode ${root}/same was changed outside this stack: expected version 0, found 1.`);
    expect((await raw.getAcl(`${root}/same`)).stat.aversion).toBe(0);
  });

  it("treats a znode already gone as deleted, and reports it gone on refresh", async () => {
    const { id, outs } = await created({ path: `${root}/g` });
    await raw.remove(`${root}/g`, -1);
    expect((await zkNode.read(id, outs)).id).toBe("");
    await expect(zkNode.delete(id, outs)).resolves.toBeUndefined();
    await expect(zkNode.update(id, outs, await checked({ path: `${root}/g`, data: "x" }))).rejects.toThrow(
      `znode ${root}/g was deleted outside this stack`,
    );
  });

  it("creates sequential znodes and outputs the real path", async () => {
    const { id, outs } = await created({ path: `${root}/item-`, data: "q", sequential: true });
    expect(id).toMatch(new RegExp(`^${root}/item-\\d{10}$`));
    expect(outs.requestedPath).toBe(`${root}/item-`);
    const got = await raw.getData(id);
    expect(got.data.toString()).toBe("q");
    expect(outs).toMatchObject({ version: 0, czxid: got.stat.czxid, mzxid: got.stat.mzxid });
    expect(
      await zkNode.diff(id, outs, await checked({ path: `${root}/item-`, data: "q", sequential: true })),
    ).toMatchObject({ changes: false });
  });

  it("round-trips binary data as base64", async () => {
    const bytes = Buffer.from([0, 255, 1, 128, 10]);
    const { id, outs } = await created({ path: `${root}/bin`, dataBase64: bytes.toString("base64") });
    expect((await raw.getData(`${root}/bin`)).data.equals(bytes)).toBe(true);
    expect((await zkNode.read(id, outs)).props).toMatchObject({ dataBase64: bytes.toString("base64") });
  });

  it("enforces digest ACLs: without credentials a write is refused", async () => {
    const acl = [
      { scheme: "digest", id: digestAclId("bob", "secret"), perms: "rwcda" },
      { scheme: "world", id: "anyone", perms: "r" },
    ];
    useTestEnsemble({ digest: "bob:secret" });
    try {
      const { id, outs } = await created({ path: `${root}/locked`, data: "v1", acl });
      const bob = await rawClient("bob:secret");
      // Without ADMIN permission, ZooKeeper masks digest hashes in getACL answers.
      expect((await bob.getAcl(`${root}/locked`)).acl).toEqual(acl);
      bob.close();
      await expect(raw.setData(`${root}/locked`, Buffer.from("hack"), -1)).rejects.toThrow("NO_AUTH");
      const { outs: next } = await zkNode.update(
        id,
        outs,
        await checked({ path: `${root}/locked`, data: "v2", acl }),
      );
      expect(next).toMatchObject({ version: 1 });
      useTestEnsemble();
      await expect(
        zkNode.update(id, next, await checked({ path: `${root}/locked`, data: "v3", acl })),
      ).rejects.toThrow(
        /ZooKeeper setData .*locked failed: permission denied by the znode's ACL \(NO_AUTH\); check the zookeeper:digest credentials/,
      );
      useTestEnsemble({ digest: "bob:secret" });
      await zkNode.delete(id, next);
    } finally {
      useTestEnsemble();
    }
  });

  it("gives znodes and parents without an explicit ACL the ACL of the closest existing ancestor", async () => {
    const acl = [
      { scheme: "digest" as const, id: digestAclId("bob", "secret"), perms: "rwcda" },
      { scheme: "world" as const, id: "anyone", perms: "r" },
    ];
    useTestEnsemble({ digest: "bob:secret" });
    try {
      await created({ path: `${root}/guarded`, acl });
      const { id, outs } = await created({ path: `${root}/guarded/a/b`, createParents: true });
      const bob = await rawClient("bob:secret");
      expect((await bob.getAcl(`${root}/guarded/a`)).acl).toEqual(acl);
      expect((await bob.getAcl(`${root}/guarded/a/b`)).acl).toEqual(acl);
      bob.close();
      expect(outs.acl).toEqual(acl);
      // Omitting acl later means "leave it": no diff, no write.
      expect(
        await zkNode.diff(id, outs, await checked({ path: `${root}/guarded/a/b`, createParents: true })),
      ).toMatchObject({ changes: false });
      await expect(raw.create(`${root}/guarded/a/intruder`, Buffer.alloc(0), acl)).rejects.toThrow("NO_AUTH");
    } finally {
      useTestEnsemble();
    }
    // Without ADMIN on the ancestor, ZooKeeper hides its digest hashes: refuse rather than weaken.
    const hidden = [
      { scheme: "digest" as const, id: digestAclId("bob", "secret"), perms: "a" },
      { scheme: "world" as const, id: "anyone", perms: "rwcd" },
    ];
    await raw.create(`${root}/hidden`, Buffer.alloc(0), hidden);
    await expect(zkNode.create(await checked({ path: `${root}/hidden/x` }))).rejects.toThrow(
      `permission denied: this identity may not read the full ACL of ${root}/hidden (it lacks ADMIN permission there), so ${root}/hidden/x cannot be given that ACL.`,
    );
  });

  it("updates the ACL in place, version-checked", async () => {
    const { id, outs } = await created({ path: `${root}/acl` });
    const acl = [{ scheme: "world", id: "anyone", perms: "rcd" }];
    const { outs: next } = await zkNode.update(id, outs, await checked({ path: `${root}/acl`, acl }));
    expect((await raw.getAcl(`${root}/acl`)).acl).toEqual([{ scheme: "world", id: "anyone", perms: "rcd" }]);
    expect(next).toMatchObject({ aversion: 1, version: 0 });
  });
});
