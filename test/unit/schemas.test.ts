import { digestAclId } from "../../provider/core/acl";
import {
  ZK_CHROOT_DEFAULTS,
  ZK_NODE_DEFAULTS,
  MAX_DATA_BYTES,
  MAX_REQUEST_BYTES,
  stackTargetFailures,
  ZK_SERVICE_REGISTRATION_DEFAULTS,
  zkChrootInputs,
  zkNodeInputs,
  zkServiceRegistrationInputs,
} from "../../provider/core/schemas";
import { type CheckFailure, UNKNOWN, validate } from "../../provider/core/validation";
import { seededRandom } from "../support/random";

const checkNode = (news: Record<string, unknown>) => validate(zkNodeInputs, news, ZK_NODE_DEFAULTS);
const checkChroot = (news: Record<string, unknown>) => validate(zkChrootInputs, news, ZK_CHROOT_DEFAULTS);
const checkReg = (news: Record<string, unknown>) =>
  validate(zkServiceRegistrationInputs, news, ZK_SERVICE_REGISTRATION_DEFAULTS);

function failureOf(failures: CheckFailure[], property: string): string {
  const f = failures.find((x) => x.property === property);
  if (!f) throw new Error(`no failure for ${property}: ${JSON.stringify(failures)}`);
  return f.reason;
}

describe("ZkNode inputs", () => {
  it("normalizes defaults", () => {
    const { inputs, failures } = checkNode({ path: "/a", data: "x", __provider: "serialized" });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      path: "/a",
      data: "x",
      sequential: false,
      createParents: false,
      adopt: false,
    });
  });

  it.each([
    [{ path: "a" }, "path", "must start with '/'"],
    [{ path: "/a/" }, "path", "must not end with '/'"],
    [{ path: "/a/../b" }, "path", "'..' component"],
    [{ path: "/zookeeper/quota/x" }, "path", "reserves for itself"],
    [{ path: "/a", data: "x", dataBase64: "eA==" }, "dataBase64", "not both"],
    [{ path: "/a", dataBase64: "not base64!" }, "dataBase64", "standard base64"],
    [{ path: "/a", data: "x".repeat(1_048_488) }, "data", "jute.maxbuffer"],
    [{ path: "/a", acl: [] }, "acl", "at least one entry"],
    [{ path: "/a", acl: [{ scheme: "world", id: "anyone", perms: "rwz" }] }, "acl[0].perms", "'z'"],
    [
      { path: "/a", acl: [{ scheme: "kerberos", id: "x", perms: "r" }] },
      "acl[0].scheme",
      "scheme must be one of",
    ],
    [{ path: "/a", acl: [{ scheme: "digest", id: "bob:secret", perms: "r" }] }, "acl[0].id", "digestAclId"],
    [{ path: "/a", acl: [{ scheme: "world", id: "someone", perms: "r" }] }, "acl[0].id", "'anyone'"],
    [{ path: "/a", sequential: "yes" }, "sequential", "must be boolean"],
    [{ path: "/a", connectString: "h:99999" }, "connectString", "from 1 to 65535"],
    [{ path: "/a", colour: "red" }, "colour", "unknown property colour"],
    [{}, "path", "path is required"],
  ])("rejects %j at %s", (news, property, why) => {
    expect(failureOf(checkNode(news).failures, property)).toContain(why);
  });

  it("accepts a digest ACL built by digestAclId", () => {
    const acl = [{ scheme: "digest", id: digestAclId("bob", "secret"), perms: "rwcda" }];
    expect(checkNode({ path: "/a", acl }).failures).toEqual([]);
  });

  it("lets unknown (preview-time) values pass and keeps them", () => {
    const { inputs, failures } = checkNode({
      path: UNKNOWN,
      data: UNKNOWN,
      acl: [{ scheme: "world", id: UNKNOWN, perms: "r" }],
    });
    expect(failures).toEqual([]);
    expect(inputs.path).toBe(UNKNOWN);
    expect(inputs.sequential).toBe(false);
  });

  it("still judges the known values next to unknown ones", () => {
    const { failures } = checkNode({ path: "/bad/", data: UNKNOWN });
    expect(failureOf(failures, "path")).toContain("must not end with '/'");
  });
});

