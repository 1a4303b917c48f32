import { OPEN_ACL } from "../../provider/core/acl";
import { type ServiceInstance } from "../../provider/core/formats";
import { type RegistrationFormat } from "../../provider/core/schemas";
import { readServiceInstances } from "../../provider/lookups/serviceInstances";
import { zkServiceRegistration } from "../../provider/runtime/zkServiceRegistration";
import { type ZkClient } from "../../provider/zk/client";
import {
  CONSUMER_SESSION_TIMEOUT_MS,
  type CuratorInstance,
  type CuratorRegistration,
  type ServerSetAnnouncement,
  curator,
  kazoo,
  startCuratorRegistration,
  startKazooAnnounce,
  useInteropFixture,
} from "../support/interop";
import { checkWith } from "../support/runtime";
import { connectString } from "../support/zk";

// Both directions against consumers nobody here wrote (docs/DESIGN.md §3, §5): what ZkServiceRegistration
// writes is read by Curator 5.4 and by kazoo readers that apply Finagle's and the json style's
// rules, and readServiceInstances (getServiceInstances) reads what Curator and kazoo register.
// consumers.test.ts proves the consumers themselves.

const fixture = useInteropFixture({ provider: true });
/** A fresh basePath for one test, removed after the file. */
const newBase = (prefix: string): string => fixture.newRoot(prefix);
const { track } = fixture;
let raw: ZkClient;
beforeAll(() => void ({ raw } = fixture));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until check() holds; returns how long that took. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: still not true after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A registration made through the provider methods, as `pulumi up` makes it. */
interface Registered {
  readonly id: string;
  readonly outs: Record<string, unknown>;
  readonly path: string;
  readonly registrationTimeUTC: number;
}

async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { inputs, failures } = await checkWith(zkServiceRegistration, {}, news);
  expect(failures).toEqual([]);
  return inputs;
}

function registered(id: string, outs: Record<string, unknown>): Registered {
  return { id, outs, path: String(outs.path), registrationTimeUTC: Number(outs.registrationTimeUTC) };
}

async function register(news: Record<string, unknown>): Promise<Registered> {
  const { id, outs } = await zkServiceRegistration.create(await checked(news));
  return registered(id, outs);
}

/**
 * Applies changed inputs as `pulumi up` does: diff, then update in place, or replace (create the
 * new one, then delete the old; the other way round when the diff asks for delete-before-replace).
 */
async function change(
  reg: Registered,
  news: Record<string, unknown>,
): Promise<Registered & { replaced: boolean }> {
  const inputs = await checked(news);
  const diff = await zkServiceRegistration.diff(reg.id, reg.outs, inputs);
  if ((diff.replaces ?? []).length === 0) {
    const { outs } = await zkServiceRegistration.update(reg.id, reg.outs, inputs);
    return { ...registered(reg.id, outs), replaced: false };
  }
  if (diff.deleteBeforeReplace) await deregister(reg);
  const { id, outs } = await zkServiceRegistration.create(inputs);
  if (!diff.deleteBeforeReplace) await deregister(reg);
  return { ...registered(id, outs), replaced: true };
}

async function deregister(reg: Registered): Promise<void> {
  await zkServiceRegistration.delete(reg.id, reg.outs);
}

/** getServiceInstances: what it returns (only serving instances unless `all`) and what it warned. */
async function lookUp(
  basePath: string,
  service: string,
  formats?: RegistrationFormat[],
  all = false,
): Promise<{ instances: ServiceInstance[]; warnings: string[] }> {
  const warnings: string[] = [];
  const settings = { connectString: connectString(), sessionTimeoutMs: 6000 };
  const instances = await readServiceInstances(
    settings,
    { service, basePath, ...(formats ? { formats } : {}), ...(all ? { includeNotServing: true } : {}) },
    (m) => warnings.push(m),
  );
  return { instances, warnings };
}

/** Writes a znode as a foreign writer would, creating persistent parents on the way. */
async function put(path: string, data: string): Promise<void> {
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const parent = `/${parts.slice(0, i).join("/")}`;
    if (!(await raw.exists(parent))) await raw.create(parent, Buffer.alloc(0), OPEN_ACL);
  }
  await raw.create(path, Buffer.from(data), OPEN_ACL);
}

