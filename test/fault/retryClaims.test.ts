/**
 * What a retried create may claim. A create whose reply is lost is retried; the retry that finds
 * the znode takes it as its own only when the znode's creation zxid is newer than the bound taken
 * before the first attempt and it holds the data and ACL written. A foreign znode that was there
 * before (same path, same data, same ACL) is "already exists", also for a create left in doubt,
 * and refresh, up and destroy never take it over or delete it.
 */
import { setConfig, zkNode } from "../../provider/runtime";
import { type AclEntry } from "../../provider/core/acl";
import {
  checkedCreate,
  type Fault,
  LOSE,
  LOST_REPLIES,
  type ProxyEvent,
  useProxiedRuntime,
} from "../support/fault";
import { checkWith } from "../support/runtime";
import { randomRoot } from "../support/zk";

jest.setTimeout(120_000);

const SESSION_TIMEOUT_MS = 4000;
const OPEN: AclEntry[] = [{ scheme: "world", id: "anyone", perms: "rwcda" }];
const SAME = Buffer.from("same data");

const root = randomRoot("retry-claims");
const env = useProxiedRuntime(root, SESSION_TIMEOUT_MS);

/** Arms one fault on the next create and returns what fired while `act` ran. */
async function onCreate<T>(
  fault: Fault,
  act: () => Promise<T>,
): Promise<{ value?: T; error?: unknown; fired: ProxyEvent[] }> {
  const before = env.proxy.events.length;
  env.proxy.arm("create", fault);
  const outcome = await act().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  expect(env.proxy.pending()).toBe(0);
  return { ...outcome, fired: env.proxy.events.slice(before) };
}

describe("a create whose reply is lost, next to a foreign writer", () => {
  it.each(LOST_REPLIES)("our create landed: the retry claims it (%s)", async (name, fault) => {
    const path = `${root}/ours-${name}`;
    const { value, error, fired } = await onCreate(fault, () =>
      checkedCreate(zkNode, { path, data: "same data" }),
    );
    expect(error).toBeUndefined();
    if (fault.kind === "lose-reply")
      expect(fired).toEqual([{ request: "create", fault: "lose-reply", serverCode: 0 }]);
    const got = await env.raw.getData(path);
    expect(value?.outs.czxid).toBe(got.stat.czxid);
    await zkNode.delete(path, value?.outs ?? {});
    expect(await env.raw.exists(path)).toBeUndefined();
  });

  it.each(LOST_REPLIES)(
    "a foreign znode with the same data and ACL, there before the first attempt: already exists, untouched (%s)",
    async (name, fault) => {
      const path = `${root}/foreign-${name}`;
      await env.raw.create(path, SAME, OPEN);
      const before = await env.raw.getData(path);
      const { value, error, fired } = await onCreate(fault, () =>
        checkedCreate(zkNode, { path, data: "same data" }),
      );
      // The first attempt's request reached the server, which refused it (the path was taken); the
      // client never saw that. (A multi's reply header says 0 either way: the op's error is in its body.)
      expect(fired).toEqual([expect.objectContaining({ request: "create", fault: fault.kind })]);
      // Had the retry claimed it, a destroy would delete it: do what the engine would do, then look.
      if (value) await zkNode.delete(path, value.outs);
      expect(value).toBeUndefined();
      expect(String(error)).toContain(`znode ${path} already exists. Set adopt: true to take it over`);
      const after = await env.raw.getData(path);
      expect(after.stat).toEqual(before.stat);
      expect(after.data).toEqual(SAME);
    },
  );

  it("sequential: the retry records its own member, not a foreign one with the same data", async () => {
    const parent = `${root}/seq`;
    await env.raw.create(parent, Buffer.from(""), OPEN);
    const foreign = await env.raw.create(`${parent}/job-`, SAME, OPEN, "sequential");
    const { value, error } = await onCreate(LOSE, () =>
      checkedCreate(zkNode, { path: `${parent}/job-`, data: "same data", sequential: true }),
    );
    expect(error).toBeUndefined();
    const children = (await env.raw.getChildren(parent)).map((c) => `${parent}/${c}`);
    expect(children).toHaveLength(2);
    expect(value?.outs.path).not.toBe(foreign);
    expect(children).toContain(value?.outs.path);
    await zkNode.delete(String(value?.outs.path), value?.outs ?? {});
    expect((await env.raw.getChildren(parent)).map((c) => `${parent}/${c}`)).toEqual([foreign]);
  });
});

describe("a create left in doubt (reply lost, then the ensemble out of reach past the deadline)", () => {
  beforeAll(() => setConfig({ connectString: env.proxy.connectString, sessionTimeoutMs: 2000 }));
  afterAll(() => setConfig({ connectString: env.proxy.connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS }));

  /** Creates through a partition that starts when the create's reply is lost; returns the state kept. */
  async function createInDoubt(path: string): Promise<Record<string, unknown>> {
    const { error } = await onCreate({ kind: "lose-reply", partition: true }, () =>
      checkedCreate(zkNode, { path, data: "same data" }),
    );
    env.proxy.heal();
    const props = (error as { properties?: Record<string, unknown> } | undefined)?.properties;
    expect(props?.inDoubt).toEqual({ createdAfter: expect.stringMatching(/^\d+$/) as unknown });
    return props ?? {};
  }

  it("refresh, up and destroy refuse a foreign znode that was there before the first attempt", async () => {
    const path = `${root}/doubt-foreign`;
    await env.raw.create(path, SAME, OPEN);
    const before = await env.raw.getData(path);
    const props = await createInDoubt(path);

    // refresh: not ours, so the resource is gone.
    expect(await zkNode.read(path, props)).toEqual({ id: "", props: {} });
    // up: settling the create finds the path taken.
    const { inputs: news } = await checkWith(zkNode, props, { path, data: "same data" });
    await expect(zkNode.update(path, props, news)).rejects.toThrow(`znode ${path} already exists`);
    // destroy: nothing of ours to delete.
    await zkNode.delete(path, props);

    const after = await env.raw.getData(path);
    expect(after.stat).toEqual(before.stat);
    expect(after.data).toEqual(SAME);
  });

  it("refresh finds our own create, and destroy deletes it", async () => {
    const path = `${root}/doubt-ours`;
    const props = await createInDoubt(path);
    const got = await env.raw.getData(path);
    const read = await zkNode.read(path, props);
    expect(read.id).toBe(path);
    expect(read.props?.czxid).toBe(got.stat.czxid);
    await zkNode.delete(path, props);
    expect(await env.raw.exists(path)).toBeUndefined();
  });
});
