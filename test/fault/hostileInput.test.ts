/**
 * Scenario 6: hostile input. A corpus of invalid inputs across every resource and lookup goes
 * through the provider's `check` (what `pulumi preview` runs) and the lookups' argument
 * validation; each must fail naming the property, before any connection is made. One Pulumi
 * program with a handful of bad resources then runs through `pulumi preview`, which must fail
 * with messages naming the properties and leave the tree unchanged. Malformed Exhibitor
 * answers fail the lookup with a message naming the source.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { getEnsemble, getServiceInstances } from "../../provider";
import { zkChroot, zkNode, zkServiceRegistration } from "../../provider/runtime";
import { type EngineMethods } from "../../provider/runtime/dynamic";
import { type ZkClient } from "../../provider/zk/client";
import { type FakeExhibitorMode, startFakeExhibitor } from "../support/fakeExhibitor";
import { checkingClient, faultStack, printed, recordFigures, stackTraceLines } from "../support/fault";
import { checkWith } from "../support/runtime";
import { connectString, randomRoot, snapshotTree } from "../support/zk";

jest.setTimeout(120_000);

/** One invalid input: which resource or lookup, the args, and the property the failure must name. */
interface HostileCase {
  readonly target: "ZkNode" | "ZkChroot" | "ZkServiceRegistration" | "getEnsemble" | "getServiceInstances";
  readonly what: string;
  readonly args: Record<string, unknown>;
  readonly property: string;
}

const node = (what: string, args: Record<string, unknown>, property: string): HostileCase => ({
  target: "ZkNode",
  what,
  args: { path: "/fault/ok", ...args },
  property,
});
const chroot = (what: string, args: Record<string, unknown>, property: string): HostileCase => ({
  target: "ZkChroot",
  what,
  args: { path: "/fault/chroot", ...args },
  property,
});
const registration = (what: string, args: Record<string, unknown>, property: string): HostileCase => ({
  target: "ZkServiceRegistration",
  what,
  args: { service: "api", address: "10.0.0.1", port: 8080, ...args },
  property,
});
const ensemble = (what: string, args: Record<string, unknown>, property: string): HostileCase => ({
  target: "getEnsemble",
  what,
  args,
  property,
});
const instances = (what: string, args: Record<string, unknown>, property: string): HostileCase => ({
  target: "getServiceInstances",
  what,
  args: { service: "api", ...args },
  property,
});

const BAD_PATHS: readonly [string, unknown][] = [
  ["empty", ""],
  ["relative", "relative/path"],
  ["trailing slash", "/trailing/"],
  ["empty component", "/double//slash"],
  ["'.' component", "/dot/./x"],
  ["'..' component", "/dotdot/../x"],
  ["only '.'", "/."],
  ["null character", "/nul\u0000x"],
  ["control character", "/ctl\u0001x"],
  ["tab", "/tab\tx"],
  ["newline", "/line\nbreak"],
  ["DEL", "/del\u007fx"],
  ["C1 control", "/c1\u0085x"],
  ["private use", "/private\ue000x"],
  ["lone surrogate", "/surrogate\ud800x"],
  ["reserved specials", "/specials\ufff0x"],
  ["reserved /zookeeper", "/zookeeper"],
  ["under /zookeeper/quota", "/zookeeper/quota/x"],
  ["under /zookeeper/config", "/zookeeper/config"],
  ["a number", 42],
];

const OPEN_ACL_WITH = (entry: Record<string, unknown>) => [entry];
const MIB = 1024 * 1024;

