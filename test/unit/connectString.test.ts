import * as fc from "fast-check";
import {
  formatConnectString,
  parseConnectString,
  sameEnsembleTarget,
  sortServers,
  withChroot,
} from "../../provider/core/connectString";

describe("connect strings", () => {
  it("parses hosts, ports, IPv6 and a chroot", () => {
    expect(parseConnectString("h1:2181,h2:2182/apps/x")).toEqual({
      servers: [
        { host: "h1", port: 2181 },
        { host: "h2", port: 2182 },
      ],
      chroot: "/apps/x",
    });
    expect(parseConnectString("[::1]:2181,zk")).toEqual({
      servers: [
        { host: "::1", port: 2181 },
        { host: "zk", port: 2181 },
      ],
    });
  });

  it.each([
    ["", "must not be empty"],
    ["h1:2181,,h2:2181", "empty host entry"],
    ["h1:0", "port is not a number from 1 to 65535"],
    ["h1:70000", "port is not a number"],
    ["h1:abc", "port is not a number"],
    ["::1:2181", "brackets"],
    ["[::1", "unclosed"],
    ["h1:2181/a//b", "empty component"],
  ])("rejects %j", (cs, why) => {
    const parsed = parseConnectString(cs);
    expect("problem" in parsed && parsed.problem).toContain(why);
  });

  it("formats sorted and chrooted connect strings", () => {
    const servers = sortServers([
      { host: "b", port: 2 },
      { host: "a", port: 9 },
      { host: "a", port: 1 },
      { host: "::1", port: 5 },
    ]);
    expect(formatConnectString(servers, "/x")).toBe("[::1]:5,a:1,a:9,b:2/x");
    expect(withChroot("h1:2181,h2:2181", "/apps/x")).toBe("h1:2181,h2:2181/apps/x");
    expect(withChroot("h1:2181/base", "/apps/x")).toBe("h1:2181/base/apps/x");
  });
});

describe("sameEnsembleTarget", () => {
  const server = fc.record({
    host: fc.constantFrom("zk1", "ZK2.example", "10.0.0.7", "::1", "fe80::2"),
    port: fc.integer({ min: 1, max: 65535 }),
  });
  const chroot = fc.option(fc.constantFrom("/apps", "/apps/x", "/a"), { nil: undefined });

  it("holds for the same members in any order and host case, with the same chroot", () => {
    fc.assert(
      fc.property(
        fc.array(server, { minLength: 1, maxLength: 5 }),
        chroot,
        fc.integer(),
        (servers, root, seed) => {
          const shuffled = [...servers]
            .sort(() => (seed % 3) - 1)
            .map((s) => ({ ...s, host: s.host.toUpperCase() }));
          expect(
            sameEnsembleTarget(formatConnectString(servers, root), formatConnectString(shuffled, root)),
          ).toBe(true);
        },
      ),
    );
  });

  it("fails for another member set or another chroot", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(server, {
          minLength: 2,
          maxLength: 5,
          selector: (s) => `${s.host.toLowerCase()}:${s.port}`,
        }),
        chroot,
        chroot,
        (servers, a, b) => {
          const all = formatConnectString(servers, a);
          expect(sameEnsembleTarget(all, formatConnectString(servers.slice(1), a))).toBe(false);
          expect(sameEnsembleTarget(all, formatConnectString(servers, b))).toBe(a === b);
        },
      ),
    );
  });

  it("reads a missing port as the default one", () => {
    expect(sameEnsembleTarget("zk1,zk2:2181", "zk2,zk1:2181")).toBe(true);
  });
});
