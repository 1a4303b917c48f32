import { type ZkChrootInputs } from "../../provider/core/schemas";
import { zkChroot } from "../../provider/runtime/zkChroot";
import { PARENT_MARKER } from "../../provider/runtime/parents";
import { type ZkClient } from "../../provider/zk/client";
import { checkWith } from "../support/runtime";
import { connectString, freshRootPerTest, snapshotTree } from "../support/zk";

let raw: ZkClient;
let root: string;
const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];

const fixture = freshRootPerTest("chroot");
beforeEach(() => void ({ raw, root } = fixture));

async function checked(news: Record<string, unknown>): Promise<ZkChrootInputs> {
  const { inputs, failures } = await checkWith<ZkChrootInputs>(zkChroot, {}, news);
  expect(failures).toEqual([]);
  return inputs;
}

async function created(news: Record<string, unknown>) {
  const { id, outs } = await zkChroot.create(await checked(news));
  return { id, outs };
}

const text = async (path: string) => (await raw.getData(path)).data.toString();

describe("ZkChroot against a real ensemble", () => {
  it("creates ancestors, the chroot and nested children in one go, and hands out the chrooted connect string", async () => {
    const { id, outs } = await created({
      path: `${root}/apps/checkout`,
      data: "chroot",
      children: { "config/db": "postgres://db", flags: "on" },
    });
    expect(id).toBe(`${root}/apps/checkout`);
    expect(outs.connectString).toBe(`${connectString()}${root}/apps/checkout`);
    expect(outs.createdPaths).toEqual([`${root}/apps`, `${root}/apps/checkout`]);
    expect((await raw.getData(`${root}/apps`)).data.equals(PARENT_MARKER)).toBe(true);
    expect(await text(`${root}/apps/checkout`)).toBe("chroot");
    expect(await text(`${root}/apps/checkout/config`)).toBe("");
    expect(await text(`${root}/apps/checkout/config/db`)).toBe("postgres://db");
    expect(await text(`${root}/apps/checkout/flags`)).toBe("on");
    expect(Object.keys(outs.childRecords as object).sort()).toEqual(["config", "config/db", "flags"]);

    await zkChroot.delete(id, outs);
    expect(await raw.exists(`${root}/apps`)).toBeUndefined();
    expect(await raw.exists(root)).toBeDefined();
  });

  it("rolls back the whole transaction when a child cannot be created", async () => {
    const inputs = await checked({ path: `${root}/app`, children: { a: "1", b: "2" } });
    const acl = [{ scheme: "digest" as const, id: "nobody:AAAAAAAAAAAAAAAAAAAAAAAAAAA=", perms: "r" }];
    // This ACL denies create on the chroot, so the first child's create fails inside the transaction.
    const before = await snapshotTree(raw, root);
    await expect(zkChroot.create({ ...inputs, acl })).rejects.toThrow(/NO_AUTH/);
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("adds, updates and removes exactly the primed children, atomically and version-checked", async () => {
    const { id, outs } = await created({
      path: `${root}/app`,
      children: { keep: "k", change: "v1", drop: "d", "nest/deep": "n" },
    });
    const next = await checked({ path: `${root}/app`, children: { keep: "k", change: "v2", add: "new" } });
    const { outs: updated } = await zkChroot.update(id, outs, next);
    expect(await raw.getChildren(`${root}/app`)).toEqual(["add", "change", "keep"]);
    expect(await text(`${root}/app/change`)).toBe("v2");
    expect((await raw.getData(`${root}/app/keep`)).stat.version).toBe(0);
    expect(Object.keys((updated as Record<string, unknown>).childRecords as object).sort()).toEqual([
      "add",
      "change",
      "keep",
    ]);

    await raw.setData(`${root}/app/keep`, Buffer.from("theirs"), -1);
    const again = await checked({ path: `${root}/app`, children: { keep: "k", change: "v3", add: "new" } });
    await expect(zkChroot.update(id, updated as Record<string, unknown>, again)).rejects.toThrow(
      `znode ${root}/app/keep was changed outside this stack: expected version 0, found 1.`,
    );
    expect(await text(`${root}/app/change`)).toBe("v2");
    expect(await text(`${root}/app/keep`)).toBe("theirs");
  });

  it("refuses to delete a chroot with foreign children and lists them; recursive and retain do as they say", async () => {
    const refuse = await created({ path: `${root}/r`, children: { mine: "m" } });
    await raw.create(`${root}/r/theirs`, Buffer.alloc(0), OPEN);
    await raw.create(`${root}/r/mine/deeper`, Buffer.alloc(0), OPEN);
    await expect(zkChroot.delete(refuse.id, refuse.outs)).rejects.toThrow(
      `znode ${root}/r has children this stack does not manage: mine/deeper, theirs. The chroot was not deleted (deletePolicy 'refuse').`,
    );
    expect(await raw.exists(`${root}/r/mine`)).toBeDefined();

    const recursive = await created({
      path: `${root}/rec`,
      children: { mine: "m" },
      deletePolicy: "recursive",
    });
    await raw.create(`${root}/rec/theirs`, Buffer.alloc(0), OPEN);
    await raw.create(`${root}/rec/theirs/x`, Buffer.alloc(0), OPEN);
    await zkChroot.delete(recursive.id, recursive.outs);
    expect(await raw.exists(`${root}/rec`)).toBeUndefined();

    const retain = await created({ path: `${root}/ret`, deletePolicy: "retain" });
    await zkChroot.delete(retain.id, retain.outs);
    expect(await raw.exists(`${root}/ret`)).toBeDefined();
  });

  it("reads a state without a delete policy (or an unknown one) as 'refuse'", async () => {
    for (const [name, deletePolicy] of [
      ["absent", undefined],
      ["unknown", "everything"],
    ] as const) {
      const { id, outs } = await created({ path: `${root}/${name}`, children: { mine: "m" } });
      await raw.create(`${root}/${name}/theirs`, Buffer.alloc(0), OPEN);
      const { deletePolicy: _recorded, ...withoutPolicy } = outs;
      const state = deletePolicy === undefined ? withoutPolicy : { ...withoutPolicy, deletePolicy };
      await expect(zkChroot.delete(id, state)).rejects.toThrow("(deletePolicy 'refuse')");
      expect(await raw.exists(`${root}/${name}/theirs`)).toBeDefined();
    }
  });

  it("keeps ancestors that existed before, and removes the ones it created only when empty", async () => {
    await raw.create(`${root}/shared`, Buffer.from("existing"), OPEN);
    const a = await created({ path: `${root}/shared/new/a` });
    expect(a.outs.createdPaths).toEqual([`${root}/shared/new`, `${root}/shared/new/a`]);
    const b = await created({ path: `${root}/shared/new/b` });
    await zkChroot.delete(a.id, a.outs);
    expect(await raw.exists(`${root}/shared/new`)).toBeDefined();
    await zkChroot.delete(b.id, b.outs);
    expect(await raw.exists(`${root}/shared/new`)).toBeUndefined();
    expect(await text(`${root}/shared`)).toBe("existing");
  });

  it("refreshes data and children from ZooKeeper", async () => {
    const { id, outs } = await created({ path: `${root}/app`, children: { a: "1", b: "2" } });
    await raw.setData(`${root}/app/a`, Buffer.from("changed"), -1);
    await raw.remove(`${root}/app/b`, -1);
    const read = await zkChroot.read(id, outs);
    expect(read.props).toMatchObject({ children: { a: "changed" } });
    await raw.remove(`${root}/app/a`, -1);
    await raw.remove(`${root}/app`, -1);
    expect((await zkChroot.read(id, outs)).id).toBe("");
  });
});