const CORPUS: readonly HostileCase[] = [
  // Paths of every kind, on every resource that takes one.
  ...BAD_PATHS.map(([what, path]) => node(`path: ${what}`, { path }, "path")),
  ...BAD_PATHS.slice(0, 8).map(([what, path]) => chroot(`path: ${what}`, { path }, "path")),
  chroot("path: the root", { path: "/" }, "path"),
  ...BAD_PATHS.slice(1, 8).map(([what, path]) =>
    registration(`basePath: ${what}`, { basePath: path }, "basePath"),
  ),
  registration("basePath: under /zookeeper", { basePath: "/zookeeper/services" }, "basePath"),
  { target: "ZkNode", what: "path missing", args: { data: "x" }, property: "path" },
  // Data too large for one request, and bad data encodings.
  node("data over jute.maxbuffer", { data: "a".repeat(MIB) }, "data"),
  node("multi-byte data over jute.maxbuffer", { data: "\u20ac".repeat(400_000) }, "data"),
  node(
    "dataBase64 over jute.maxbuffer",
    { dataBase64: Buffer.alloc(MIB + 10).toString("base64") },
    "dataBase64",
  ),
  node("data and dataBase64", { data: "x", dataBase64: "eA==" }, "dataBase64"),
  node("dataBase64 not base64", { dataBase64: "not base64!" }, "dataBase64"),
  node("data not a string", { data: 17 }, "data"),
  chroot("children over jute.maxbuffer", { children: { big: "b".repeat(MIB) } }, "children"),
  registration("payload over jute.maxbuffer", { payload: { blob: "p".repeat(MIB) } }, "payload"),
  // Ports.
  registration("port 0", { port: 0 }, "port"),
  registration("port 65536", { port: 65536 }, "port"),
  registration("port -1", { port: -1 }, "port"),
  registration("port 80.5", { port: 80.5 }, "port"),
  registration("port as a string", { port: "8080" }, "port"),
  registration("sslPort 70000", { sslPort: 70000 }, "sslPort"),
  registration("serverset without port", { port: undefined, format: "serverset" }, "port"),
  registration(
    "additional endpoint port 0",
    { format: "serverset", additionalEndpoints: { admin: { host: "h", port: 0 } } },
    "additionalEndpoints.admin.port",
  ),
  // ACLs: perms, schemes, ids, shape.
  node("perms empty", { acl: OPEN_ACL_WITH({ scheme: "world", id: "anyone", perms: "" }) }, "acl[0].perms"),
  node(
    "perms with x",
    { acl: OPEN_ACL_WITH({ scheme: "world", id: "anyone", perms: "rwx" }) },
    "acl[0].perms",
  ),
  node(
    "perms repeated",
    { acl: OPEN_ACL_WITH({ scheme: "world", id: "anyone", perms: "rr" }) },
    "acl[0].perms",
  ),
  node(
    "perms upper case",
    { acl: OPEN_ACL_WITH({ scheme: "world", id: "anyone", perms: "RWCDA" }) },
    "acl[0].perms",
  ),
  node("scheme unknown", { acl: OPEN_ACL_WITH({ scheme: "bogus", id: "x", perms: "r" }) }, "acl[0].scheme"),
  node("scheme empty", { acl: OPEN_ACL_WITH({ scheme: "", id: "x", perms: "r" }) }, "acl[0].scheme"),
  node(
    "world id not anyone",
    { acl: OPEN_ACL_WITH({ scheme: "world", id: "nobody", perms: "r" }) },
    "acl[0].id",
  ),
  node("id empty", { acl: OPEN_ACL_WITH({ scheme: "ip", id: "", perms: "r" }) }, "acl[0].id"),
  node(
    "digest id with a password",
    { acl: OPEN_ACL_WITH({ scheme: "digest", id: "bob:secret", perms: "r" }) },
    "acl[0].id",
  ),
  node("acl empty", { acl: [] }, "acl"),
  node(
    "acl entry with an extra key",
    { acl: OPEN_ACL_WITH({ scheme: "world", id: "anyone", perms: "r", x: 1 }) },
    "acl[0]",
  ),
  node("acl as a string", { acl: "world:anyone:rwcda" }, "acl"),
  chroot(
    "chroot perms bad",
    { acl: OPEN_ACL_WITH({ scheme: "world", id: "anyone", perms: "q" }) },
    "acl[0].perms",
  ),
  registration(
    "registration scheme bad",
    { acl: OPEN_ACL_WITH({ scheme: "kerberos", id: "x", perms: "r" }) },
    "acl[0].scheme",
  ),
  // Service names, ids, addresses, formats.
  registration("service empty", { service: "" }, "service"),
  registration("service with '/'", { service: "a/b" }, "service"),
  registration("service '.'", { service: "." }, "service"),
  registration("service '..'", { service: ".." }, "service"),
  registration("service with a control character", { service: "bad\u0001name" }, "service"),
  registration("service missing", { service: undefined }, "service"),
  registration("id with '/'", { instanceId: "x/y" }, "id"),
  registration("id empty", { instanceId: "" }, "id"),
  registration("address empty", { address: "" }, "address"),
  registration("address with a space", { address: "has space" }, "address"),
  registration("format unknown", { format: "thrift" }, "format"),
  registration("shard negative", { format: "serverset", shard: -1 }, "shard"),
  registration("json payload not an object", { format: "json", payload: [1, 2] }, "payload"),
  registration("payloadClass on serverset", { format: "serverset", payloadClass: "x.Y" }, "payloadClass"),
  registration("unknown property", { colour: "blue" }, "colour"),
  // Chroot children and policies.
  chroot("child absolute", { children: { "/abs": "" } }, "children"),
  chroot("child empty component", { children: { "a//b": "" } }, "children"),
  chroot("child escaping with '..'", { children: { "../escape": "" } }, "children"),
  chroot("child data not a string", { children: { a: 1 } }, "children"),
  chroot("deletePolicy unknown", { deletePolicy: "force" }, "deletePolicy"),
  // Connect strings.
  node("connectString empty", { connectString: "" }, "connectString"),
  node("connectString bad port", { connectString: "zk1:notaport" }, "connectString"),
  chroot("connectString bad chroot", { connectString: "zk1:2181/bad//chroot" }, "connectString"),
  // Lookups: sources and their fields.
  ensemble("no source", {}, "exhibitor"),
  ensemble("two sources", { seed: "zk1:2181", servers: ["zk1:2181"] }, "exhibitor"),
  ensemble("servers empty", { servers: [] }, "servers"),
  ensemble("server port out of range", { servers: ["zk1:99999"] }, "servers[0]"),
  ensemble("seed with a chroot", { seed: "zk1:2181/app" }, "seed"),
  ensemble("exhibitor without hosts", { exhibitor: { hosts: [] } }, "exhibitor.hosts"),
  ensemble("exhibitor host as a URL", { exhibitor: { hosts: ["http://ex1"] } }, "exhibitor.hosts[0]"),
  ensemble("exhibitor port 0", { exhibitor: { hosts: ["ex1"], port: 0 } }, "exhibitor.port"),
  ensemble("chroot the root", { servers: ["zk1:2181"], chroot: "/" }, "chroot"),
  ensemble("chroot relative", { servers: ["zk1:2181"], chroot: "app" }, "chroot"),
  ensemble(
    "connectString instead of a source",
    { servers: ["zk1:2181"], connectString: "zk1:2181" },
    "connectString",
  ),
  // Writes into /zookeeper through a chroot or basePath + service.
  node("connectString chroot /zookeeper", { connectString: "zk1:2181/zookeeper" }, "connectString"),
  chroot(
    "connectString chroot under /zookeeper",
    { connectString: "zk1:2181/zookeeper/quota" },
    "connectString",
  ),
  registration("connectString chroot /zookeeper", { connectString: "zk1:2181/zookeeper" }, "connectString"),
  registration("service zookeeper under basePath /", { basePath: "/", service: "zookeeper" }, "service"),
  // Characters outside the Basic Multilingual Plane, which ZooKeeper refuses.
  node("path with an emoji", { path: "/fault/\u{1F600}" }, "path"),
  chroot("chroot path with an emoji", { path: "/fault/\u{1F680}" }, "path"),
  chroot("child with an emoji", { children: { "ok/\u{1F600}": "" } }, "children"),
  registration("service with an emoji", { service: "api-\u{1F600}" }, "service"),
  registration("id with an emoji", { instanceId: "i-\u{10000}" }, "id"),
  registration("basePath with an emoji", { basePath: "/svc-\u{1D11E}" }, "basePath"),
  // Whole requests over jute.maxbuffer, not only their data.
  registration("address over jute.maxbuffer", { address: "a".repeat(1_100_000) }, "address"),
  registration("uriSpec over jute.maxbuffer", { uriSpec: "u".repeat(1_100_000) }, "uriSpec"),
  chroot(
    "many children over jute.maxbuffer together",
    { children: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`c${i}`, "v".repeat(600)])) },
    "children",
  ),
  // The last kind: empty child names, ip ids, uriSpec templates, chroot ACLs without create.
  chroot("child named ''", { children: { "": "x" } }, "children"),
  node(
    "ip ACL id a host name",
    { acl: OPEN_ACL_WITH({ scheme: "ip", id: "zk1.example.com", perms: "r" }) },
    "acl[0].id",
  ),
  node(
    "ip ACL id prefix too long",
    { acl: OPEN_ACL_WITH({ scheme: "ip", id: "10.0.0.0/33", perms: "r" }) },
    "acl[0].id",
  ),
  registration("uriSpec unbalanced braces", { uriSpec: "{scheme://{address}" }, "uriSpec"),
  registration("uriSpec unknown variable", { uriSpec: "{scheme}://{adress}:{port}" }, "uriSpec"),
  chroot(
    "chroot ACL without create, with children",
    { acl: OPEN_ACL_WITH({ scheme: "world", id: "anyone", perms: "rwda" }), children: { a: "1" } },
    "acl",
  ),
  instances("service empty", { service: "" }, "service"),
  instances("service with '/'", { service: "a/b" }, "service"),
  instances("basePath relative", { basePath: "services" }, "basePath"),
  instances("formats unknown", { formats: ["thrift"] }, "formats[0]"),
];

