import {
  formatConnectString,
  parseConnectString,
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
