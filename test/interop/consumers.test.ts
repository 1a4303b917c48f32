import { OPEN_ACL } from "../../provider/core/acl";
import { type ZkClient } from "../../provider/zk/client";
import {
  CONSUMER_SESSION_TIMEOUT_MS,
  type CuratorInstance,
  curator,
  kazoo,
  startCuratorRegistration,
  startKazooAnnounce,
  useInteropFixture,
} from "../support/interop";
import { connectString } from "../support/zk";

// Self-tests of the real consumers, without this package: each one writes and reads on its own,
// so later interop tests can trust them as judges of what we write. They also pin the exact bytes
// Curator 5.4 writes, which our Curator writer must match (docs/DESIGN.md §3).

const fixture = useInteropFixture();
const { newRoot, track } = fixture;
let raw: ZkClient;
beforeAll(() => void ({ raw } = fixture));

/** Writes a znode as a foreign writer would, creating persistent parents on the way. */
async function put(path: string, data: string | object): Promise<void> {
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const parent = `/${parts.slice(0, i).join("/")}`;
    if (!(await raw.exists(parent))) await raw.create(parent, Buffer.alloc(0), OPEN_ACL);
  }
  await raw.create(path, Buffer.from(typeof data === "string" ? data : JSON.stringify(data)), OPEN_ACL);
}

async function znodeText(path: string): Promise<string> {
  return (await raw.getData(path)).data.toString("utf8");
}