describe("ZkChroot inputs", () => {
  it("adds implicit parents of nested children, sorted", () => {
    const { inputs, failures } = checkChroot({ path: "/apps/x", children: { "config/db": "url", z: "1" } });
    expect(failures).toEqual([]);
    expect(inputs.children).toEqual({ config: "", "config/db": "url", z: "1" });
    expect(inputs.deletePolicy).toBe("refuse");
  });

  it.each([
    [{ path: "/" }, "path", "cannot be the root"],
    [{ path: "/a", children: { "/abs": "x" } }, "children./abs", "must not start with '/'"],
    [{ path: "/a", children: { "a//b": "x" } }, "children.a//b", "empty component"],
    [{ path: "/a", deletePolicy: "force" }, "deletePolicy", "refuse, recursive or retain"],
    [{ path: "/a", children: { big: "x".repeat(1_100_000) } }, "children", "jute.maxbuffer"],
  ])("rejects %j at %s", (news, property, why) => {
    expect(failureOf(checkChroot(news).failures, property)).toContain(why);
  });
});

describe("ZkServiceRegistration inputs", () => {
  const ok = { service: "web", address: "10.0.0.5", port: 8080 };

  it("normalizes defaults", () => {
    const { inputs, failures } = checkReg(ok);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      basePath: "/services",
      format: "curator",
      additionalEndpoints: {},
      metadata: {},
    });
  });

  it.each([
    [{ ...ok, service: "a/b" }, "service", "single path component"],
    [{ ...ok, service: "" }, "service", "must not be empty"],
    [{ ...ok, service: ".." }, "service", "'..'"],
    [{ ...ok, port: 0 }, "port", "1 to 65535"],
    [{ ...ok, port: 65536 }, "port", "1 to 65535"],
    [{ ...ok, port: 80.5 }, "port", "whole number"],
    [{ ...ok, sslPort: -1 }, "sslPort", "1 to 65535"],
    [{ service: "web", address: "h" }, "port", "port is required"],
    [{ ...ok, address: "" }, "address", "must not be empty"],
    [{ ...ok, address: "a b" }, "address", "spaces"],
    [{ ...ok, format: "eureka" }, "format", "curator, serverset or json"],
    [{ ...ok, basePath: "services" }, "basePath", "must start with '/'"],
    [{ ...ok, id: "x/y" }, "id", "single path component"],
    [{ ...ok, format: "json", payload: [1] }, "payload", "must be an object"],
    [{ ...ok, format: "serverset", payloadClass: "a.B" }, "payloadClass", "curator format only"],
    [{ ...ok, payloadClass: "a.B", payload: "text" }, "payloadClass", "object payload"],
    [
      { ...ok, additionalEndpoints: { admin: { host: "h", port: 0 } } },
      "additionalEndpoints.admin.port",
      "1 to 65535",
    ],
    [{ ...ok, shard: -1 }, "shard", "0 or more"],
    [{ ...ok, enabled: "no" }, "enabled", "must be boolean"],
    [{ ...ok, format: "json", payload: { enabled: false } }, "payload", "set the enabled input instead"],
  ])("rejects %j at %s", (news, property, why) => {
    expect(failureOf(checkReg(news).failures, property)).toContain(why);
  });

  it("accepts curator with sslPort alone", () => {
    expect(checkReg({ service: "web", address: "h", sslPort: 8443 }).failures).toEqual([]);
  });
});

const OPEN = [{ scheme: "world", id: "anyone", perms: "rwcda" }];

