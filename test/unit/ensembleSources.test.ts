import {
  ENSEMBLE_LOOKUP_DEFAULTS,
  EXHIBITOR_DEFAULTS,
  ensembleLookupInputs,
  ensembleSource,
} from "../../provider/core/ensembleSources";
import { type CheckFailure, UNKNOWN, validate } from "../../provider/core/validation";

const check = (news: Record<string, unknown>) =>
  validate(ensembleLookupInputs, news, ENSEMBLE_LOOKUP_DEFAULTS);

function failureOf(failures: CheckFailure[], property: string): string {
  const f = failures.find((x) => x.property === property);
  if (!f) throw new Error(`no failure for ${property}: ${JSON.stringify(failures)}`);
  return f.reason;
}

describe("ensemble lookup inputs", () => {
  it("fills the exhibitor defaults", () => {
    const { inputs, failures } = check({ exhibitor: { hosts: ["ex1", "ex2"] }, __provider: "serialized" });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({ exhibitor: { hosts: ["ex1", "ex2"], ...EXHIBITOR_DEFAULTS } });
    expect(ensembleSource(inputs)).toBe("exhibitor");
  });

  it("keeps explicit exhibitor settings and normalises restPath", () => {
    const exhibitor = {
      hosts: ["[2001:db8::9]", "ex1.example"],
      port: 8443,
      restPath: "ops",
      https: true,
      backupConnectString: "zk1:2181,zk2:2181",
      timeoutMs: 100,
      retries: 0,
    };
    const { inputs, failures } = check({ exhibitor, chroot: "/apps/web" });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({ exhibitor: { ...exhibitor, restPath: "/ops/" }, chroot: "/apps/web" });
  });

  it("accepts a seed and static servers", () => {
    const seeded = check({ seed: "zk1:2181,[::1]:2182" });
    expect(seeded.failures).toEqual([]);
    expect(ensembleSource(seeded.inputs)).toBe("seed");
    const listed = check({ servers: ["zk1:2181", "zk2", "[2001:db8::1]:2181"], chroot: "/x" });
    expect(listed.failures).toEqual([]);
    expect(listed.inputs).toEqual({ servers: ["zk1:2181", "zk2", "[2001:db8::1]:2181"], chroot: "/x" });
    expect(ensembleSource(listed.inputs)).toBe("servers");
  });

  it.each([
    [{}, "exhibitor", "give exactly one of exhibitor, seed or servers"],
    [{ chroot: "/x" }, "exhibitor", "give exactly one of exhibitor, seed or servers"],
    [{ seed: "zk1:2181", servers: ["zk1:2181"] }, "exhibitor", "not seed and servers"],
    [
      { exhibitor: { hosts: ["ex"] }, seed: "zk1:2181", servers: ["zk1"] },
      "exhibitor",
      "not exhibitor and seed and servers",
    ],
    [{ exhibitor: { hosts: [] } }, "exhibitor.hosts", "at least one Exhibitor host"],
    [{ exhibitor: {} }, "exhibitor.hosts", "exhibitor.hosts is required"],
    [{ exhibitor: { hosts: ["ex1", ""] } }, "exhibitor.hosts[1]", "must not be empty"],
    [{ exhibitor: { hosts: ["ex1", "ex 2"] } }, "exhibitor.hosts[1]", "must not contain whitespace"],
    [{ exhibitor: { hosts: ["http://ex1:8080/"] } }, "exhibitor.hosts[0]", "not a URL"],
    [{ exhibitor: { hosts: ["ex1:8080"] } }, "exhibitor.hosts[0]", "set exhibitor.port"],
    [{ exhibitor: { hosts: [7] } }, "exhibitor.hosts[0]", "must be string, got number"],
    [{ exhibitor: { hosts: ["ex"], port: 0 } }, "exhibitor.port", "from 1 to 65535"],
    [{ exhibitor: { hosts: ["ex"], port: 65536 } }, "exhibitor.port", "from 1 to 65535"],
    [{ exhibitor: { hosts: ["ex"], port: 80.5 } }, "exhibitor.port", "whole number"],
    [
      { exhibitor: { hosts: ["ex"], restPath: "/a?b" } },
      "exhibitor.restPath",
      "without whitespace, '?' or '#'",
    ],
    [{ exhibitor: { hosts: ["ex"], https: "yes" } }, "exhibitor.https", "must be boolean, got string"],
    [
      { exhibitor: { hosts: ["ex"], backupConnectString: "zk1:0" } },
      "exhibitor.backupConnectString",
      "1 to 65535",
    ],
    [{ exhibitor: { hosts: ["ex"], timeoutMs: 99 } }, "exhibitor.timeoutMs", "from 100 to 60000"],
    [{ exhibitor: { hosts: ["ex"], timeoutMs: 60_001 } }, "exhibitor.timeoutMs", "from 100 to 60000"],
    [{ exhibitor: { hosts: ["ex"], retries: 11 } }, "exhibitor.retries", "from 0 to 10"],
    [{ exhibitor: { hosts: ["ex"], retries: -1 } }, "exhibitor.retries", "from 0 to 10"],
    [{ exhibitor: { hosts: ["ex"], retry: 1 } }, "exhibitor", "unknown property retry"],
    [{ seed: "" }, "seed", "must not be empty"],
    [{ seed: "zk1:99999" }, "seed", "from 1 to 65535"],
    [{ seed: "zk1:2181/apps" }, "seed", "give the chroot in the chroot property"],
    [{ servers: [] }, "servers", "at least one host:port"],
    [{ servers: ["zk1:2181", "zk2:x"] }, "servers[1]", "port is not a number from 1 to 65535"],
    [{ servers: ["zk1:2181", "::1:2181"] }, "servers[1]", "brackets"],
    [{ servers: ["zk1", ""] }, "servers[1]", "empty host entry"],
    [{ servers: "zk1:2181" }, "servers", "must be array, got string"],
    [{ seed: "zk1", chroot: "/" }, "chroot", "cannot be the root"],
    [{ seed: "zk1", chroot: "apps" }, "chroot", "must start with '/'"],
    [{ seed: "zk1", chroot: "/apps/" }, "chroot", "must not end with '/'"],
    [{ seed: "zk1", chroot: "/zookeeper/x" }, "chroot", "reserves"],
    [{ seed: "zk1", connectString: "zk1:2181" }, "connectString", "use seed"],
    [{ seed: "zk1", colour: "red" }, "colour", "unknown property colour"],
  ])("rejects %j at %s", (news, property, why) => {
    expect(failureOf(check(news).failures, property)).toContain(why);
  });

  it("takes a profile name for the seed's connection, and refuses an empty one", () => {
    expect(check({ seed: "zk1:2181", profile: "staging" })).toEqual({
      inputs: { seed: "zk1:2181", profile: "staging" },
      failures: [],
    });
    expect(failureOf(check({ seed: "zk1:2181", profile: "" }).failures, "profile")).toBe(
      "profile must not be empty",
    );
  });

  it("reports two sources next to a broken one", () => {
    const { failures } = check({ exhibitor: { hosts: [] }, seed: "zk1:2181" });
    expect(failureOf(failures, "exhibitor.hosts")).toContain("at least one");
    expect(failureOf(failures, "exhibitor")).toContain("not exhibitor and seed");
  });

  it("gives one message for the source count", () => {
    const { failures } = check({ seed: "zk1:2181", servers: ["zk1"] });
    expect(failures).toEqual([
      {
        property: "exhibitor",
        reason: "give exactly one of exhibitor, seed or servers, not seed and servers",
      },
    ]);
  });

  describe("unknown (preview-time) values", () => {
    it.each([
      [{ seed: UNKNOWN }],
      [{ servers: UNKNOWN }],
      [{ servers: [UNKNOWN, "zk2:2181"] }],
      [{ exhibitor: UNKNOWN }],
      [{ exhibitor: { hosts: UNKNOWN, port: UNKNOWN } }],
      [{ exhibitor: { hosts: ["ex", UNKNOWN], restPath: UNKNOWN, backupConnectString: UNKNOWN } }],
      [{ seed: "zk1:2181", chroot: UNKNOWN }],
      // An unknown source may resolve to undefined, so it cannot be judged as a second source yet.
      [{ seed: "zk1:2181", servers: UNKNOWN }],
      [{ seed: UNKNOWN, exhibitor: UNKNOWN }],
    ])("pass %j", (news) => {
      expect(check(news).failures).toEqual([]);
    });

    it("keep them in the inputs", () => {
      const { inputs } = check({ seed: UNKNOWN, chroot: "/apps" });
      expect(inputs).toEqual({ seed: UNKNOWN, chroot: "/apps" });
    });

    it("still judge the known values next to them", () => {
      const { failures } = check({ seed: UNKNOWN, chroot: "/apps/" });
      expect(failureOf(failures, "chroot")).toContain("must not end with '/'");
      const two = check({ seed: "zk1:2181", servers: ["zk1"], chroot: UNKNOWN });
      expect(failureOf(two.failures, "exhibitor")).toContain("not seed and servers");
    });
  });
});