/** Polls until check() holds; returns how long that took. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: still not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const gone = (path: string) => async () => (await raw.exists(path)) === undefined;

async function query(basePath: string, service: string): Promise<CuratorInstance[]> {
  const instances = (await curator(["query", connectString(), basePath, service])) as CuratorInstance[];
  return [...instances].sort((a, b) => a.id.localeCompare(b.id));
}

describe("Curator 5.4 service discovery (Debian's libcurator-discovery-java)", () => {
  it("registers a PERMANENT and a DYNAMIC instance that its own query finds with every field", async () => {
    const base = newRoot("curator");
    const before = Date.now();
    track(
      await startCuratorRegistration({
        connectString: connectString(),
        basePath: base,
        service: "web",
        id: "permanent-1",
        address: "10.0.0.1",
        port: 8080,
        sslPort: 8443,
        serviceType: "PERMANENT",
        payload: { zone: "a", weight: 3 },
        uriSpec: "{scheme}://{address}:{ssl-port}/{name}",
      }),
    );
    const dynamic = track(
      await startCuratorRegistration({
        connectString: connectString(),
        basePath: base,
        service: "web",
        id: "dynamic-1",
        address: "10.0.0.2",
        port: 8081,
        serviceType: "DYNAMIC",
        payload: "blue",
      }),
    );

    const instances = await query(base, "web");
    expect(instances).toEqual([
      {
        id: "dynamic-1",
        name: "web",
        address: "10.0.0.2",
        port: 8081,
        sslPort: null,
        payload: "blue",
        payloadClass: "java.lang.String",
        registrationTimeUTC: expect.any(Number) as unknown,
        serviceType: "DYNAMIC",
        uriSpec: null,
        enabled: true,
      },
      {
        id: "permanent-1",
        name: "web",
        address: "10.0.0.1",
        port: 8080,
        sslPort: 8443,
        payload: { zone: "a", weight: 3 },
        payloadClass: "java.util.LinkedHashMap",
        registrationTimeUTC: expect.any(Number) as unknown,
        serviceType: "PERMANENT",
        uriSpec: "https://10.0.0.1:8443/web",
        enabled: true,
      },
    ]);
    for (const i of instances) expect(i.registrationTimeUTC).toBeGreaterThanOrEqual(before - 1000);
    expect(await curator(["names", connectString(), base])).toEqual(["web"]);
    expect((await raw.exists(`${base}/web/dynamic-1`))?.ephemeralOwner).not.toBe("0");
    expect((await raw.exists(`${base}/web/permanent-1`))?.ephemeralOwner).toBe("0");

    await dynamic.stop();
    await waitFor("the stopped DYNAMIC instance is gone", gone(`${base}/web/dynamic-1`), 2000);
    expect((await query(base, "web")).map((i) => i.id)).toEqual(["permanent-1"]);
  });

  it("keeps a killed process's DYNAMIC instance only until its session expires", async () => {
    const base = newRoot("curator");
    const dynamic = await startCuratorRegistration({
      connectString: connectString(),
      basePath: base,
      service: "web",
      id: "dynamic-1",
      address: "10.0.0.2",
      port: 8081,
      serviceType: "DYNAMIC",
    });
    await dynamic.kill();
    expect(await raw.exists(`${base}/web/dynamic-1`)).toBeDefined();
    await waitFor(
      "the DYNAMIC instance of the killed process is gone",
      gone(`${base}/web/dynamic-1`),
      CONSUMER_SESSION_TIMEOUT_MS + 5000,
    );
    expect(await query(base, "web")).toEqual([]);
  });

  it("unregisters even PERMANENT instances when the app closes its ServiceDiscovery", async () => {
    const base = newRoot("curator");
    const registration = (id: string, keep: boolean) =>
      startCuratorRegistration({
        connectString: connectString(),
        basePath: base,
        service: "web",
        id,
        address: "10.0.0.3",
        port: 8082,
        serviceType: "PERMANENT",
        keep,
      });
    const closing = await registration("closes-discovery", false);
    const keeping = await registration("closes-session-only", true);
    await closing.stop();
    await keeping.stop();
    expect(await raw.exists(`${base}/web/closes-discovery`)).toBeUndefined();
    expect((await query(base, "web")).map((i) => i.id)).toEqual(["closes-session-only"]);
  });

  it("writes this exact JSON: field order, nulls, @class on objects, a wrapper array on lists, uriSpec parts", async () => {
    const base = newRoot("curator");
    const register = async (
      service: string,
      extra: { payload?: unknown; uriSpec?: string; sslPort?: number },
    ) =>
      track(
        await startCuratorRegistration({
          connectString: connectString(),
          basePath: base,
          service,
          id: "i1",
          address: "10.0.0.1",
          port: 8080,
          serviceType: "PERMANENT",
          ...extra,
        }),
      );
    await register("string-payload", { payload: "hello" });
    await register("map-payload", { payload: { zone: "a", weight: 3, tags: ["x"], nested: { k: null } } });
    await register("list-payload", { payload: [1, "a", { b: true }] });
    await register("uri-spec", { uriSpec: "{scheme}://{address}:{port}", sslPort: 8443 });

    const written = async (service: string) => {
      const text = await znodeText(`${base}/${service}/i1`);
      const time = (JSON.parse(text) as { registrationTimeUTC: number }).registrationTimeUTC;
      return { text, time };
    };
    const head = (service: string, sslPort: string) =>
      `{"name":"${service}","id":"i1","address":"10.0.0.1","port":8080,"sslPort":${sslPort},"payload":`;

    const s = await written("string-payload");
    expect(s.text).toBe(
      `${head("string-payload", "null")}"hello","registrationTimeUTC":${s.time},"serviceType":"PERMANENT","uriSpec":null}`,
    );
    const m = await written("map-payload");
    expect(m.text).toBe(
      `${head("map-payload", "null")}{"@class":"java.util.LinkedHashMap","zone":"a","weight":3,"tags":["x"],` +
        `"nested":{"k":null}},"registrationTimeUTC":${m.time},"serviceType":"PERMANENT","uriSpec":null}`,
    );
    const l = await written("list-payload");
    expect(l.text).toBe(
      `${head("list-payload", "null")}["java.util.ArrayList",[1,"a",{"b":true}]],` +
        `"registrationTimeUTC":${l.time},"serviceType":"PERMANENT","uriSpec":null}`,
    );
    const u = await written("uri-spec");
    expect(u.text).toBe(
      `${head("uri-spec", "8443")}null,"registrationTimeUTC":${u.time},"serviceType":"PERMANENT","uriSpec":{"parts":[` +
        `{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},` +
        `{"value":":","variable":false},{"value":"port","variable":true}]}}`,
    );
    expect((await query(base, "uri-spec"))[0]?.uriSpec).toBe("https://10.0.0.1:8080");
  });

  it("reads instances written by others: object payloads need no @class, missing fields get defaults", async () => {
    const base = newRoot("curator");
    await put(`${base}/hand/full`, {
      name: "hand",
      id: "full",
      address: "h1",
      port: 1,
      sslPort: null,
      payload: { zone: "a" },
      registrationTimeUTC: 5,
      serviceType: "PERMANENT",
      uriSpec: null,
    });
    await put(`${base}/hand/minimal`, { id: "minimal", address: "h2", port: 2 });
    await put(`${base}/hand/extra`, {
      id: "extra",
      name: "hand",
      address: "h3",
      port: 3,
      enabled: false,
      unknownField: 1,
      payload: { "@class": "java.util.HashMap", a: 1 },
    });

    expect(await query(base, "hand")).toEqual([
      expect.objectContaining({
        id: "extra",
        enabled: false,
        payload: { a: 1 },
        payloadClass: "java.util.HashMap",
      }),
      {
        id: "full",
        name: "hand",
        address: "h1",
        port: 1,
        sslPort: null,
        payload: { zone: "a" },
        payloadClass: "java.util.LinkedHashMap",
        registrationTimeUTC: 5,
        serviceType: "PERMANENT",
        uriSpec: null,
        enabled: true,
      },
      {
        id: "minimal",
        name: "",
        address: "h2",
        port: 2,
        sslPort: null,
        payload: null,
        payloadClass: null,
        registrationTimeUTC: 0,
        serviceType: "DYNAMIC",
        uriSpec: null,
        enabled: true,
      },
    ]);
  });

  it("fails a whole query on one child it cannot read", async () => {
    const base = newRoot("curator");
    const good = { id: "good", name: "svc", address: "h", port: 1 };
    for (const [service, bad] of [
      ["not-json", "not json"],
      ["unknown-class", { ...good, id: "bad", payload: { "@class": "com.example.Missing", a: 1 } }],
      ["bare-list", { ...good, id: "bad", payload: [1, 2] }],
    ] as const) {
      await put(`${base}/${service}/good`, good);
      await put(`${base}/${service}/bad`, bad);
    }
    await expect(query(base, "not-json")).rejects.toThrow(/JsonParseException/);
    await expect(query(base, "unknown-class")).rejects.toThrow(
      /Could not resolve type id 'com.example.Missing'/,
    );
    await expect(query(base, "bare-list")).rejects.toThrow(/MismatchedInputException/);
  });

  it("queries a missing service as empty, but fails names on a missing basePath, creating nothing", async () => {
    const base = newRoot("curator");
    expect(await query(base, "web")).toEqual([]);
    await expect(curator(["names", connectString(), base])).rejects.toThrow(/NoNodeException/);
    expect(await raw.exists(base)).toBeUndefined();
  });
});

describe("kazoo ServerSet consumer (Finagle's reading rules)", () => {
  it("announces members and reads back only the ALIVE ones, sorted by znode name", async () => {
    const base = `${newRoot("serverset")}/web`;
    const plain = track(
      await startKazooAnnounce({ connectString: connectString(), path: base, host: "10.0.0.1", port: 8080 }),
    );
    track(
      await startKazooAnnounce({
        connectString: connectString(),
        path: base,
        host: "10.0.0.2",
        port: 8081,
        status: "DEAD",
      }),
    );
    const sharded = track(
      await startKazooAnnounce({
        connectString: connectString(),
        path: base,
        host: "10.0.0.3",
        port: 8082,
        shard: 2,
        additionalEndpoints: { http: { host: "10.0.0.3", port: 80 } },
      }),
    );
    expect(plain.path).toMatch(new RegExp(`^${base}/member_\\d{10}$`));
    expect(JSON.parse(await znodeText(plain.path))).toEqual({
      serviceEndpoint: { host: "10.0.0.1", port: 8080 },
      additionalEndpoints: {},
      status: "ALIVE",
    });
    expect((await raw.exists(plain.path))?.ephemeralOwner).not.toBe("0");

    const member = (p: string) => p.slice(p.lastIndexOf("/") + 1);
    expect(await kazoo("serverset", ["read", connectString(), base])).toEqual([
      {
        member: member(plain.path),
        serviceEndpoint: { host: "10.0.0.1", port: 8080 },
        additionalEndpoints: {},
        status: "ALIVE",
        shard: null,
        metadata: null,
        ephemeral: true,
      },
      {
        member: member(sharded.path),
        serviceEndpoint: { host: "10.0.0.3", port: 8082 },
        additionalEndpoints: { http: { host: "10.0.0.3", port: 80 } },
        status: "ALIVE",
        shard: 2,
        metadata: null,
        ephemeral: true,
      },
    ]);

    await plain.stop();
    await waitFor(
      "the stopped announcer's member is gone",
      gone(plain.path),
      CONSUMER_SESSION_TIMEOUT_MS + 5000,
    );
    const left = (await kazoo("serverset", ["read", connectString(), base])) as { member: string }[];
    expect(left.map((m) => m.member)).toEqual([member(sharded.path)]);
  });

  it("reads hand-written members: bad endpoints dropped; bad JSON, non-ALIVE and non-member_ children skipped", async () => {
    const base = `${newRoot("serverset")}/web`;
    await put(`${base}/member_0000000000`, {
      serviceEndpoint: { host: "h0", port: 1 },
      additionalEndpoints: { ok: { host: "h0", port: 2 }, stringPort: { host: "h0", port: "3" } },
      status: "ALIVE",
      shard: "not-a-number",
      metadata: { team: "x" },
    });
    await put(`${base}/member_0000000001`, "{not json");
    await put(`${base}/member_0000000002`, { serviceEndpoint: { host: "h2", port: 1 }, status: "alive" });
    await put(`${base}/member_0000000003`, { serviceEndpoint: { host: "h3", port: 1 } });
    await put(`${base}/other`, { serviceEndpoint: { host: "h4", port: 1 }, status: "ALIVE" });
    await put(`${base}/member_0000000005`, { serviceEndpoint: { host: "h5", port: 1.5 }, status: "ALIVE" });

    expect(await kazoo("serverset", ["read", connectString(), base])).toEqual([
      {
        member: "member_0000000000",
        serviceEndpoint: { host: "h0", port: 1 },
        additionalEndpoints: { ok: { host: "h0", port: 2 } },
        status: "ALIVE",
        shard: null,
        metadata: { team: "x" },
        ephemeral: false,
      },
    ]);
    expect(await kazoo("serverset", ["read", connectString(), `${base}/missing`])).toEqual([]);
  });
});

describe("kazoo json-format consumer (all providers of a service)", () => {
  it("lists every provider sorted by timestamp, payload kept, unreadable ones skipped", async () => {
    const base = `${newRoot("json")}/web`;
    await put(`${base}/c`, { address: "10.0.0.3", port: 3, timestamp: 300 });
    await put(`${base}/a`, { address: "10.0.0.1", port: 1, timestamp: 100, role: "primary" });
    await put(`${base}/b`, { address: "10.0.0.2", port: 2, timestamp: 200.5, tags: ["x"] });
    await put(`${base}/no-port`, { address: "10.0.0.4", timestamp: 50 });
    await put(`${base}/junk`, "not json");

    expect(await kazoo("jsonfmt", ["read", connectString(), base])).toEqual([
      { id: "a", address: "10.0.0.1", port: 1, timestamp: 100, role: "primary" },
      { id: "b", address: "10.0.0.2", port: 2, timestamp: 200.5, tags: ["x"] },
      { id: "c", address: "10.0.0.3", port: 3, timestamp: 300 },
    ]);
    expect(await kazoo("jsonfmt", ["read", connectString(), `${base}/missing`])).toEqual([]);
  });
});