/** Curator's queryForInstances, sorted by id; with payloadClass, as a typed app queries. */
async function curatorQuery(basePath: string, service: string, payloadClass?: string) {
  const args = ["query", connectString(), basePath, service];
  if (payloadClass) args.push(`--payload-class=${payloadClass}`);
  const instances = (await curator(args)) as CuratorInstance[];
  return [...instances].sort((a, b) => a.id.localeCompare(b.id));
}

/** What a Curator `ServiceProvider` routes to (`getAllInstances`, default filters), sorted by id. */
async function curatorProvider(basePath: string, service: string) {
  const instances = (await curator(["provider", connectString(), basePath, service])) as CuratorInstance[];
  return [...instances].sort((a, b) => a.id.localeCompare(b.id));
}

async function curatorNames(basePath: string): Promise<string[]> {
  return ((await curator(["names", connectString(), basePath])) as string[]).sort();
}

/** One member as the kazoo ServerSet reader (Finagle's rules) prints it. */
interface ServerSetMember {
  readonly member: string;
  readonly serviceEndpoint: { host: string; port: number } | null;
  readonly additionalEndpoints: Record<string, { host: string; port: number }>;
  readonly status: string;
  readonly shard: number | null;
  readonly metadata: Record<string, string> | null;
  readonly ephemeral: boolean;
}

async function serversetRead(path: string): Promise<ServerSetMember[]> {
  return (await kazoo("serverset", ["read", connectString(), path])) as ServerSetMember[];
}

/** One provider as the kazoo json-style reader prints it: id, address, port, timestamp, payload fields. */
type JsonProvider = { id: string; address: string; port: number; timestamp: number } & Record<
  string,
  unknown
>;

async function jsonRead(path: string): Promise<JsonProvider[]> {
  return (await kazoo("jsonfmt", ["read", connectString(), path])) as JsonProvider[];
}

const memberName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