const METHODS: Record<string, EngineMethods> = {
  ZkNode: zkNode,
  ZkChroot: zkChroot,
  ZkServiceRegistration: zkServiceRegistration,
};

/** The protobuf `Struct` the dynamic-provider host packs `check`'s inputs into for the engine. */
const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};

/**
 * Every failure of one case as `property: reason` lines. A resource's checked inputs must also
 * survive the trip to the engine, or the user sees a protobuf error instead of the failures.
 */
async function failuresOf(c: HostileCase): Promise<string[]> {
  const methods = METHODS[c.target];
  if (methods) {
    const args = Object.fromEntries(Object.entries(c.args).filter(([, v]) => v !== undefined));
    const { inputs, failures } = await checkWith(methods, {}, args);
    Struct.fromJavaScript(inputs ?? {});
    return (failures ?? []).map((f) => `${f.property}: ${f.reason}`);
  }
  // Lookups validate before any connection: the connect strings here lead nowhere.
  const lookup =
    c.target === "getEnsemble"
      ? getEnsemble(c.args)
      : getServiceInstances({ connectString: "127.0.0.1:1", ...c.args } as Parameters<
          typeof getServiceInstances
        >[0]);
  const error = await lookup.then(
    () => undefined,
    (err: Error) => err.message,
  );
  return error === undefined ? [] : [error];
}

