import { defaultInstanceId } from "../../provider/core/formats";
import { readServiceInstances } from "../../provider/lookups/serviceInstances";
import { zkServiceRegistration } from "../../provider/runtime/zkServiceRegistration";
import { type ZkClient } from "../../provider/zk/client";
import { checkWith } from "../support/runtime";
import { connectString, freshRootPerTest } from "../support/zk";

let raw: ZkClient;
let root: string;
const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];

const fixture = freshRootPerTest("reg");
beforeEach(() => void ({ raw, root } = fixture));

async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { inputs, failures } = await checkWith(
    zkServiceRegistration,
    {},
    { basePath: `${root}/services`, ...news },
  );
  expect(failures).toEqual([]);
  return inputs;
}

async function created(news: Record<string, unknown>) {
  const { id, outs } = await zkServiceRegistration.create(await checked(news));
  return { id, outs };
}

const json = async (path: string) =>
  JSON.parse((await raw.getData(path)).data.toString()) as Record<string, unknown>;

describe("ZkServiceRegistration against a real ensemble", () => {
  it("registers a Curator instance under a stable default id, keeps its registration time on update, and cleans up", async () => {
    const { id, outs } = await created({
      service: "checkout",
      address: "10.0.0.5",
      port: 8080,
      uriSpec: "{scheme}://{address}:{port}",
    });
    const expectedId = defaultInstanceId("10.0.0.5", 8080, undefined);
    expect(id).toBe(expectedId);
    const path = `${root}/services/checkout/${expectedId}`;
    expect(outs.path).toBe(path);
    const written = await json(path);
    expect(written).toMatchObject({
      name: "checkout",
      id: expectedId,
      address: "10.0.0.5",
      port: 8080,
      sslPort: null,
      payload: null,
      serviceType: "PERMANENT",
    });
    expect(written.registrationTimeUTC).toBe(outs.registrationTimeUTC);
    expect(outs.createdParents).toEqual([`${root}/services`, `${root}/services/checkout`]);

    const { outs: updated } = await zkServiceRegistration.update(
      id,
      outs,
      await checked({ service: "checkout", address: "10.0.0.5", port: 8080, payload: { zone: "b" } }),
    );
    const after = await json(path);
    expect(after).toMatchObject({ payload: { zone: "b" }, registrationTimeUTC: outs.registrationTimeUTC });
    expect(updated).toMatchObject({ version: 1, registrationTimeUTC: outs.registrationTimeUTC });

    await zkServiceRegistration.delete(id, updated);
    expect(await raw.exists(`${root}/services`)).toBeUndefined();
  });

  it("registers ServerSet members as sequential member_ znodes", async () => {
    const a = await created({
      service: "search",
      address: "h1",
      port: 9000,
      format: "serverset",
      shard: 0,
      additionalEndpoints: { admin: { host: "h1", port: 9990 } },
    });
    const b = await created({ service: "search", address: "h2", port: 9000, format: "serverset", shard: 1 });
    expect(a.id).toMatch(/^member_\d{10}$/);
    expect(a.outs.path).toBe(`${root}/services/search/${a.id}`);
    expect(await raw.getChildren(`${root}/services/search`)).toEqual([a.id, b.id].sort());
    expect(await json(String(a.outs.path))).toEqual({
      serviceEndpoint: { host: "h1", port: 9000 },
      additionalEndpoints: { admin: { host: "h1", port: 9990 } },
      status: "ALIVE",
      shard: 0,
    });
    const { outs: moved } = await zkServiceRegistration.update(
      a.id,
      a.outs,
      await checked({ service: "search", address: "h1", port: 9001, format: "serverset", shard: 0 }),
    );
    expect(moved.path).toBe(a.outs.path);
    expect(await json(String(a.outs.path))).toMatchObject({
      serviceEndpoint: { host: "h1", port: 9001 },
      additionalEndpoints: {},
    });
    await zkServiceRegistration.delete(a.id, moved);
    await zkServiceRegistration.delete(b.id, b.outs);
    expect(await raw.exists(`${root}/services`)).toBeUndefined();
  });

  it("registers the plain JSON style", async () => {
    const { outs } = await created({
      service: "legacy",
      id: "web-1",
      address: "h",
      port: 80,
      format: "json",
      payload: { zone: "eu" },
    });
    expect(await json(`${root}/services/legacy/web-1`)).toEqual({
      address: "h",
      port: 80,
      timestamp: outs.registrationTimeUTC,
      zone: "eu",
    });
  });

  it("refuses to overwrite an instance someone else changed, and leaves their data", async () => {
    const { id, outs } = await created({ service: "checkout", id: "i-1", address: "h", port: 80 });
    await raw.setData(String(outs.path), Buffer.from('{"theirs":true}'), -1);
    await expect(
      zkServiceRegistration.update(
        id,
        outs,
        await checked({ service: "checkout", id: "i-1", address: "h", port: 81 }),
      ),
    ).rejects.toThrow(
      `znode ${String(outs.path)} was changed outside this stack: expected version 0, found 1.`,
    );
    expect(await json(String(outs.path))).toEqual({ theirs: true });
  });

  it.each([
    ["curator", { enabled: false }, { enabled: true }],
    ["serverset", { status: "STOPPING" }, { status: "ALIVE" }],
    ["json", { enabled: false }, { enabled: true }],
  ] as const)(
    "drains a %s instance in place, compare-and-set, and enables it again",
    async (format, drained, enabled) => {
      const base = { service: "api", format, id: "i-1", address: "10.0.0.7", port: 80 };
      const { id, outs } = await created(base);
      const path = String(outs.path);
      const czxid = (await raw.exists(path))?.czxid;
      const serving = async () =>
        (
          await readServiceInstances(
            { connectString: connectString(), sessionTimeoutMs: 6000 },
            { service: "api", basePath: `${root}/services` },
            () => undefined,
          )
        ).map((i) => i.path);
      expect(await serving()).toEqual([path]);

      const plan = await zkServiceRegistration.diff(id, outs, await checked({ ...base, enabled: false }));
      expect(plan).toMatchObject({ changes: true, changed: ["enabled"], replaces: [] });
      const { outs: off } = await zkServiceRegistration.update(
        id,
        outs,
        await checked({ ...base, enabled: false }),
      );
      expect(await json(path)).toMatchObject(drained);
      expect(off).toMatchObject({ version: 1, czxid });
      expect(await serving()).toEqual([]);
      // A refresh reads it back as drained: no drift against the inputs.
      expect((await zkServiceRegistration.read(id, off)).props).toMatchObject({ enabled: false });

      // Someone else wrote meanwhile: enabling it again is refused, their data stays.
      await raw.setData(path, Buffer.from(JSON.stringify({ ...(await json(path)), theirs: 1 })), -1);
      const on = await checked({ ...base, enabled: true });
      await expect(zkServiceRegistration.update(id, off, on)).rejects.toThrow(
        `znode ${path} was changed outside this stack: expected version 1, found 2.`,
      );
      expect(await json(path)).toMatchObject({ theirs: 1 });
      const { props: refreshed } = await zkServiceRegistration.read(id, off);
      await zkServiceRegistration.update(id, refreshed, on);
      expect(await json(path)).toMatchObject(enabled);
      expect(await serving()).toEqual([path]);
    },
  );

  it("records a drain made outside the stack as drift that the next up puts back", async () => {
    const { id, outs } = await created({ service: "api", id: "i-1", address: "h", port: 80 });
    const path = String(outs.path);
    await raw.setData(path, Buffer.from(JSON.stringify({ ...(await json(path)), enabled: false })), -1);
    const { props } = await zkServiceRegistration.read(id, outs);
    expect(props).toMatchObject({ enabled: false, version: 1 });
    const plan = await zkServiceRegistration.diff(
      id,
      props,
      await checked({ service: "api", id: "i-1", address: "h", port: 80 }),
    );
    expect(plan).toMatchObject({ changes: true, changed: ["enabled"] });
  });

  it("adopts an existing instance and keeps its registration time", async () => {
    await raw.create(`${root}/services`, Buffer.alloc(0), OPEN);
    await raw.create(`${root}/services/checkout`, Buffer.alloc(0), OPEN);
    const theirs = {
      name: "checkout",
      id: "i-9",
      address: "h",
      port: 80,
      sslPort: null,
      payload: null,
      registrationTimeUTC: 1234,
      serviceType: "PERMANENT",
      uriSpec: null,
    };
    await raw.create(`${root}/services/checkout/i-9`, Buffer.from(JSON.stringify(theirs)), OPEN);
    await expect(
      zkServiceRegistration.create(await checked({ service: "checkout", id: "i-9", address: "h", port: 81 })),
    ).rejects.toThrow("already exists");
    const { outs } = await created({ service: "checkout", id: "i-9", address: "h", port: 81, adopt: true });
    expect(outs.registrationTimeUTC).toBe(1234);
    expect(await json(`${root}/services/checkout/i-9`)).toMatchObject({
      port: 81,
      registrationTimeUTC: 1234,
    });
    expect(outs.createdParents).toEqual([]);
  });

  it("replaces on identity changes and updates in place otherwise", async () => {
    const olds = await checked({ service: "a", address: "h", port: 80 });
    const plan = (change: Record<string, unknown>) =>
      checked({ service: "a", address: "h", port: 80, ...change }).then((news) =>
        zkServiceRegistration.diff("x", olds, news),
      );
    expect(await plan({ payload: "p" })).toMatchObject({ changes: true, replaces: [] });
    expect(await plan({ port: 81 })).toMatchObject({ replaces: ["instanceId"] });
    expect(await plan({ id: "explicit" })).toMatchObject({ replaces: ["instanceId"] });
    expect(await plan({ service: "b" })).toMatchObject({ replaces: ["service"] });
    expect(await plan({ format: "json" })).toMatchObject({ replaces: ["format"], deleteBeforeReplace: true });
    expect(await plan({})).toMatchObject({ changes: false });
  });
});