describe("Curator 5.4 reads what ZkServiceRegistration writes (format curator)", () => {
  it("finds every field, expands the uriSpec, and sees our updates and deletes", async () => {
    const basePath = newBase("ours-curator");
    const a = await register({
      basePath,
      service: "checkout",
      id: "co-1",
      address: "10.0.0.5",
      port: 8080,
      payload: "blue",
      uriSpec: "{scheme}://{address}:{port}",
    });
    const b = await register({
      basePath,
      service: "checkout",
      id: "co-2",
      address: "10.0.0.6",
      port: 8080,
      sslPort: 8443,
      payload: { zone: "eu", weight: 3, tags: ["canary"], limits: { rps: 100 } },
      uriSpec: "{scheme}://{address}:{ssl-port}/{name}",
    });
    const c = await register({
      basePath,
      service: "billing",
      id: "bi-1",
      address: "10.0.0.7",
      sslPort: 9443,
      uriSpec: "{scheme}://{address}:{ssl-port}",
    });
    expect(a.path).toBe(`${basePath}/checkout/co-1`);

    const common = { serviceType: "PERMANENT", enabled: true };
    expect(await curatorQuery(basePath, "checkout")).toEqual([
      {
        id: "co-1",
        name: "checkout",
        address: "10.0.0.5",
        port: 8080,
        sslPort: null,
        payload: "blue",
        payloadClass: "java.lang.String",
        registrationTimeUTC: a.registrationTimeUTC,
        uriSpec: "http://10.0.0.5:8080",
        ...common,
      },
      {
        id: "co-2",
        name: "checkout",
        address: "10.0.0.6",
        port: 8080,
        sslPort: 8443,
        payload: { zone: "eu", weight: 3, tags: ["canary"], limits: { rps: 100 } },
        payloadClass: "java.util.LinkedHashMap",
        registrationTimeUTC: b.registrationTimeUTC,
        uriSpec: "https://10.0.0.6:8443/checkout",
        ...common,
      },
    ]);
    expect(await curatorQuery(basePath, "billing")).toEqual([
      {
        id: "bi-1",
        name: "billing",
        address: "10.0.0.7",
        port: null,
        sslPort: 9443,
        payload: null,
        payloadClass: null,
        registrationTimeUTC: c.registrationTimeUTC,
        uriSpec: "https://10.0.0.7:9443",
        ...common,
      },
    ]);
    expect(await curatorNames(basePath)).toEqual(["billing", "checkout"]);

    // A port change keeps the id, so it is the same znode, rewritten; the registration time stays.
    const a2 = await change(a, {
      basePath,
      service: "checkout",
      id: "co-1",
      address: "10.0.0.5",
      port: 9090,
      payload: "green",
      uriSpec: "{scheme}://{address}:{port}",
    });
    expect(a2).toMatchObject({ replaced: false, path: a.path });
    const b2 = await change(b, {
      basePath,
      service: "checkout",
      id: "co-2",
      address: "10.0.0.6",
      port: 8080,
      sslPort: 8443,
      payload: { zone: "us" },
      uriSpec: "{scheme}://{address}:{ssl-port}/{name}",
    });
    expect(b2.replaced).toBe(false);
    expect(await curatorQuery(basePath, "checkout")).toEqual([
      expect.objectContaining({
        id: "co-1",
        port: 9090,
        payload: "green",
        registrationTimeUTC: a.registrationTimeUTC,
        uriSpec: "http://10.0.0.5:9090",
      }),
      expect.objectContaining({
        id: "co-2",
        payload: { zone: "us" },
        payloadClass: "java.util.LinkedHashMap",
        registrationTimeUTC: b.registrationTimeUTC,
      }),
    ]);

    await deregister(c);
    expect(await curatorQuery(basePath, "billing")).toEqual([]);
    expect(await curatorNames(basePath)).toEqual(["checkout"]);
    await deregister(a2);
    expect((await curatorQuery(basePath, "checkout")).map((i) => i.id)).toEqual(["co-2"]);
    await deregister(b2);
    expect(await curatorQuery(basePath, "checkout")).toEqual([]);
  }, 180_000);

  it("with payloadClass, a typed Java consumer (builder(Details.class)) gets its own class; without, it fails", async () => {
    const basePath = newBase("ours-typed");
    const payload = { zone: "eu", weight: 7, metadata: { team: "payments" } };
    const typed = await register({
      basePath,
      service: "typed",
      id: "t-1",
      address: "10.0.0.8",
      port: 8080,
      payload,
      payloadClass: "interop.Details",
    });
    await register({ basePath, service: "untyped", id: "u-1", address: "10.0.0.9", port: 8080, payload });

    expect(await curatorQuery(basePath, "typed", "interop.Details")).toEqual([
      expect.objectContaining({
        id: "t-1",
        payload,
        payloadClass: "interop.Details",
        registrationTimeUTC: typed.registrationTimeUTC,
      }),
    ]);
    // The type id is Jackson's own: an untyped consumer gets the class too, as it is on its classpath.
    expect(await curatorQuery(basePath, "typed")).toEqual([
      expect.objectContaining({ id: "t-1", payload, payloadClass: "interop.Details" }),
    ]);
    // Without payloadClass Jackson builds a LinkedHashMap, and Curator's typed serializer refuses it.
    await expect(curatorQuery(basePath, "untyped", "interop.Details")).rejects.toThrow(
      /ClassCastException: Cannot cast java.util.LinkedHashMap to interop.Details/,
    );
    expect((await lookUp(basePath, "typed")).instances).toEqual([
      expect.objectContaining({ id: "t-1", payload, payloadClass: "interop.Details", format: "curator" }),
    ]);
  }, 120_000);
});

/** A Curator process registering a DYNAMIC instance of service `web` at 10.0.1.1:8080, stopped after the test. */
function curatorWeb(basePath: string, id: string, extra: Partial<CuratorRegistration> = {}) {
  return startCuratorRegistration({
    connectString: connectString(),
    basePath,
    service: "web",
    id,
    address: "10.0.1.1",
    port: 8080,
    serviceType: "DYNAMIC",
    ...extra,
  }).then(track);
}

