import { digestAclId } from "../../provider/core/acl";
import {
  ZK_CHROOT_DEFAULTS,
  ZK_NODE_DEFAULTS,
  ZK_SERVICE_REGISTRATION_DEFAULTS,
  zkChrootInputs,
  zkNodeInputs,
  zkServiceRegistrationInputs,
} from "../../provider/core/schemas";
import { CheckFailure, UNKNOWN, validate } from "../../provider/core/validation";

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
    [{ path: "/a", data: "x".repeat(1_048_000) }, "data", "jute.maxbuffer"],
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
  ])("rejects %j at %s", (news, property, why) => {
    expect(failureOf(checkReg(news).failures, property)).toContain(why);
  });

  it("accepts curator with sslPort alone", () => {
    expect(checkReg({ service: "web", address: "h", sslPort: 8443 }).failures).toEqual([]);
  });
});
