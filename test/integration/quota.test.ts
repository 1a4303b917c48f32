import { execFileSync } from "child_process";
import { zkChroot } from "../../provider/runtime/zkChroot";
import { zkNode } from "../../provider/runtime/zkNode";
import { ZkClient } from "../../provider/zk/client";
import { type Ensemble, startEnsemble, stopEnsemble } from "../../scripts/ensemble";
import { checkWith } from "../support/runtime";
import { connectString, freshRootPerTest, removeTree } from "../support/zk";

// ZkChroot's quota (docs/DESIGN.md §1 ZkChroot): written as zkCli.sh setquota writes it,
// compare-and-set, read back on refresh, removed with the chroot; hard quotas enforced.

let raw: ZkClient;
let root: string;
const fixture = freshRootPerTest("quota");
beforeEach(() => void ({ raw, root } = fixture));
// Quotas live outside the test's root: remove what a test left there.
afterEach(async () => {
  if (await raw.exists(`/zookeeper/quota${root}`)) await removeTree(raw, `/zookeeper/quota${root}`);
});

const ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh";

async function chroot(news: Record<string, unknown>) {
  const { inputs, failures } = await checkWith(zkChroot, {}, news);
  expect(failures).toEqual([]);
  const { id, outs } = await zkChroot.create(inputs);
  return { id, outs, inputs };
}

async function node(cs: string, path: string) {
  const { inputs, failures } = await checkWith(zkNode, {}, { connectString: cs, path });
  expect(failures).toEqual([]);
  return zkNode.create(inputs);
}

const limitsOf = async (client: ZkClient, path: string) =>
  (await client.getData(`/zookeeper/quota${path}/zookeeper_limits`)).data.toString();

describe("chroot quotas", () => {
  it("writes a soft quota as zkCli does, changes it compare-and-set, records drift, and removes it with the chroot", async () => {
    const path = `${root}/apps/soft`;
    const { id, outs, inputs } = await chroot({ path, children: { a: "" }, quota: { maxNodes: 3 } });
    expect(await limitsOf(raw, path)).toBe("count=3,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
    expect(outs.quota).toEqual({ maxNodes: 3 });
    // zkCli reads it back as its own (and the server counts the subtree: the chroot and a).
    const host = connectString().split(",")[0];
    const listed = execFileSync(ZKCLI, ["-server", host, "listquota", path], { encoding: "utf8" });
    expect(listed).toContain("count=3,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
    expect((await raw.getData(`/zookeeper/quota${path}/zookeeper_stats`)).data.toString()).toMatch(
      /^count=2,/,
    );

    const plan = await zkChroot.diff(id, outs, { ...inputs, quota: { maxBytes: 100, hard: true } });
    expect(plan).toMatchObject({ changes: true, changed: ["quota"], replaces: [] });
    const { outs: changed } = await zkChroot.update(id, outs, {
      ...inputs,
      quota: { maxBytes: 100, hard: true },
    });
    expect(await limitsOf(raw, path)).toBe("count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=-1");
    expect(changed.quotaRecord).toMatchObject({ version: 1 });

    // Someone else changes it: the next change is refused and theirs stays; refresh records theirs.
    await raw.setData(`/zookeeper/quota${path}/zookeeper_limits`, Buffer.from("count=9,bytes=-1"), -1);
    await expect(zkChroot.update(id, changed, { ...inputs, quota: { maxNodes: 4 } })).rejects.toThrow(
      `the quota of chroot ${path} was changed outside this stack. Nothing was written`,
    );
    expect(await limitsOf(raw, path)).toBe("count=9,bytes=-1");
    const { props } = await zkChroot.read(id, changed);
    expect(props).toMatchObject({ quota: { maxNodes: 9 }, quotaRecord: { version: 2 } });
    const { outs: back } = await zkChroot.update(id, props ?? {}, { ...inputs, quota: { maxNodes: 4 } });
    expect(await limitsOf(raw, path)).toBe("count=4,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");

    await zkChroot.delete(id, back);
    expect(await raw.exists(path)).toBeUndefined();
    // The quota znodes went with it, and the empty ones above it under /zookeeper/quota.
    expect(await raw.exists(`/zookeeper/quota${root}`)).toBeUndefined();
  });

  it("refuses a quota someone else set, and one nested in another, writing nothing", async () => {
    const path = `${root}/apps/x`;
    await chroot({ path: `${root}/apps/outer`, quota: { maxNodes: 10 } });
    await raw.create(`${root}/apps/x`, Buffer.alloc(0), [{ scheme: "world", id: "anyone", perms: "rwcda" }]);
    const host = connectString().split(",")[0];
    execFileSync(ZKCLI, ["-server", host, "setquota", "-n", "7", path], { stdio: "ignore" });
    const { inputs } = await checkWith(zkChroot, {}, { path: `${path}/inner`, quota: { maxNodes: 2 } });
    await expect(zkChroot.create(inputs)).rejects.toThrow(
      `cannot set a quota on ${path}/inner: ${path} already has a quota, and ZooKeeper allows no quota above or below another.`,
    );
    const { inputs: same } = await checkWith(zkChroot, {}, { path, adopt: true, quota: { maxNodes: 2 } });
    await expect(zkChroot.create(same)).rejects.toThrow(
      `chroot ${path} already has a quota (soft quota of 7 znodes) that this stack did not set.`,
    );
    expect(await limitsOf(raw, path)).toBe("count=7,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  });

  describe("on an ensemble that enforces hard quotas (zookeeper.enforceQuota=true)", () => {
    let ensemble: Ensemble;
    let enforcing: ZkClient;
    beforeAll(async () => {
      ensemble = await startEnsemble({ size: 1, jvmFlags: ["-Dzookeeper.enforceQuota=true"] });
      enforcing = await ZkClient.connect({
        connectString: ensemble.connectString,
        sessionTimeoutMs: 6000,
        connectTimeoutMs: 10_000,
        requestTimeoutMs: 10_000,
      });
    }, 180_000);
    afterAll(async () => {
      enforcing?.close();
      if (ensemble) await stopEnsemble(ensemble);
    });

    it("refuses the write past a hard quota with a message naming the chroot and the quota", async () => {
      const cs = ensemble.connectString;
      const path = `${root}/hard`;
      await chroot({ connectString: cs, path, children: { a: "" }, quota: { maxNodes: 3, hard: true } });
      await node(cs, `${path}/b`);
      await expect(node(cs, `${path}/c`)).rejects.toThrow(
        `ZooKeeper refused to write ${path}/c: the hard quota of 3 znodes on ${path} (in use: 3 znodes, 0 bytes) ` +
          `would be exceeded. Nothing was written. Raise the quota (a ZkChroot's quota input, or zkCli.sh setquota), or remove znodes under ${path}.`,
      );
      expect(await enforcing.exists(`${path}/c`)).toBeUndefined();
    });

    it("lets writes past a soft quota through: the server only logs them", async () => {
      const cs = ensemble.connectString;
      const path = `${root}/soft`;
      await chroot({ connectString: cs, path, quota: { maxNodes: 1 } });
      await node(cs, `${path}/b`);
      await node(cs, `${path}/c`);
      expect(await enforcing.getChildren(path)).toEqual(["b", "c"]);
      const stats = await enforcing.getData(`/zookeeper/quota${path}/zookeeper_stats`);
      expect(stats.data.toString()).toMatch(/^count=3,/);
    });
  });
});