describe("getServiceInstances reads what Curator registers", () => {
  it("returns PERMANENT and ephemeral DYNAMIC instances, and drops the DYNAMIC ones when their process ends", async () => {
    const basePath = newBase("curators");
    const reg = (id: string, extra: Partial<CuratorRegistration>) => curatorWeb(basePath, id, extra);
    const permanent = await reg("perm-1", {
      serviceType: "PERMANENT",
      sslPort: 8443,
      payload: { zone: "a", weight: 3 },
      uriSpec: "{scheme}://{address}:{ssl-port}",
      keep: true,
    });
    const stopped = await reg("dyn-1", { address: "10.0.1.2", port: 8081, payload: "blue" });
    const killed = await reg("dyn-2", { address: "10.0.1.3", port: 8082 });

    const theirTimes = new Map(
      (await curatorQuery(basePath, "web")).map((i) => [i.id, i.registrationTimeUTC] as const),
    );
    const dir = `${basePath}/web`;
    const { instances, warnings } = await lookUp(basePath, "web");
    expect(warnings).toEqual([]);
    expect(instances).toEqual([
      {
        id: "perm-1",
        service: "web",
        address: "10.0.1.1",
        port: 8080,
        sslPort: 8443,
        format: "curator",
        registrationTimeUTC: theirTimes.get("perm-1"),
        payload: { zone: "a", weight: 3 },
        payloadClass: "java.util.LinkedHashMap",
        path: `${dir}/perm-1`,
        ephemeral: false,
        serving: true,
        enabled: true,
      },
      {
        id: "dyn-1",
        service: "web",
        address: "10.0.1.2",
        port: 8081,
        format: "curator",
        registrationTimeUTC: theirTimes.get("dyn-1"),
        payload: "blue",
        path: `${dir}/dyn-1`,
        ephemeral: true,
        serving: true,
        enabled: true,
      },
      {
        id: "dyn-2",
        service: "web",
        address: "10.0.1.3",
        port: 8082,
        format: "curator",
        registrationTimeUTC: theirTimes.get("dyn-2"),
        path: `${dir}/dyn-2`,
        ephemeral: true,
        serving: true,
        enabled: true,
      },
    ]);

    const ids = async () => (await lookUp(basePath, "web")).instances.map((i) => i.id);
    // A PERMANENT instance outlives the process that registered it (when it does not unregister).
    await permanent.stop();
    expect(await ids()).toEqual(["perm-1", "dyn-1", "dyn-2"]);
    // A clean exit unregisters; a crash leaves the ephemeral znode until the session expires.
    await stopped.stop();
    await waitFor(
      "the stopped process's DYNAMIC instance is gone",
      async () => !(await ids()).includes("dyn-1"),
      10_000,
    );
    await killed.kill();
    await waitFor(
      "the killed process's DYNAMIC instance is gone",
      async () => !(await ids()).includes("dyn-2"),
      CONSUMER_SESSION_TIMEOUT_MS + 7000,
    );
    expect(await ids()).toEqual(["perm-1"]);
  }, 120_000);

  it("serves what Curator's ServiceProvider routes to: drained instances only with includeNotServing", async () => {
    const basePath = newBase("curator-enabled");
    const dir = `${basePath}/web`;
    await curatorWeb(basePath, "curator-on");
    await curatorWeb(basePath, "curator-drained", { disabled: true });
    await register({ basePath, service: "web", id: "ours", address: "10.0.1.2", port: 8080 });
    await register({
      basePath,
      service: "web",
      id: "ours-drained",
      address: "10.0.1.3",
      port: 8080,
      enabled: false,
    });
    // How other writers spell `enabled`: Curator's Jackson mapper coerces these (docs/INTEROP.md).
    const spellings: Record<string, unknown> = {
      null: null,
      "str-false": "false",
      "str-TRUE": "TRUE",
      zero: 0,
      two: 2,
    };
    for (const [id, enabled] of Object.entries(spellings)) {
      const body = { name: "web", id, address: "10.0.1.9", port: 1, registrationTimeUTC: 1, enabled };
      await put(`${dir}/${id}`, JSON.stringify(body));
    }

    const routed = (await curatorProvider(basePath, "web")).map((i) => i.id);
    const listed = (await curatorQuery(basePath, "web")).map((i) => i.id);
    const sorted = (xs: string[]) => [...xs].sort((a, b) => a.localeCompare(b));
    const serving = await lookUp(basePath, "web");
    const all = await lookUp(basePath, "web", undefined, true);
    expect(serving.warnings).toEqual([]);
    expect(sorted(serving.instances.map((i) => i.id))).toEqual(routed);
    expect(sorted(all.instances.map((i) => i.id))).toEqual(listed);
    expect(routed).toEqual(["curator-on", "ours", "str-TRUE", "two"]);
    expect(listed).toHaveLength(9);
    expect((await curatorQuery(basePath, "web")).find((i) => i.id === "ours-drained")?.enabled).toBe(false);
    expect(all.instances.find((i) => i.id === "curator-drained")).toMatchObject({
      serving: false,
      enabled: false,
    });
  }, 120_000);
});