describe("writes into /zookeeper through a chroot or basePath + service", () => {
  const reg = { service: "web", address: "10.0.0.5", port: 8080 };

  it.each([
    ["ZkNode", () => checkNode({ path: "/x", connectString: "h:2181/zookeeper" })],
    [
      "ZkNode, deeper chroot",
      () => checkNode({ path: "/x", connectString: "h1:2181,h2:2181/zookeeper/quota" }),
    ],
    ["ZkChroot", () => checkChroot({ path: "/app", connectString: "h:2181/zookeeper" })],
    ["ZkServiceRegistration", () => checkReg({ ...reg, connectString: "h:2181/zookeeper" })],
  ])("%s: refused at connectString, naming the effective path", (_, run) => {
    const reason = failureOf(run().failures, "connectString");
    expect(reason).toContain("chroot '/zookeeper");
    expect(reason).toContain("reserves for itself");
    expect(reason).toMatch(/would write \/zookeeper(\/quota)?\/(x|app|services\/web)/);
  });

  it("refuses service 'zookeeper' under basePath '/'", () => {
    const reason = failureOf(checkReg({ ...reg, basePath: "/", service: "zookeeper" }).failures, "service");
    expect(reason).toContain("/zookeeper, which ZooKeeper reserves");
  });

  it.each([
    ["a chroot that only starts with the name", { path: "/x", connectString: "h:2181/zookeeperish" }],
    ["a path named like it below the root", { path: "/apps/zookeeper" }],
  ])("accepts %s", (_, news) => {
    expect(checkNode(news).failures).toEqual([]);
  });

  it("accepts service 'zookeeper' under another basePath", () => {
    expect(checkReg({ ...reg, service: "zookeeper" }).failures).toEqual([]);
  });

  it("judges the stack's connect string for resources without their own", () => {
    const node = checkNode({ path: "/x" }).inputs as Record<string, unknown>;
    const failures = stackTargetFailures("ZkNode", node, "h:2181/zookeeper");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.property).toBe("connectString");
    expect(failures[0]?.reason).toContain("zookeeper:connectString 'h:2181/zookeeper'");
    expect(stackTargetFailures("ZkNode", node, "h:2181/apps")).toEqual([]);
    expect(stackTargetFailures("ZkNode", { ...node, connectString: "h:2181" }, "h:2181/zookeeper")).toEqual(
      [],
    );
    const chroot = checkChroot({ path: "/app" }).inputs as Record<string, unknown>;
    expect(stackTargetFailures("ZkChroot", chroot, "h:2181/zookeeper")[0]?.property).toBe("connectString");
    const registration = checkReg(reg).inputs as Record<string, unknown>;
    expect(stackTargetFailures("ZkServiceRegistration", registration, "h:2181/zookeeper")[0]?.property).toBe(
      "connectString",
    );
  });
});

describe("the stack's connect string during preview", () => {
  it("judges no rule on values not known yet", () => {
    const node = { path: "/x", acl: UNKNOWN, data: UNKNOWN, createParents: true, sequential: false };
    expect(stackTargetFailures("ZkNode", node, "h:2181/apps")).toEqual([]);
    const chroot = { path: "/x", data: "", acl: UNKNOWN, children: UNKNOWN };
    expect(stackTargetFailures("ZkChroot", chroot, "h:2181/apps")).toEqual([]);
    const registration = {
      service: "a",
      address: UNKNOWN,
      port: UNKNOWN,
      basePath: "/s",
      format: "curator",
      acl: UNKNOWN,
    };
    expect(stackTargetFailures("ZkServiceRegistration", registration, "h:2181/apps")).toEqual([]);
  });
});

describe("characters outside the Basic Multilingual Plane", () => {
  const astral = ["\u{1F600}", "\u{10000}", "\u{1D11E}", "\u{10FFFF}", "\u{20000}"];
  const reg = { service: "web", address: "10.0.0.5", port: 8080 };

  it.each(astral)("%s is refused in every path-like input, naming the property", (ch) => {
    expect(failureOf(checkNode({ path: `/a${ch}` }).failures, "path")).toContain("Basic Multilingual Plane");
    expect(failureOf(checkChroot({ path: `/a${ch}b` }).failures, "path")).toContain(
      "Basic Multilingual Plane",
    );
    expect(
      failureOf(checkChroot({ path: "/a", children: { [`c${ch}`]: "" } }).failures, `children.c${ch}`),
    ).toContain("Basic Multilingual Plane");
    expect(failureOf(checkReg({ ...reg, service: `s${ch}` }).failures, "service")).toContain(
      "Basic Multilingual Plane",
    );
    expect(failureOf(checkReg({ ...reg, id: `i${ch}` }).failures, "id")).toContain(
      "Basic Multilingual Plane",
    );
    expect(failureOf(checkReg({ ...reg, basePath: `/b${ch}` }).failures, "basePath")).toContain(
      "Basic Multilingual Plane",
    );
  });

  it("names the code point in the reason", () => {
    expect(failureOf(checkNode({ path: "/smile-\u{1F600}" }).failures, "path")).toContain("U+1F600");
  });
});

