import { planDiff, sameValue } from "../../provider/core/diff";
import { UNKNOWN } from "../../provider/core/validation";
import { zkNode } from "../../provider/runtime/zkNode";

describe("planDiff", () => {
  it("compares deeply and treats unknowns as changes", () => {
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue(UNKNOWN, UNKNOWN)).toBe(false);
    const plan = planDiff({ a: 1, b: 2 }, { a: UNKNOWN, b: 2 }, ["a", "b"], ["a"]);
    expect(plan).toMatchObject({ changes: true, replaces: ["a"], changed: ["a"] });
  });
});

describe("ZkNode diff", () => {
  const olds = {
    path: "/q/item-0000000003",
    requestedPath: "/q/item-",
    data: "x",
    acl: [{ scheme: "world", id: "anyone", perms: "rwcda" }],
    sequential: true,
    createParents: false,
    adopt: false,
    version: 0,
  };
  const news = {
    path: "/q/item-",
    data: "x",
    acl: olds.acl,
    sequential: true,
    createParents: false,
    adopt: false,
  };

  it("sees no change when only the sequence suffix differs", async () => {
    expect(await zkNode.diff("id", olds, news)).toMatchObject({ changes: false, replaces: [] });
  });

  it("sees no change when the connect string names the same members in another order", async () => {
    const recorded = { ...olds, connectString: "zk1:2181,zk2:2181,zk3:2181/apps" };
    const reordered = { ...news, connectString: "ZK3:2181,zk1,zk2:2181/apps" };
    expect(await zkNode.diff("id", recorded, reordered)).toMatchObject({ changes: false, replaces: [] });
    const moved = { ...news, connectString: "zk1:2181,zk2:2181,zk3:2181/other" };
    expect(await zkNode.diff("id", recorded, moved)).toMatchObject({ replaces: ["connectString"] });
  });

  it.each([
    [{ data: "y" }, [], false],
    [{ acl: [{ scheme: "world", id: "anyone", perms: "r" }] }, [], false],
    [{ createParents: true }, [], false],
    [{ path: "/other-" }, ["path"], false],
    [{ sequential: false }, ["sequential"], true],
    [{ connectString: "h:1" }, ["connectString"], false],
  ])("%j replaces %j", async (change, replaces, deleteFirst) => {
    const plan = await zkNode.diff("id", olds, { ...news, ...change });
    expect(plan).toMatchObject({
      changes: true,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && deleteFirst,
    });
  });
});

describe("ZkServiceRegistration check", () => {
  it("returns invalid inputs without an undefined instanceId, which the engine's Struct cannot carry", async () => {
    const { zkServiceRegistration } = await import("../../provider/runtime/zkServiceRegistration");
    const checked = await zkServiceRegistration.check({}, { service: "a/b", address: "h", port: 1 });
    const inputs = checked.inputs as Record<string, unknown> | undefined;
    expect((checked.failures ?? []).map((f) => f.property)).toEqual(["service"]);
    expect(Object.values(inputs ?? {}).includes(undefined)).toBe(false);
    expect("instanceId" in (inputs ?? {})).toBe(false);
  });
});

describe("ZkChroot diff: where the chroot lives", () => {
  const olds = {
    path: "/apps/x",
    ensembleConnectString: "a:1,b:2,c:3",
    connectString: "a:1,b:2,c:3/apps/x",
    data: "",
    children: { toString: "t" },
    deletePolicy: "refuse",
    adopt: false,
    acl: [{ scheme: "world", id: "anyone", perms: "rwcda" }],
  };
  const news = { ...olds, connectString: "a:1,b:2,c:3" };

  it.each([
    ["the same members in another order", { connectString: "c:3,a:1,b:2" }],
    ["host names in other case", { connectString: "A:1,B:2,C:3" }],
  ])("%s is no change", async (_what, change) => {
    const { zkChroot } = await import("../../provider/runtime/zkChroot");
    expect(await zkChroot.diff("id", olds, { ...news, ...change })).toMatchObject({
      changes: false,
      replaces: [],
    });
  });

  it.each([
    ["another ensemble, same path: delete first", { connectString: "d:4" }, ["connectString"], true],
    ["a member less, same path: delete first", { connectString: "a:1,b:2" }, ["connectString"], true],
    ["another path on the same ensemble: create first", { path: "/apps/y" }, ["path"], false],
    ["an unknown connect string: delete first", { connectString: UNKNOWN }, ["connectString"], true],
    [
      "the path moved into the chroot: delete first",
      { connectString: "a:1,b:2,c:3/apps", path: "/x" },
      ["connectString", "path"],
      true,
    ],
  ])("%s", async (_what, change, replaces, deleteFirst) => {
    const { zkChroot } = await import("../../provider/runtime/zkChroot");
    expect(await zkChroot.diff("id", olds, { ...news, ...change })).toMatchObject({
      changes: true,
      replaces,
      deleteBeforeReplace: deleteFirst,
    });
  });
});