describe("the hostile input corpus", () => {
  it("has at least 60 cases", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CORPUS.map((c) => [`${c.target} ${c.what}`, c] as const))(
    "%s fails naming the property",
    async (_, c) => {
      const failures = await failuresOf(c);
      expect(failures.length).toBeGreaterThan(0);
      const named = failures.some((f) =>
        c.target.startsWith("get")
          ? f.includes(`${c.property}:`) || f.includes(`${c.property} `)
          : f.startsWith(`${c.property}`),
      );
      if (!named) throw new Error(`no failure names '${c.property}': ${JSON.stringify(failures)}`);
    },
  );

  afterAll(() => {
    const byTarget: Record<string, number> = {};
    for (const c of CORPUS) byTarget[c.target] = (byTarget[c.target] ?? 0) + 1;
    recordFigures("6-hostile-input", { cases: CORPUS.length, ...byTarget });
  });
});

describe("malformed Exhibitor answers", () => {
  it.each(["malformed", "empty", "http500", "hang"] as FakeExhibitorMode[])(
    "%s: the lookup fails naming the Exhibitor source, never crashes or hangs",
    async (mode) => {
      const fake = await startFakeExhibitor({ mode, servers: ["127.0.0.1"], clientPort: 2181 });
      try {
        const start = Date.now();
        const error = await getEnsemble({
          exhibitor: { hosts: ["127.0.0.1"], port: fake.port, retries: 0, timeoutMs: 500 },
        }).then(
          () => undefined,
          (err: Error) => err.message,
        );
        expect(error).toMatch(/no Exhibitor host answered with a usable server list/);
        expect(error).toContain("exhibitor.hosts");
        expect(Date.now() - start).toBeLessThan(5000);
      } finally {
        await fake.close();
      }
    },
  );
});