describe("ServerSet: kazoo with Finagle's rules, both directions (format serverset)", () => {
  it("the kazoo reader finds every member we register, with endpoints, shard and metadata, and follows updates and deletes", async () => {
    const basePath = newBase("ours-serverset");
    const dir = `${basePath}/search`;
    const s1 = await register({
      basePath,
      service: "search",
      format: "serverset",
      address: "10.0.2.1",
      port: 9000,
      shard: 0,
      additionalEndpoints: { admin: { host: "10.0.2.1", port: 9990 }, http: { host: "10.0.2.1", port: 80 } },
      metadata: { dc: "eu-west" },
    });
    const s2 = await register({
      basePath,
      service: "search",
      format: "serverset",
      address: "10.0.2.2",
      port: 9000,
      shard: 1,
    });
    const s3 = await register({
      basePath,
      service: "search",
      format: "serverset",
      address: "10.0.2.3",
      port: 9001,
    });
    for (const s of [s1, s2, s3]) expect(s.path).toMatch(new RegExp(`^${dir}/member_\\d{10}$`));

    const member = (s: Registered, fields: Partial<ServerSetMember>): ServerSetMember => ({
      member: s.id,
      serviceEndpoint: null,
      additionalEndpoints: {},
      status: "ALIVE",
      shard: null,
      metadata: null,
      ephemeral: false,
      ...fields,
    });
    expect(await serversetRead(dir)).toEqual([
      member(s1, {
        serviceEndpoint: { host: "10.0.2.1", port: 9000 },
        additionalEndpoints: {
          admin: { host: "10.0.2.1", port: 9990 },
          http: { host: "10.0.2.1", port: 80 },
        },
        shard: 0,
        metadata: { dc: "eu-west" },
      }),
      member(s2, { serviceEndpoint: { host: "10.0.2.2", port: 9000 }, shard: 1 }),
      member(s3, { serviceEndpoint: { host: "10.0.2.3", port: 9001 } }),
    ]);

    // A shard change rewrites the member in place; a port change (the default id derives from
    // the port) replaces it with a new member, created before the old one is deleted.
    const s1b = await change(s1, {
      basePath,
      service: "search",
      format: "serverset",
      address: "10.0.2.1",
      port: 9000,
      shard: 5,
    });
    expect(s1b).toMatchObject({ replaced: false, path: s1.path });
    const s3b = await change(s3, {
      basePath,
      service: "search",
      format: "serverset",
      address: "10.0.2.3",
      port: 9002,
    });
    expect(s3b.replaced).toBe(true);
    await deregister(s2);
    expect(await serversetRead(dir)).toEqual([
      member(s1, { serviceEndpoint: { host: "10.0.2.1", port: 9000 }, shard: 5 }),
      member(s3b, { serviceEndpoint: { host: "10.0.2.3", port: 9002 } }),
    ]);
  });

  it("getServiceInstances finds members kazoo announces as ephemeral sequential member_ nodes, only ALIVE ones by default, as Finagle routes", async () => {
    const basePath = newBase("kazoo-serverset");
    const dir = `${basePath}/search`;
    const ours = await register({
      basePath,
      service: "search",
      format: "serverset",
      address: "10.0.2.1",
      port: 9000,
    });
    const announce = (host: string, port: number, extra: Partial<ServerSetAnnouncement> = {}) =>
      startKazooAnnounce({ connectString: connectString(), path: dir, host, port, ...extra }).then(track);
    const alive = await announce("10.0.2.10", 7000, {
      shard: 4,
      additionalEndpoints: { http: { host: "10.0.2.10", port: 8080 } },
    });
    const dead = await announce("10.0.2.11", 7001, { status: "DEAD" });
    const starting = await announce("10.0.2.12", 7002, { status: "STARTING" });

    const { instances, warnings } = await lookUp(basePath, "search", ["serverset"], true);
    expect(warnings).toEqual([]);
    const theirs = (a: { path: string }, address: string, port: number, status: string) => ({
      id: memberName(a.path),
      service: "search",
      address,
      port,
      format: "serverset",
      registrationTimeUTC: expect.any(Number) as unknown,
      path: a.path,
      ephemeral: true,
      serving: status === "ALIVE",
      status,
      additionalEndpoints: {},
    });
    expect(instances).toEqual([
      { ...theirs(ours, "10.0.2.1", 9000, "ALIVE"), id: ours.id, ephemeral: false },
      {
        ...theirs(alive, "10.0.2.10", 7000, "ALIVE"),
        shard: 4,
        additionalEndpoints: { http: { host: "10.0.2.10", port: 8080 } },
      },
      theirs(dead, "10.0.2.11", 7001, "DEAD"),
      theirs(starting, "10.0.2.12", 7002, "STARTING"),
    ]);
    // Finagle's rule: only ALIVE members serve; ours and kazoo's share the directory and its sequence.
    // By default getServiceInstances returns exactly the members the Finagle-rule reader routes to.
    const finagle = (await serversetRead(dir)).map((m) => m.member);
    expect(finagle).toEqual([ours.id, memberName(alive.path)]);
    expect((await lookUp(basePath, "search")).instances.map((i) => i.id)).toEqual(finagle);

    await dead.stop();
    await waitFor(
      "the stopped announcer's member is gone",
      async () => (await lookUp(basePath, "search", undefined, true)).instances.length === 3,
      10_000,
    );
  });

  it("a member we drain (enabled: false) is STOPPING, so Finagle's rule and getServiceInstances both leave it out", async () => {
    const basePath = newBase("serverset-drain");
    const dir = `${basePath}/search`;
    const reg = { basePath, service: "search", format: "serverset", address: "10.0.2.30" };
    const up = await register({ ...reg, port: 1 });
    const drained = await register({ ...reg, port: 2, enabled: false });
    const finagle = await serversetRead(dir);
    expect(finagle.map((m) => m.member)).toEqual([memberName(up.path)]);
    expect((await lookUp(basePath, "search")).instances.map((i) => i.path)).toEqual([up.path]);
    const all = await lookUp(basePath, "search", undefined, true);
    expect(all.instances.find((i) => i.path === drained.path)).toMatchObject({
      status: "STOPPING",
      serving: false,
    });
  });

  it("reports a member without a status as UNKNOWN, as Finagle counts it, not ALIVE", async () => {
    const basePath = newBase("serverset-status");
    const dir = `${basePath}/search`;
    await put(
      `${dir}/member_0000000000`,
      JSON.stringify({ serviceEndpoint: { host: "10.0.2.20", port: 1 } }),
    );
    await put(
      `${dir}/member_0000000001`,
      JSON.stringify({ serviceEndpoint: { host: "10.0.2.21", port: 2 }, status: "ALIVE" }),
    );
    // Finagle (and the kazoo reader) route only to the member that says ALIVE.
    expect((await serversetRead(dir)).map((m) => m.member)).toEqual(["member_0000000001"]);
    const { instances } = await lookUp(basePath, "search", undefined, true);
    expect(instances.map((i) => [i.id, i.status, i.serving])).toEqual([
      ["member_0000000000", "UNKNOWN", false],
      ["member_0000000001", "ALIVE", true],
    ]);
    expect((await lookUp(basePath, "search")).instances.map((i) => i.id)).toEqual(["member_0000000001"]);
  });
});