describe("request sizes against jute.maxbuffer", () => {
  it("accepts data up to the largest a Java client can read back, and refuses one byte more", () => {
    expect(checkNode({ path: "/a", data: "x".repeat(MAX_DATA_BYTES), acl: OPEN }).failures).toEqual([]);
    const reason = failureOf(
      checkNode({ path: "/a", data: "x".repeat(MAX_DATA_BYTES + 1) }).failures,
      "data",
    );
    expect(reason).toContain(`data is ${MAX_DATA_BYTES + 1} bytes`);
    expect(reason).toContain("split it over several znodes");
  });

  it("counts the path, the parents to create and the ACL, not only the data", () => {
    const path = "/" + Array.from({ length: 400 }, (_, i) => `level-${i}`.padEnd(40, "x")).join("/");
    const data = "d".repeat(MAX_DATA_BYTES - 20_000);
    expect(checkNode({ path, data }).failures).toEqual([]);
    const reason = failureOf(checkNode({ path, data, createParents: true }).failures, "path");
    expect(reason).toMatch(/takes a request of \d+ bytes/);
    const acl = Array.from({ length: 1100 }, (_, i) => ({
      scheme: "x509",
      id: `CN=client-${i},O=${"o".repeat(1000)}`,
      perms: "r",
    }));
    expect(failureOf(checkNode({ path: "/a", data: "small", acl }).failures, "acl")).toContain(
      "fewer or shorter entries",
    );
  });

  it("counts the chroot of the connect string in every path", () => {
    const children = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`c${i}`, "v".repeat(900)]));
    const acl = OPEN;
    expect(checkChroot({ path: "/app", children, acl }).failures).toEqual([]);
    const long = "/" + "r".repeat(200);
    const reason = failureOf(
      checkChroot({ path: "/app", children, acl, connectString: `h:2181${long}` }).failures,
      "children",
    );
    expect(reason).toContain("prime fewer or smaller children");
  });

  it.each([
    ["address", { address: "a".repeat(1_100_000) }],
    ["uriSpec", { uriSpec: "u".repeat(1_100_000) }],
    ["payload", { payload: { blob: "p".repeat(1_100_000) } }],
    ["metadata", { format: "serverset", metadata: { m: "m".repeat(1_100_000) } }],
    ["address", { address: "a".repeat(600_000), uriSpec: "u".repeat(500_000) }],
  ])("a registration too large is refused at its largest part, %s", (property, extra) => {
    const news = { service: "web", address: "10.0.0.5", port: 8080, ...extra };
    const reason = failureOf(checkReg(news).failures, property);
    expect(reason).toContain("jute.maxbuffer");
    expect(reason).toContain(`${property} is its largest part`);
    expect(reason.length).toBeLessThan(1000);
  });

  it("finds the exact boundary of a chroot's transaction (generated sizes)", () => {
    const next = seededRandom(12);
    for (let round = 0; round < 20; round++) {
      const count = 1 + Math.floor(next() * 200);
      const children: Record<string, string> = {};
      for (let i = 0; i < count; i++) children[`c${i}`] = "";
      const fits = (extra: number) =>
        checkChroot({ path: "/app", children: { ...children, last: "z".repeat(extra) }, acl: OPEN }).failures
          .length === 0;
      let lo = 0;
      let hi = MAX_REQUEST_BYTES;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(mid)) lo = mid;
        else hi = mid - 1;
      }
      // The largest that fits makes a request of exactly jute.maxbuffer bytes.
      const ops = count + 2;
      const pathBytes =
        4 +
        "/app".length +
        Object.keys(children).reduce((n, k) => n + 4 + `/app/${k}`.length, 0) +
        4 +
        "/app/last".length;
      const aclBytes = 4 + 4 + 4 + "world".length + 4 + "anyone".length;
      const request = 8 + 9 + ops * (9 + 4 + 4) + pathBytes + ops * aclBytes + lo;
      expect(request).toBe(MAX_REQUEST_BYTES);
    }
  });
});

