import { ensembleOutputs, parseZkConfig, uniqueSortedServers } from "../../provider/core/zkConfig";

type Parsed = ReturnType<typeof parseZkConfig>;

function servers(parsed: Parsed): Exclude<Parsed, { problem: string }> {
  if ("problem" in parsed) throw new Error(`expected servers, got problem: ${parsed.problem}`);
  return parsed;
}

function problemOf(parsed: Parsed): string {
  if (!("problem" in parsed)) throw new Error(`expected a problem, got ${JSON.stringify(parsed)}`);
  return parsed.problem;
}

describe("parseZkConfig", () => {
  it("reads a real ZooKeeper 3.8 config", () => {
    const text = [
      "server.1=127.0.0.1:34807:34808:participant;127.0.0.1:34804",
      "server.2=127.0.0.1:34809:34810:participant;127.0.0.1:34805",
      "server.3=127.0.0.1:34811:34812:participant;127.0.0.1:34806",
      "version=100000000",
    ].join("\n");
    expect(parseZkConfig(text)).toEqual({
      servers: [
        { host: "127.0.0.1", port: 34804 },
        { host: "127.0.0.1", port: 34805 },
        { host: "127.0.0.1", port: 34806 },
      ],
      version: "100000000",
      skipped: [],
    });
  });

  it("sorts by host and port and drops duplicates", () => {
    const text =
      "server.1=zk3:2888:3888;zk3:2181\nserver.2=zk1:2888:3888;zk1:2181\nserver.3=zk1:2889:3889;zk1:2181\n";
    expect(servers(parseZkConfig(text)).servers).toEqual([
      { host: "zk1", port: 2181 },
      { host: "zk3", port: 2181 },
    ]);
  });

  it("includes observers, since clients connect to them too", () => {
    const text = "server.1=zk1:2888:3888:participant;2181\nserver.4=zk4:2888:3888:observer;zk4:2181\n";
    expect(servers(parseZkConfig(text)).servers.map((s) => s.host)).toEqual(["zk1", "zk4"]);
  });

  it("uses the server's host for a bare client port", () => {
    expect(servers(parseZkConfig("server.1=zk1:2888:3888;2181")).servers).toEqual([
      { host: "zk1", port: 2181 },
    ]);
  });

  it.each(["0.0.0.0", "[::]", "[0:0:0:0:0:0:0:0]"])("replaces the wildcard client host %s", (wild) => {
    const text = `server.1=zk1.example:2888:3888:participant;${wild}:2181`;
    expect(servers(parseZkConfig(text)).servers).toEqual([{ host: "zk1.example", port: 2181 }]);
  });

  it("reads IPv6 quorum and client hosts in brackets", () => {
    const text = [
      "server.1=[2001:db8::1]:2888:3888:participant;[2001:db8::1]:2181",
      "server.2=[2001:db8::2]:2888:3888:participant;2181",
      "server.3=[2001:db8::3]:2888:3888:participant;[::]:2181",
      "version=2000000ab",
    ].join("\n");
    expect(parseZkConfig(text)).toEqual({
      servers: [
        { host: "2001:db8::1", port: 2181 },
        { host: "2001:db8::2", port: 2181 },
        { host: "2001:db8::3", port: 2181 },
      ],
      version: "2000000ab",
      skipped: [],
    });
  });

  it("uses a client host that differs from the quorum host", () => {
    const text = "server.1=10.0.0.1:2888:3888;zk1.public.example:2181";
    expect(servers(parseZkConfig(text)).servers).toEqual([{ host: "zk1.public.example", port: 2181 }]);
  });

  it("lists servers without a client address as skipped", () => {
    const text = "server.1=zk1:2888:3888:participant\nserver.2=zk2:2888:3888;2181\nserver.3=zk3:2888:3888;\n";
    expect(parseZkConfig(text)).toEqual({
      servers: [{ host: "zk2", port: 2181 }],
      skipped: ["server.1", "server.3"],
    });
  });

  it("may skip every server, leaving the fallback to the caller", () => {
    expect(parseZkConfig("server.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nversion=1")).toEqual({
      servers: [],
      version: "1",
      skipped: ["server.1", "server.2"],
    });
  });

  it("reads multi-address servers (ZooKeeper 3.6+) by their first host", () => {
    const text = "server.1=zk1a:2888:3888|zk1b:2889:3889:participant;2181";
    expect(servers(parseZkConfig(text)).servers).toEqual([{ host: "zk1a", port: 2181 }]);
  });

  it("ignores blank lines, comments, unknown keys and CRLF line ends", () => {
    const text =
      "\r\n# written by hand\r\nserver.1 = zk1:2888:3888 ; 2181\r\n\r\nsomething.else=1\r\nversion=a\r\n";
    expect(parseZkConfig(text)).toEqual({
      servers: [{ host: "zk1", port: 2181 }],
      version: "a",
      skipped: [],
    });
  });

  it.each([
    ["", "no server.N lines"],
    ["version=100000000", "no server.N lines"],
    ["server.1=zk1", "is not host:quorumPort:electionPort"],
    ["server.1=zk1:2888:3888:leader;2181", "role 'leader'"],
    ["server.1=zk1:2888:99999;2181", "quorum or election port"],
    ["server.1=zk1:2888:3888;zk1:0", "client port '0'"],
    ["server.1=zk1:2888:3888;zk1:x", "client port 'x'"],
    ["server.1=2001:db8::1:2888:3888;2181", "IPv6 hosts in brackets"],
    ["server.1=[2001:db8::1:2888:3888;2181", "unclosed '['"],
    ["server.1=zk1:2888:3888;2001:db8::1:2181", "IPv6 in brackets"],
    ["server.1=zk1:2888:3888;2181\nserver.1=zk2:2888:3888;2181", "server.1 twice"],
    ["server.1=zk1:2888:3888;2181\nversion=xyz", "version 'xyz'"],
  ])("rejects %j: %s", (text, why) => {
    expect(problemOf(parseZkConfig(text))).toContain(why);
  });

  it("names the offending line", () => {
    expect(problemOf(parseZkConfig("server.7=zk7:2888"))).toMatch(
      /^\/zookeeper\/config has server\.7=zk7:2888 that /,
    );
  });
});

describe("ensembleOutputs", () => {
  const members = [
    { host: "zk2", port: 2181 },
    { host: "2001:db8::1", port: 2181 },
    { host: "zk1", port: 2181 },
    { host: "zk2", port: 2181 },
  ];

  it("sorts, de-duplicates and formats", () => {
    expect(ensembleOutputs(members)).toEqual({
      servers: [
        { host: "2001:db8::1", port: 2181 },
        { host: "zk1", port: 2181 },
        { host: "zk2", port: 2181 },
      ],
      connectString: "[2001:db8::1]:2181,zk1:2181,zk2:2181",
      chrootedConnectString: "[2001:db8::1]:2181,zk1:2181,zk2:2181",
    });
  });

  it("appends the chroot to the chrooted variant only", () => {
    const out = ensembleOutputs(members, "/apps/web");
    expect(out.connectString).toBe("[2001:db8::1]:2181,zk1:2181,zk2:2181");
    expect(out.chrootedConnectString).toBe("[2001:db8::1]:2181,zk1:2181,zk2:2181/apps/web");
  });

  it("gives the same outputs for the same membership in any order", () => {
    expect(ensembleOutputs([...members].reverse())).toEqual(ensembleOutputs(members));
    expect(uniqueSortedServers([])).toEqual([]);
  });
});
