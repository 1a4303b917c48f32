/**
 * The input rules `check` applies to what would be written, proved against the real ensemble:
 * the characters ZooKeeper refuses in paths, and the request size it refuses (jute.maxbuffer).
 * A request just under the limit goes through the runtime and is accepted by the server; one just
 * over is refused by `check`, and nothing is written.
 */
import { MAX_DATA_BYTES, MAX_REQUEST_BYTES } from "../../provider/core/requests";
import { pathProblem } from "../../provider/core/paths";
import { pool, setConfig } from "../../provider/runtime/settings";
import { zkChroot } from "../../provider/runtime/zkChroot";
import { zkNode } from "../../provider/runtime/zkNode";
import { zkServiceRegistration } from "../../provider/runtime/zkServiceRegistration";
import { type ZkClient } from "../../provider/zk/client";
import { errorCode } from "../../provider/zk/errors";
import { checkWith } from "../support/runtime";
import {
  connectString,
  randomRoot,
  rawClient,
  removeTree,
  snapshotTree,
  useTestEnsemble,
} from "../support/zk";
import { seededRandom } from "../support/random";

jest.setTimeout(120_000);

const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];
let raw: ZkClient;
const root = randomRoot("hostile-writes");

beforeAll(async () => {
  useTestEnsemble();
  raw = await rawClient();
  await raw.create(root, Buffer.alloc(0), OPEN);
});
afterAll(async () => {
  await removeTree(raw, root);
  raw?.close();
  await pool().closeAll();
});

describe("the characters ZooKeeper refuses in a path", () => {
  it("are exactly those pathProblem refuses, for a sample of every class", async () => {
    // The edges of every refused range, astral code points (surrogate pairs), and a random sample.
    const units = [
      0x01, 0x09, 0x1f, 0x20, 0x2e, 0x7e, 0x7f, 0x85, 0x9f, 0xa0, 0xe9, 0x4e2d, 0xd7ff, 0xe000, 0xf8ff,
      0xf900, 0xfeff, 0xffef, 0xfff0, 0xfffd, 0xffff,
    ];
    const next = seededRandom(9);
    for (let i = 0; i < 60; i++) units.push(Math.floor(next() * 0x10000));
    const samples = units
      // Lone surrogates cannot travel as UTF-8; astral characters below send them as pairs.
      .filter((c) => c < 0xd800 || c > 0xdfff)
      .map((c) => String.fromCharCode(c));
    samples.push("\u{1F600}", "\u{10000}", "\u{10FFFF}", "\u{1D11E}");
    const disagreements: string[] = [];
    let refused = 0;
    for (const [i, ch] of samples.entries()) {
      const path = `${root}/c${i}-${ch}-x`;
      const server = await raw.create(path, Buffer.alloc(0), OPEN).then(
        () => "accepted",
        (err: unknown) => `refused (${errorCode(err)})`,
      );
      const ours = pathProblem(path) === undefined ? "accepted" : "refused (-8)";
      if (server !== ours)
        disagreements.push(`U+${ch.codePointAt(0)?.toString(16)}: server ${server}, check ${ours}`);
      if (server !== "accepted") refused++;
    }
    expect(disagreements).toEqual([]);
    // Both outcomes were exercised against the server.
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(samples.length - 10);
  });
});

describe("requests at jute.maxbuffer", () => {
  /** Children that, with the chroot and its ACL, make a create transaction of `bytes` bytes. */
  function chrootOf(path: string, bytes: number): Record<string, unknown> {
    const count = 100;
    const children: Record<string, string> = {};
    for (let i = 0; i < count; i++) children[`c${i}`] = "";
    const aclBytes = 4 + 4 + 4 + "world".length + 4 + "anyone".length;
    const ops = count + 2;
    const paths = [path, ...Object.keys(children).map((k) => `${path}/${k}`), `${path}/last`];
    const fixed = 8 + 9 + ops * (9 + 4 + 4 + 4 + aclBytes) + paths.reduce((n, p) => n + p.length, 0);
    return { path, acl: OPEN, children: { ...children, last: "z".repeat(bytes - fixed) } };
  }

  it("a chroot transaction of exactly jute.maxbuffer bytes passes check and the server accepts it", async () => {
    // At the top level: check counts the parents createParents might add, and "/" always exists.
    const path = randomRoot("fits");
    const { inputs, failures } = await checkWith(zkChroot, {}, chrootOf(path, MAX_REQUEST_BYTES));
    expect(failures).toEqual([]);
    const { id, outs } = await zkChroot.create(inputs);
    expect((await raw.getData(`${path}/last`)).data.length).toBeGreaterThan(1_000_000);
    await zkChroot.delete(id, outs);
    expect(await raw.exists(path)).toBeUndefined();
  });

  it("one byte more is refused by check, naming children, and nothing is written", async () => {
    // The engine stops at a failed check: the create never runs, so the chroot never appears.
    const path = randomRoot("over");
    const { failures } = await checkWith(zkChroot, {}, chrootOf(path, MAX_REQUEST_BYTES + 1));
    expect(failures ?? []).toHaveLength(1);
    expect(failures?.[0]?.property).toBe("children");
    expect(failures?.[0]?.reason).toContain(`takes a request of ${MAX_REQUEST_BYTES + 1} bytes`);
    expect(await raw.exists(path)).toBeUndefined();
  });

  it("a znode of the largest data check allows is written and read back whole", async () => {
    // A short path: the largest data leaves room in the request for little else.
    const path = randomRoot("m");
    const { inputs, failures } = await checkWith(
      zkNode,
      {},
      { path, data: "d".repeat(MAX_DATA_BYTES), acl: OPEN },
    );
    expect(failures).toEqual([]);
    const { id, outs } = await zkNode.create(inputs);
    expect((await raw.getData(path)).data.length).toBe(MAX_DATA_BYTES);
    await zkNode.delete(id, outs);
  });

  it("a registration with a 1.1 MB address is refused at address, not left in doubt", async () => {
    const basePath = `${root}/services`;
    const before = await snapshotTree(raw, root);
    const { failures } = await checkWith(
      zkServiceRegistration,
      {},
      { service: "api", address: "a".repeat(1_100_000), port: 80, basePath },
    );
    expect((failures ?? []).map((f) => f.property)).toEqual(["address"]);
    expect(failures?.[0]?.reason).toContain("jute.maxbuffer");
    expect(await snapshotTree(raw, root)).toEqual(before);
  });
});

describe("the stack's connect string", () => {
  afterAll(() => useTestEnsemble());

  it("with a chroot under /zookeeper makes check refuse writes, naming connectString", async () => {
    setConfig({ connectString: `${connectString()}/zookeeper`, sessionTimeoutMs: 6000 });
    const before = await snapshotTree(raw, "/zookeeper");
    const node = await zkNode.check({}, { path: "/mine", data: "x" });
    const registration = await zkServiceRegistration.check(
      {},
      { service: "api", address: "10.0.0.1", port: 80 },
    );
    const chroot = await zkChroot.check({}, { path: "/mine", children: { a: "1" } });
    for (const { failures } of [node, registration, chroot]) {
      expect((failures ?? []).map((f) => f.property)).toEqual(["connectString"]);
      expect(failures?.[0]?.reason).toContain("zookeeper:connectString");
    }
    expect(await snapshotTree(raw, "/zookeeper")).toEqual(before);
  });
});
