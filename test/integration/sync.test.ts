/**
 * `ZkClient.sync` is ZooKeeper's own sync request: reads that follow it see every write committed
 * before it, and it stays a read: no transaction, no write quorum, no permission on any znode.
 */
import { type AclEntry } from "../../provider/core/acl";
import { readZnode } from "../../provider/runtime/record";
import { pool } from "../../provider/runtime";
import { type SessionOptions, ZkClient } from "../../provider/zk/client";
import { type Ensemble, fourLetter, startEnsemble, stopEnsemble } from "../../scripts/ensemble";
import { connectString, rawClient, randomRoot, removeTree } from "../support/zk";

const OPEN: AclEntry[] = [{ scheme: "world", id: "anyone", perms: "rwcda" }];
const TIMEOUTS = { sessionTimeoutMs: 6000, connectTimeoutMs: 10_000, requestTimeoutMs: 10_000 };
const members = () => connectString().split(",");

const sessions: ZkClient[] = [];
async function session(options: Partial<SessionOptions> & { connectString: string }): Promise<ZkClient> {
  const client = await ZkClient.connect({ ...TIMEOUTS, ...options });
  sessions.push(client);
  return client;
}

let raw: ZkClient;
const root = randomRoot("sync");

beforeAll(async () => {
  raw = await rawClient();
  await raw.create(root, Buffer.from(""), OPEN);
});

afterAll(async () => {
  for (const s of sessions) s.close();
  await pool().closeAll();
  if (raw) await removeTree(raw, root);
  raw?.close();
});

describe("ZkClient.sync on the shared ensemble", () => {
  it("returns the zxid the member has applied, for any path, also under a chroot that does not exist", async () => {
    const client = await session({ connectString: members()[0] });
    const zxid = await client.sync();
    expect(zxid).toMatch(/^[1-9]\d*$/);
    expect(BigInt(await client.sync(`${root}/no/such/znode`))).toBeGreaterThanOrEqual(BigInt(zxid));
    const chrooted = await session({ connectString: `${members()[0]}${root}/no-such-chroot` });
    expect(await chrooted.sync()).toMatch(/^[1-9]\d*$/);
  });

  it("a session on one member writes, a session on another syncs and reads the write", async () => {
    const [first, second] = members() as [string, string];
    const writer = await session({ connectString: first });
    const reader = await session({ connectString: second });
    const path = `${root}/across`;
    await writer.create(path, Buffer.from("0"), OPEN);
    for (let i = 1; i <= 20; i++) {
      const written = await writer.setData(path, Buffer.from(String(i)), i - 1);
      const synced = await reader.sync(path);
      expect(BigInt(synced)).toBeGreaterThanOrEqual(BigInt(written.mzxid));
      const got = await reader.getData(path);
      expect(got.data.toString()).toBe(String(i));
    }
  });

  it("needs no permission: a session whose chroot it may not read syncs, and the provider reads through it", async () => {
    // The chroot lets everyone create children and nothing else; the znode under it is readable.
    const chroot = `${root}/unreadable`;
    await raw.create(chroot, Buffer.from(""), [{ scheme: "world", id: "anyone", perms: "cd" }]);
    await raw.create(`${chroot}/app`, Buffer.from("config"), OPEN);
    const cs = `${connectString()}${chroot}`;
    const client = await session({ connectString: cs });
    await expect(client.getData("/")).rejects.toThrow("NO_AUTH");
    expect(await client.sync()).toMatch(/^[1-9]\d*$/);
    try {
      const found = await readZnode({ connectString: cs, sessionTimeoutMs: 6000 }, "/app");
      expect(found?.data.toString()).toBe("config");
    } finally {
      // Listing the chroot needs READ, so the cleanup's tree walk could not: remove it here.
      await raw.remove(`${chroot}/app`, -1);
      await raw.remove(chroot, -1);
    }
  });
});

describe("ZkClient.sync on an ensemble of its own", () => {
  let ensemble: Ensemble;

  beforeAll(async () => {
    ensemble = await startEnsemble({ size: 1 });
  }, 120_000);

  afterAll(async () => {
    if (ensemble) await stopEnsemble(ensemble);
  });

  /** The member's last applied zxid, from `srvr`: it moves with every transaction, sessions' included. */
  async function lastZxid(): Promise<bigint> {
    const port = ensemble.members[0]?.clientPort;
    const text = await fourLetter("127.0.0.1", port, "srvr");
    const hex = /^Zxid: (0x[0-9a-f]+)$/m.exec(text)?.[1];
    if (!hex) throw new Error(`no Zxid in srvr's answer:\n${text}`);
    return BigInt(hex);
  }

  it("commits no transaction: the ensemble's zxid stays where it was", async () => {
    const client = await session({ connectString: ensemble.connectString });
    await client.create("/before", Buffer.from(""), OPEN);
    const before = await lastZxid();
    for (let i = 0; i < 20; i++) expect(BigInt(await client.sync())).toBe(before);
    expect(await lastZxid()).toBe(before);
    // The member still counts transactions: the next write commits under the next zxid.
    const stat = await client.setData("/before", Buffer.from("x"), 0);
    expect(BigInt(stat.mzxid)).toBe(before + 1n);
  });
});