describe("plain JSON: the kazoo json-style reader (format json)", () => {
  it("lists our providers sorted by timestamp, in the order getServiceInstances returns them", async () => {
    const basePath = newBase("ours-json");
    const dir = `${basePath}/legacy`;
    // Registered in an order that is not the name order, so only the timestamps can sort them.
    const first = await register({
      basePath,
      service: "legacy",
      format: "json",
      id: "c-first",
      address: "10.0.4.3",
      port: 8003,
      payload: { zone: "eu" },
    });
    await sleep(25);
    const second = await register({
      basePath,
      service: "legacy",
      format: "json",
      id: "a-second",
      address: "10.0.4.1",
      port: 8001,
      sslPort: 8443,
      payload: { zone: "us", tier: "gold" },
    });
    await sleep(25);
    const third = await register({
      basePath,
      service: "legacy",
      format: "json",
      id: "b-third",
      address: "10.0.4.2",
      port: 8002,
    });
    // An update keeps the registration time, so it does not move the provider in the order.
    const moved = await change(first, {
      basePath,
      service: "legacy",
      format: "json",
      id: "c-first",
      address: "10.0.4.3",
      port: 9003,
      payload: { zone: "eu" },
    });
    expect(moved.replaced).toBe(false);

    const providers = await jsonRead(dir);
    expect(providers).toEqual([
      { id: "c-first", address: "10.0.4.3", port: 9003, timestamp: first.registrationTimeUTC, zone: "eu" },
      {
        id: "a-second",
        address: "10.0.4.1",
        port: 8001,
        sslPort: 8443,
        timestamp: second.registrationTimeUTC,
        zone: "us",
        tier: "gold",
      },
      { id: "b-third", address: "10.0.4.2", port: 8002, timestamp: third.registrationTimeUTC },
    ]);
    const { instances, warnings } = await lookUp(basePath, "legacy", ["json"]);
    expect(warnings).toEqual([]);
    expect(instances.map((i) => i.id)).toEqual(providers.map((p) => p.id));
    expect(
      instances.map(({ id, address, port, sslPort, registrationTimeUTC, payload }) => ({
        id,
        address,
        port,
        ...(sslPort !== undefined ? { sslPort } : {}),
        timestamp: registrationTimeUTC,
        ...(payload as Record<string, unknown> | undefined),
      })),
    ).toEqual(providers);
  });
});