describe("bad resources through pulumi preview", () => {
  let raw: ZkClient;
  const root = randomRoot("hostile");
  // The example reads `@file:` values from files: config reaches a program in one environment
  // variable, which cannot carry a megabyte.
  const hugeFile = path.join(os.tmpdir(), `pzk-fault-huge-${process.pid}.txt`);

  beforeAll(async () => {
    raw = await checkingClient(connectString());
    fs.writeFileSync(hugeFile, "h".repeat(1_100_000));
  });

  afterAll(() => {
    fs.rmSync(hugeFile, { force: true });
    raw?.close();
  });

  /** Previews a program of these resources; it must fail, print no stack trace and write nothing. */
  async function failedPreview(resources: unknown[]): Promise<string> {
    const stack = await faultStack("fault-resources", {
      "zookeeper:connectString": connectString(),
      "fault-resources:resources": JSON.stringify(resources),
    });
    try {
      const before = await snapshotTree(raw, "/zookeeper");
      const preview = await stack.pulumi(["preview", "--non-interactive"]);
      const out = printed(preview);
      expect(preview.code).not.toBe(0);
      expect(stackTraceLines(out)).toEqual([]);
      expect(await raw.exists(root)).toBeUndefined();
      expect(await snapshotTree(raw, "/zookeeper")).toEqual(before);
      return out;
    } finally {
      await stack.discard();
    }
  }

  it("a program with bad resources fails, naming each property, and writes nothing", async () => {
    // The engine stops at the first resource that fails check, so the bad properties share one resource.
    const out = await failedPreview([
      { kind: "ZkNode", name: "fine", args: { path: `${root}/fine`, data: "ok", createParents: true } },
      { kind: "ZkChroot", name: "app", args: { path: `${root}/app`, children: { config: "x" } } },
      {
        kind: "ZkServiceRegistration",
        name: "bad",
        args: {
          basePath: "services",
          service: "a/b",
          address: "10.0.0.1",
          port: 70000,
          acl: [{ scheme: "world", id: "anyone", perms: "rwx" }],
        },
      },
    ]);
    for (const expected of [
      "property basePath value {services} has a problem: path 'services' must start with '/'",
      "property service value {a/b} has a problem: service name 'a/b' must be a single path component",
      "property port value {70000} has a problem: must be a port from 1 to 65535",
      "has a problem: perms 'rwx' has 'x', which is not one of 'rwcda'",
    ])
      expect(out).toContain(expected);
    recordFigures("6-hostile-input", { preview: "resources", badProperties: 4, written: 0 });
  });

  it.each([
    [
      "a reserved path",
      { kind: "ZkNode", name: "reserved", args: { path: "/zookeeper/mine" } },
      "property path value",
    ],
    [
      "oversize data",
      { kind: "ZkNode", name: "huge", args: { path: `${root}/huge`, data: `@file:${hugeFile}` } },
      "has a problem: data is 1100000 bytes",
    ],
    [
      "an escaping chroot child",
      { kind: "ZkChroot", name: "escaping", args: { path: `${root}/app`, children: { "../etc": "x" } } },
      "relative path '../etc' must not contain a '..' component",
    ],
    [
      "a chroot under /zookeeper in the connect string",
      {
        kind: "ZkNode",
        name: "reservedchroot",
        args: { path: `${root}/x`, connectString: `${connectString()}/zookeeper` },
      },
      "which ZooKeeper reserves for itself: this resource would write /zookeeper",
    ],
    [
      "a registration whose address is over jute.maxbuffer",
      {
        kind: "ZkServiceRegistration",
        name: "hugeaddress",
        args: { basePath: `${root}/services`, service: "api", address: `@file:${hugeFile}`, port: 80 },
      },
      "address is its largest part",
    ],
    [
      "an emoji in a chroot child",
      {
        kind: "ZkChroot",
        name: "emoji",
        args: { path: `${root}/app`, children: { "smile-\u{1F600}": "x" } },
      },
      "ZooKeeper refuses characters outside the Basic Multilingual Plane",
    ],
    [
      "two ensemble sources",
      {
        kind: "ZkEnsembleLookup",
        name: "twosources",
        args: { seed: connectString(), servers: ["zk1:2181"] },
      },
      "exhibitor: give exactly one of exhibitor, seed or servers, not seed and servers",
    ],
  ])("%s fails the preview with a clear message", async (what, resource, expected) => {
    const out = await failedPreview([resource]);
    expect(out).toContain(expected);
    recordFigures("6-hostile-input", { preview: what, written: 0 });
  });
});
