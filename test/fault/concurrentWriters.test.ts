/**
 * Scenario 5: concurrent writers. Another client changes, deletes or re-creates managed znodes
 * between two ups; two stacks claim the same registration; two stacks share parents while they
 * deploy and destroy at the same time. Every conflict must be detected and reported with the
 * path and versions, and no write may be lost.
 */
import { type ZkClient } from "../../provider/zk/client";
import { defaultInstanceId } from "../../provider/core/formats";
import {
  checkingClient,
  type FaultStack,
  faultStack,
  leaves,
  managedPaths,
  mustSucceed,
  parseState,
  printed,
  recordFigures,
  stackTraceLines,
  tryUp,
} from "../support/fault";
import { connectString, randomRoot, removeTree } from "../support/zk";

jest.setTimeout(300_000);

const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];
const root = randomRoot("writers");
let raw: ZkClient;
const stacks: FaultStack[] = [];

beforeAll(async () => {
  raw = await checkingClient(connectString());
});

afterAll(async () => {
  for (const s of stacks) await s.discard();
  if (raw) await removeTree(raw, root);
  raw?.close();
});

/** The program's resource list, as the `fault-resources` example reads it. */
type Declared = { kind: string; name: string; args: Record<string, unknown> };

async function stackOf(resources: Declared[]): Promise<FaultStack> {
  const stack = await faultStack("fault-resources", {
    "zookeeper:connectString": connectString(),
    "zookeeper:sessionTimeoutMs": "4000",
    "fault-resources:resources": JSON.stringify(resources),
  });
  stacks.push(stack);
  return stack;
}

const declare = (stack: FaultStack, resources: Declared[]) =>
  stack.ok(["config", "set", "fault-resources:resources", JSON.stringify(resources)]);

const registration = (
  name: string,
  base: string,
  address: string,
  payload: unknown = { v: 1 },
): Declared => ({
  kind: "ZkServiceRegistration",
  name,
  args: { basePath: base, service: "api", address, port: 8080, payload },
});

describe("another client writes between two ups", () => {
  const settingsPath = `${root}/own/settings`;
  const base = `${root}/own/services`;
  const regPath = `${base}/api/${defaultInstanceId("10.3.0.1", 8080, undefined)}`;
  const settings = (data: string): Declared => ({
    kind: "ZkNode",
    name: "settings",
    args: { path: settingsPath, data, createParents: true },
  });
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await stackOf([settings("v1"), registration("reg", base, "10.3.0.1")]);
    mustSucceed(await tryUp(stack), "pulumi up");
  });

  it("a changed znode and a deleted registration fail the up, naming paths and versions; their writes stay", async () => {
    await raw.setData(settingsPath, Buffer.from("theirs"), -1);
    await raw.remove(regPath, -1);
    await declare(stack, [settings("v2"), registration("reg", base, "10.3.0.1", { v: 2 })]);
    const up = await tryUp(stack);
    const out = printed(up);
    expect(up.code).not.toBe(0);
    expect(out).toContain(
      `znode ${settingsPath} was changed outside this stack: expected version 0, found 1. Nothing was written; the other writer's change is kept.`,
    );
    expect(out).toContain(`znode ${regPath} was deleted outside this stack. Nothing was written.`);
    expect(stackTraceLines(out)).toEqual([]);
    expect((await raw.getData(settingsPath)).data.toString()).toBe("theirs");
    expect(await raw.exists(regPath)).toBeUndefined();
    recordFigures("5-concurrent-writers", { case: "changed and deleted between ups", detected: 2, lost: 0 });
  });

  it("a znode deleted and re-created by someone else is a conflict too (creation zxid)", async () => {
    mustSucceed(await stack.refresh(), "pulumi refresh");
    const { stat } = await raw.getData(settingsPath);
    await raw.remove(settingsPath, -1);
    await raw.create(settingsPath, Buffer.from("theirs"), OPEN);
    const recreated = await raw.exists(settingsPath);
    await declare(stack, [settings("v3"), registration("reg", base, "10.3.0.1", { v: 2 })]);
    const up = await tryUp(stack);
    expect(up.code).not.toBe(0);
    expect(printed(up)).toContain(
      `znode ${settingsPath} was deleted and re-created outside this stack: expected creation zxid ${stat.czxid}, found ${recreated?.czxid}.`,
    );
    expect((await raw.getData(settingsPath)).data.toString()).toBe("theirs");
    recordFigures("5-concurrent-writers", { case: "re-created between ups", detected: 1, lost: 0 });
  });

  it("after a refresh the next up converges", async () => {
    mustSucceed(await stack.refresh(), "pulumi refresh");
    mustSucceed(await tryUp(stack), "pulumi up");
    expect((await raw.getData(settingsPath)).data.toString()).toBe("v3");
    expect(
      (JSON.parse((await raw.getData(regPath)).data.toString()) as { payload: unknown }).payload,
    ).toMatchObject({ v: 2 });
  });
});

describe("two stacks claim the same registration", () => {
  it("the second stack's create fails with 'already exists' and the first stack's znode is untouched", async () => {
    const base = `${root}/shared/services`;
    const path = `${base}/api/${defaultInstanceId("10.4.0.1", 8080, undefined)}`;
    const first = await stackOf([registration("reg", base, "10.4.0.1", { owner: "first" })]);
    mustSucceed(await tryUp(first), "pulumi up of the first stack");
    const before = await raw.getData(path);
    const second = await stackOf([registration("reg", base, "10.4.0.1", { owner: "second" })]);
    const up = await tryUp(second);
    expect(up.code).not.toBe(0);
    expect(printed(up)).toContain(
      `znode ${path} already exists. Set adopt: true to take it over, or choose another path.`,
    );
    const after = await raw.getData(path);
    expect(after.data.equals(before.data)).toBe(true);
    expect(after.stat.version).toBe(before.stat.version);
    expect(managedPaths(parseState(await second.exportState())).size).toBe(0);
    recordFigures("5-concurrent-writers", { case: "two stacks, same registration", detected: 1, lost: 0 });
  });
});

describe("two stacks deploy and destroy under shared parents at the same time", () => {
  const base = `${root}/parents/services`;
  const regs = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) =>
      registration(`reg-${from + i}`, base, `10.5.0.${from + i}`),
    );

  it("both succeed, each keeps its own znodes, and the shared parents go with the last one", async () => {
    const [left, right] = [await stackOf(regs(1, 5)), await stackOf(regs(6, 10))];
    const ups = await Promise.all([tryUp(left), tryUp(right)]);
    ups.forEach((u) => mustSucceed(u, "concurrent pulumi up"));
    expect((await leaves(raw, base)).size).toBe(10);

    await declare(right, regs(6, 15));
    const [destroyed, grown] = await Promise.all([
      left.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive"]),
      tryUp(right),
    ]);
    mustSucceed(destroyed, "pulumi destroy of one stack");
    mustSucceed(grown, "concurrent pulumi up of the other");
    const tree = await leaves(raw, base);
    expect([...tree.keys()].sort()).toEqual(
      [...managedPaths(parseState(await right.exportState())).keys()].sort(),
    );
    expect(tree.size).toBe(10);

    mustSucceed(await right.destroy(), "pulumi destroy of the other stack");
    expect(await raw.exists(`${root}/parents`)).toBeUndefined();
    recordFigures("5-concurrent-writers", {
      case: "shared parents, concurrent up and destroy",
      detected: 0,
      lost: 0,
      orphaned: 0,
    });
  });
});