describe("a mixed service directory", () => {
  it("getServiceInstances returns curator (ours), serverset (kazoo) and json (ours) and warns about the malformed and the empty child by name", async () => {
    const basePath = newBase("mixed");
    const dir = `${basePath}/web`;
    const cur = await register({
      basePath,
      service: "web",
      id: "cur-1",
      address: "10.0.3.1",
      port: 8080,
      payload: "x",
    });
    await sleep(25);
    const member = await startKazooAnnounce({
      connectString: connectString(),
      path: dir,
      host: "10.0.3.2",
      port: 8081,
    }).then(track);
    await sleep(25);
    const json = await register({
      basePath,
      service: "web",
      format: "json",
      id: "json-1",
      address: "10.0.3.3",
      port: 8082,
      payload: { zone: "eu" },
    });
    await put(`${dir}/broken`, "{oops");
    await put(`${dir}/empty`, "");

    const { instances, warnings } = await lookUp(basePath, "web");
    expect(instances).toEqual([
      expect.objectContaining({
        id: "cur-1",
        format: "curator",
        address: "10.0.3.1",
        port: 8080,
        payload: "x",
      }),
      expect.objectContaining({
        id: memberName(member.path),
        format: "serverset",
        address: "10.0.3.2",
        port: 8081,
        status: "ALIVE",
        ephemeral: true,
      }),
      expect.objectContaining({
        id: "json-1",
        format: "json",
        address: "10.0.3.3",
        port: 8082,
        payload: { zone: "eu" },
      }),
    ]);
    expect(instances.map((i) => i.registrationTimeUTC)).toEqual([
      cur.registrationTimeUTC,
      expect.any(Number),
      json.registrationTimeUTC,
    ]);
    expect(warnings.sort()).toEqual([
      `skipping ${dir}/broken: not a service instance, its data is not JSON`,
      `skipping ${dir}/empty: not a service instance, it is empty`,
    ]);
    // Each format's own reader picks its kind out of the same directory.
    expect((await lookUp(basePath, "web", ["json"])).instances.map((i) => i.id)).toEqual(["json-1"]);
    expect((await serversetRead(dir)).map((m) => m.member)).toEqual([memberName(member.path)]);
    expect((await jsonRead(dir)).map((p) => p.id)).toEqual(["json-1"]);
    // Curator's reader fails the whole query on one unreadable child (docs/DESIGN.md §3)...
    await expect(curatorQuery(basePath, "web")).rejects.toThrow(
      /JsonParseException|MismatchedInputException/,
    );
    // ...and, without them, maps every other JSON object to an instance, whatever its format: a
    // Curator app reading a mixed directory gets the other formats as instances with empty ids.
    await raw.remove(`${dir}/broken`, -1);
    await raw.remove(`${dir}/empty`, -1);
    const asCuratorSeesThem = await curatorQuery(basePath, "web");
    const foreign = {
      id: "",
      name: "",
      sslPort: null,
      payload: null,
      payloadClass: null,
      registrationTimeUTC: 0,
      serviceType: "DYNAMIC",
      uriSpec: null,
      enabled: true,
    };
    expect(asCuratorSeesThem).toHaveLength(3);
    expect(asCuratorSeesThem).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "cur-1", name: "web", address: "10.0.3.1", port: 8080, payload: "x" }),
        { ...foreign, address: null, port: null },
        { ...foreign, address: "10.0.3.3", port: 8082 },
      ]),
    );
  });
});