describe("malformed inputs of the last kind", () => {
  const reg = { service: "web", address: "10.0.0.5", port: 8080 };

  it("refuses a chroot child named ''", () => {
    const reason = failureOf(checkChroot({ path: "/a", children: { "": "x" } }).failures, "children");
    expect(reason).toContain("child name '' must not be empty");
  });

  it.each([
    "10.0.0.1",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "255.255.255.255/32",
    "fd00::1",
    "fd00::/8",
    "::/0",
    "::ffff:10.0.0.1/128",
  ])("accepts ip ACL id %s", (id) => {
    expect(checkNode({ path: "/a", acl: [{ scheme: "ip", id, perms: "r" }] }).failures).toEqual([]);
  });

  it.each([
    "host.example.com",
    "10.0.0",
    "10.0.0.256",
    "10.0.0.1/33",
    "10.0.0.1/",
    "10.0.0.1/8/8",
    "10.0.0.1/x",
    "fd00::/129",
    "fe80::1%eth0",
    "*",
    "10.0.0.*",
  ])("refuses ip ACL id %s at acl[0].id", (id) => {
    const reason = failureOf(
      checkNode({ path: "/a", acl: [{ scheme: "ip", id, perms: "r" }] }).failures,
      "acl[0].id",
    );
    expect(reason).toContain(`ip ACL id '${id}'`);
    expect(reason).toContain("IPv4 or IPv6 address or CIDR block");
  });

  it("refuses generated non-address ip ids and accepts generated addresses", () => {
    const next = seededRandom(7);
    const octet = () => Math.floor(next() * 256);
    for (let i = 0; i < 300; i++) {
      const address = `${octet()}.${octet()}.${octet()}.${octet()}`;
      const bits = Math.floor(next() * 40);
      const id = `${address}/${bits}`;
      const failures = checkNode({ path: "/a", acl: [{ scheme: "ip", id, perms: "r" }] }).failures;
      expect(failures.length === 0).toBe(bits <= 32);
      const mangled = address.replace(/\./, [":", "..", ".x", ""][i % 4]);
      expect(
        checkNode({ path: "/a", acl: [{ scheme: "ip", id: mangled, perms: "r" }] }).failures,
      ).not.toEqual([]);
    }
  });

  it.each([
    ["{scheme://{address}", "inside the variable opened at character 1"],
    ["{scheme}://{address", "never closed"],
    ["{scheme}://address}", "without a '{' before it"],
    ["{scheme}://{adress}:{port}", "unknown variable {adress}"],
    ["{}://x", "unknown variable {}"],
  ])("refuses uriSpec %s", (uriSpec, why) => {
    const reason = failureOf(checkReg({ ...reg, uriSpec }).failures, "uriSpec");
    expect(reason).toContain(why);
    expect(reason).toContain("{registration-time-utc}");
  });

  it.each([
    "{scheme}://{address}:{port}/{name}/{id}",
    "https://{address}:{ssl-port}?t={registration-time-utc}&k={service-type}",
    "plain text",
    "",
  ])("accepts uriSpec %s", (uriSpec) => {
    expect(checkReg({ ...reg, uriSpec }).failures).toEqual([]);
  });

  it("accepts uriSpec variables that are payload fields", () => {
    expect(
      checkReg({ ...reg, uriSpec: "{scheme}://{address}/{zone}", payload: { zone: "a" } }).failures,
    ).toEqual([]);
    expect(failureOf(checkReg({ ...reg, uriSpec: "{zone}", payload: "a" }).failures, "uriSpec")).toContain(
      "{zone}",
    );
  });

  it("refuses a chroot ACL without create permission when it has children", () => {
    const acl = [{ scheme: "world", id: "anyone", perms: "rwda" }];
    const reason = failureOf(checkChroot({ path: "/a", acl, children: { x: "1" } }).failures, "acl");
    expect(reason).toContain("no entry the 'c' (create) permission");
    expect(reason).toContain("prime no children");
    expect(checkChroot({ path: "/a", acl }).failures).toEqual([]);
    const withC = [...acl, { scheme: "ip", id: "10.0.0.0/8", perms: "c" }];
    expect(checkChroot({ path: "/a", acl: withC, children: { x: "1" } }).failures).toEqual([]);
  });
});
