/**
 * Scenario 4: the connection drops during a write whose reply is lost. A proxy in front of one
 * member forwards the request, lets the server apply it, swallows the reply and drops the
 * connection; the client reconnects through the proxy to the same member and session. The retry
 * must neither write a second znode nor fail with NodeExists.
 */
import { zkChroot, zkNode } from "../../provider/runtime";
import {
  checkedCreate,
  type Fault,
  faultStack,
  type FaultStack,
  leaves,
  LOSE,
  LOST_REPLIES,
  managedPaths,
  mustSucceed,
  parseState,
  printed,
  recordFigures,
  type RequestKind,
  throughPartition,
  since,
  subtree,
  tryUp,
  useProxiedRuntime,
  withFault,
} from "../support/fault";
import { changeSummary } from "../support/pulumi";
import { checkWith } from "../support/runtime";
import { randomRoot } from "../support/zk";

jest.setTimeout(300_000);

const SESSION_TIMEOUT_MS = 4000;

const root = randomRoot("lost-reply");
const env = useProxiedRuntime(root, SESSION_TIMEOUT_MS);

/** {@link withFault} on the file's proxy, recording how long the request took to recover. */
async function timedFault<T>(request: RequestKind, fault: Fault, act: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await withFault(env.proxy, request, fault, act);
  recordFigures("4-lost-reply", { request, fault: fault.kind, recoveredMs: since(start) });
  return result;
}

describe("a create whose reply is lost (provider methods through the proxy)", () => {
  it.each(LOST_REPLIES)("ZkNode: one znode, no NodeExists (%s)", async (name, fault) => {
    const path = `${root}/node-${name}/settings`;
    const { outs } = await timedFault("create", fault, () =>
      checkedCreate(zkNode, { path, data: "v1", createParents: true }),
    );
    expect(outs.path).toBe(path);
    const got = await env.raw.getData(path);
    expect(got.data.toString()).toBe("v1");
    expect(outs.czxid).toBe(got.stat.czxid);
    expect(outs.createdParents).toEqual([`${root}/node-${name}`]);
  });

  it.each(LOST_REPLIES)(
    "sequential ZkNode: exactly one member, the one recorded (%s)",
    async (name, fault) => {
      const parent = `${root}/seq-${name}`;
      await env.raw.create(parent, Buffer.from(""), [{ scheme: "world", id: "anyone", perms: "rwcda" }]);
      const { outs } = await timedFault("create", fault, () =>
        checkedCreate(zkNode, { path: `${parent}/job-`, data: "payload", sequential: true }),
      );
      const children = await env.raw.getChildren(parent);
      expect(children).toHaveLength(1);
      expect(outs.path).toBe(`${parent}/${children[0]}`);
    },
  );

  it("ZkChroot: the primed subtree exists once, recorded with its children", async () => {
    const path = `${root}/chroot/app`;
    const { outs } = await timedFault("create", LOSE, () =>
      checkedCreate(zkChroot, { path, data: "app", children: { "config/db": "pg", flags: "on" } }),
    );
    expect(outs.childRecords).toEqual({
      config: expect.any(Object) as unknown,
      "config/db": expect.any(Object) as unknown,
      flags: expect.any(Object) as unknown,
    });
    expect([...(await subtree(env.raw, `${root}/chroot`)).keys()].sort()).toEqual([
      path,
      `${path}/config`,
      `${path}/config/db`,
      `${path}/flags`,
    ]);
  });

  it("a retried ZkNode update does not claim another writer's identical write when its own was never sent", async () => {
    const path = `${root}/theirs-same`;
    const { outs } = await checkedCreate(zkNode, { path, data: "v1" });
    await env.raw.setData(path, Buffer.from("v2"), -1);
    const { inputs: news } = await checkWith(zkNode, outs, { path, data: "v2" });
    // The look before the write loses its reply: the retry finds version 1 with our data, not written by us.
    const failed = await timedFault("exists", LOSE, () =>
      zkNode.update(path, outs, news).catch((e: Error) => e),
    );
    expect((failed as Error).message).toContain(
      `znode ${path} was changed outside this stack: expected version 0, found 1.`,
    );
  });

  it("ZkNode update and delete whose replies are lost still succeed, version-checked", async () => {
    const path = `${root}/updated`;
    const { outs } = await checkedCreate(zkNode, { path, data: "v1" });
    const { inputs: news } = await checkWith(zkNode, outs, { path, data: "v2" });
    const updated = await timedFault("setData", LOSE, () => zkNode.update(path, outs, news));
    const got = await env.raw.getData(path);
    expect(got.data.toString()).toBe("v2");
    expect(updated.outs.version).toBe(got.stat.version);
    expect(got.stat.version).toBe(1);
    await timedFault("delete", LOSE, () => zkNode.delete(path, updated.outs));
    expect(await env.raw.exists(path)).toBeUndefined();
  });
});

describe("a registration create whose reply is lost, through pulumi up", () => {
  let stack: FaultStack;
  const base = `${root}/services`;
  const declared = (formats: readonly string[]) =>
    JSON.stringify(
      formats.map((format, i) => ({
        kind: "ZkServiceRegistration",
        name: `reg-${format}`,
        args: { basePath: base, service: "api", address: `10.1.0.${i + 1}`, port: 8080, format },
      })),
    );

  beforeAll(async () => {
    stack = await faultStack("fault-resources", {
      "zookeeper:connectString": env.proxy.connectString,
      "zookeeper:sessionTimeoutMs": String(SESSION_TIMEOUT_MS),
      "fault-resources:resources": declared(["curator"]),
    });
  });

  afterAll(async () => {
    await stack?.discard();
  });

  it.each([
    ["curator", ["curator"]],
    ["serverset", ["curator", "serverset"]],
  ])("%s: the up succeeds with exactly one znode, the one in state", async (format, formats) => {
    await stack.ok(["config", "set", "fault-resources:resources", declared(formats)]);
    const before = env.proxy.events.length;
    env.proxy.arm("create", LOSE);
    const up = await tryUp(stack);
    expect(up.stderr + up.stdout).not.toMatch(/NODE_EXISTS|already exists/);
    expect(up.code).toBe(0);
    expect(env.proxy.events.slice(before)).toEqual([
      { request: "create", fault: "lose-reply", serverCode: 0 },
    ]);

    const tree = await leaves(env.raw, base);
    const state = managedPaths(parseState(await stack.exportState()));
    expect([...tree.keys()].sort()).toEqual([...state.keys()].sort());
    expect(tree.size).toBe(formats.length);
    const hosts = [...tree.values()].map((v) => {
      const data = JSON.parse(v.data) as { address?: string; serviceEndpoint?: { host: string } };
      return data.address ?? data.serviceEndpoint?.host;
    });
    expect(hosts.sort()).toEqual(formats.map((_, i) => `10.1.0.${i + 1}`));
    for (const [p, r] of state) expect(r.outputs.czxid).toBe(tree.get(p)?.czxid);
    recordFigures("4-lost-reply", { request: "create", fault: "lose-reply", through: "pulumi up", format });

    const preview = await stack.preview();
    expect(changeSummary(preview.stdout)).toEqual({ same: formats.length + 1 });
  });
});

describe("a create committed just before the ensemble becomes unreachable, through pulumi up", () => {
  it.each(["curator", "serverset"])(
    "%s: the up fails as unavailable, and the next up converges on the one znode",
    async (format) => {
      const base = `${root}/partitioned-${format}`;
      const stack = await faultStack("fault-resources", {
        "zookeeper:connectString": env.proxy.connectString,
        "zookeeper:sessionTimeoutMs": "2000",
        "fault-resources:resources": JSON.stringify([
          {
            kind: "ZkServiceRegistration",
            name: "reg",
            args: { basePath: base, service: "api", address: "10.2.0.1", port: 8080, format },
          },
        ]),
      });
      try {
        const failed = await throughPartition(env.proxy, () => tryUp(stack));
        expect(failed.code).not.toBe(0);
        expect(printed(failed)).toContain("the ZooKeeper ensemble is unavailable");

        const converged = await tryUp(stack);
        const tree = await leaves(env.raw, base);
        const state = managedPaths(parseState(await stack.exportState()));
        recordFigures("4-lost-reply", {
          request: "create",
          fault: "lose-reply, then partitioned past the deadline",
          format,
          failMs: failed.elapsedMs,
          convergeMs: converged.elapsedMs,
          convergeCode: converged.code,
          znodes: tree.size,
          orphaned: [...tree.keys()].filter((p) => !state.has(p)).length,
        });
        mustSucceed(converged, "pulumi up after the partition healed");
        expect(tree.size).toBe(1);
        expect([...tree.keys()]).toEqual([...state.keys()]);
      } finally {
        env.proxy.heal();
        await stack.discard();
      }
    },
  );
});
