import * as fs from "fs";
import { setTimeout as sleep } from "timers/promises";
import {
  Ensemble,
  EnsembleMember,
  pauseMember,
  restartMember,
  resumeMember,
  startEnsemble,
  stopEnsemble,
  stopMember,
  waitForQuorum,
} from "../../scripts/ensemble";
import { ZkNodeInputs } from "../../provider/core/schemas";
import { checkEnsembleArgs } from "../../provider/lookups/api";
import { lookUpEnsemble } from "../../provider/lookups/ensemble";
import { readServiceInstances } from "../../provider/lookups/serviceInstances";
import { connectSession } from "../../provider/zk/pool";
import { pool, readConfig, setConfig, settingsFor, ProviderConfig } from "../../provider/runtime/settings";
import { zkNode } from "../../provider/runtime/zkNode";
import { TlsSettings } from "../../provider/zk/tls";
import {
  CLIENT_SUBJECT,
  makeTestCerts,
  removeTestCerts,
  TestCerts,
  tlsServerConfig,
} from "../support/tlsCerts";
import { randomRoot } from "../support/zk";

// TLS (issue 8): a 1-member ensemble of its own, serving TLS with client certificates required.
jest.setTimeout(120_000);

const SESSION_TIMEOUT_MS = 4000;
let certs: TestCerts;
let ensemble: Ensemble;
let secure: string;

function config(tls: TlsSettings): ProviderConfig {
  return { connectString: secure, sessionTimeoutMs: SESSION_TIMEOUT_MS, tls };
}

const read = (file: string) => fs.readFileSync(file, "utf8");
const good = (): TlsSettings => ({
  ca: read(certs.ca),
  cert: read(certs.client.cert),
  key: read(certs.client.key),
});

async function checked(news: Record<string, unknown>): Promise<ZkNodeInputs> {
  const { inputs, failures } = await zkNode.check({}, news);
  expect(failures).toEqual([]);
  return inputs as ZkNodeInputs;
}

async function dataAt(path: string): Promise<string | undefined> {
  return pool().run(settingsFor(undefined), `read ${path}`, async (client) => {
    const got = await client.getData(path).catch(() => undefined);
    return got?.data.toString();
  });
}

beforeAll(async () => {
  certs = makeTestCerts();
  ensemble = await startEnsemble({ size: 1, secureClientPort: true, extraConfig: tlsServerConfig(certs) });
  secure = ensemble.secureConnectString as string;
});
afterAll(async () => {
  await pool().closeAll();
  if (ensemble) await stopEnsemble(ensemble);
  if (certs) removeTestCerts(certs);
});
afterEach(async () => {
  await pool().closeAll();
});

describe("TLS to the secure client port", () => {
  it("creates, updates and deletes a ZkNode over mutual TLS, with config from PEM file paths", async () => {
    const cfg = readConfig(
      (key) =>
        ({
          connectString: secure,
          sessionTimeoutMs: String(SESSION_TIMEOUT_MS),
          tls: "true",
          tlsCa: certs.ca,
          tlsCert: certs.client.cert,
          tlsKey: certs.client.key,
        })[key],
    );
    expect(cfg.tls?.key).toContain("-----BEGIN PRIVATE KEY-----");
    setConfig(cfg);
    const path = randomRoot("tls");
    const { id, outs } = await zkNode.create(await checked({ path, data: "over tls" }));
    expect(await dataAt(path)).toBe("over tls");
    const updated = await zkNode.update(id, outs, await checked({ path, data: "v2" }));
    expect((updated.outs as Record<string, unknown>).version).toBe(1);
    expect(await dataAt(path)).toBe("v2");
    await zkNode.delete(id, updated.outs as Record<string, unknown>);
    expect(await dataAt(path)).toBeUndefined();
  });

  it("opens one-shot (lookup) sessions over TLS with connectSession", async () => {
    const client = await connectSession(
      { connectString: secure, sessionTimeoutMs: SESSION_TIMEOUT_MS, tls: good() },
      { allowReadOnly: true },
    );
    try {
      const config = (await client.getData("/zookeeper/config")).data.toString();
      expect(config).toContain(`;127.0.0.1:${ensemble.members[0].clientPort}`);
    } finally {
      client.close();
    }
  });

  // Needs fromSeed and readServiceInstances to open their sessions with connectSession(s, { allowReadOnly: true }).
  it("looks up service instances over TLS", async () => {
    setConfig(config(good()));
    const base = randomRoot("tls");
    const data = JSON.stringify({
      name: "api",
      id: "i1",
      address: "10.0.0.1",
      port: 80,
      sslPort: null,
      payload: null,
      registrationTimeUTC: 1,
      serviceType: "PERMANENT",
      uriSpec: null,
    });
    const { id, outs } = await zkNode.create(
      await checked({ path: `${base}/api/i1`, data, createParents: true }),
    );
    const found = await readServiceInstances(
      settingsFor(undefined),
      { service: "api", basePath: base },
      () => undefined,
    );
    expect(found.map((i) => `${i.address}:${i.port}`)).toEqual(["10.0.0.1:80"]);
    await zkNode.delete(id, outs);
  });

  it("looks up the ensemble from a seed over TLS", async () => {
    const result = await lookUpEnsemble(
      checkEnsembleArgs({ seed: secure }),
      { sessionTimeoutMs: SESSION_TIMEOUT_MS, tls: good() },
      () => undefined,
    );
    expect(result.servers).toEqual([{ host: "127.0.0.1", port: ensemble.members[0].clientPort }]);
    expect(result.source).toBe("seed");
  });

  it("fails fast and clearly when the server's certificate is not signed by the configured CA", async () => {
    setConfig(config({ ...good(), ca: read(certs.otherCa) }));
    const started = Date.now();
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).catch((e: Error) => e);
    expect(String(err)).toMatch(/server certificate verification failed/);
    expect(String(err)).toMatch(/zookeeper:tlsCa/);
    expect(String(err)).not.toContain("PRIVATE KEY");
    expect(Date.now() - started).toBeLessThan(SESSION_TIMEOUT_MS);
  });

  it("fails clearly when the server's certificate does not carry the expected host name", async () => {
    setConfig(config({ ...good(), serverName: "zk.example.com" }));
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).catch((e: Error) => e);
    expect(String(err)).toMatch(/server certificate verification failed.*zk\.example\.com/);
    expect(String(err)).toMatch(/zookeeper:tlsServerName/);
  });

  it("accepts the certificate's host name through tlsServerName", async () => {
    setConfig(config({ ...good(), serverName: "localhost" }));
    const path = randomRoot("tls");
    const { id, outs } = await zkNode.create(await checked({ path }));
    await zkNode.delete(id, outs);
  });

  it("is refused without a client certificate, with an error naming the cause", async () => {
    setConfig(config({ ca: read(certs.ca) }));
    const started = Date.now();
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).catch((e: Error) => e);
    expect(String(err)).toMatch(/requires a client certificate and none is configured.*zookeeper:tlsCert/);
    expect(Date.now() - started).toBeLessThan(3 * SESSION_TIMEOUT_MS);
  });

  it("is refused with a client certificate from a CA the server does not trust", async () => {
    setConfig(
      config({ ...good(), cert: read(certs.strangerClient.cert), key: read(certs.strangerClient.key) }),
    );
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).catch((e: Error) => e);
    expect(String(err)).toMatch(/the server refused the client certificate.*zookeeper:tlsCert/);
  });

  it("lets an x509 ACL grant the certificate's subject only", async () => {
    setConfig(config(good()));
    const path = randomRoot("tls");
    const acl = [{ scheme: "x509", id: CLIENT_SUBJECT, perms: "rwcda" }];
    const { id, outs } = await zkNode.create(await checked({ path, data: "mine", acl }));
    expect(outs.acl).toEqual(acl);
    expect(await dataAt(path)).toBe("mine");

    setConfig(config({ ...good(), cert: read(certs.otherClient.cert), key: read(certs.otherClient.key) }));
    await expect(
      pool().run(settingsFor(undefined), "read", (client) => client.getData(path)),
    ).rejects.toThrow(/NO_AUTH|not authorized|authoriz/i);

    setConfig(config(good()));
    await zkNode.delete(id, outs);
    expect(await dataAt(path)).toBeUndefined();
  });
});

describe("TLS with a 3-member ensemble", () => {
  let three: Ensemble;
  beforeAll(async () => {
    // syncLimit 20 ticks (10 s): a follower paused past the session timeout stays in the quorum,
    // so the session expiry below is the leader's doing, not a re-election's.
    three = await startEnsemble({
      size: 3,
      secureClientPort: true,
      extraConfig: { ...tlsServerConfig(certs), syncLimit: "20" },
    });
  });
  afterAll(async () => {
    await pool().closeAll();
    if (three) await stopEnsemble(three);
  });

  it("fails over between members and keeps writing while each member in turn is down", async () => {
    setConfig({
      connectString: three.secureConnectString as string,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      tls: good(),
    });
    const path = randomRoot("tls");
    const { id, outs: created } = await zkNode.create(await checked({ path, data: "0" }));
    let outs = created as Record<string, unknown>;
    for (const member of [1, 2, 3]) {
      three = await stopMember(three, member);
      const news = await checked({ path, data: `without ${member}` });
      outs = (await zkNode.update(id, outs, news)).outs as Record<string, unknown>;
      expect(await dataAt(path)).toBe(`without ${member}`);
      three = await restartMember(three, member);
    }
    expect(outs.version).toBe(3);
    await zkNode.delete(id, outs);
  });

  it("replaces an expired session over TLS and writes compare-and-set on the new one", async () => {
    const leader = await waitForQuorum(three, 30_000);
    const follower = three.members.find((m) => m.id !== leader) as EnsembleMember;
    // Only this member's TLS port: the session cannot fail over, so pausing the member past the
    // session timeout makes the leader expire it (the fault tier's scenario 3, over TLS).
    setConfig({
      connectString: `127.0.0.1:${follower.secureClientPort}`,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      tls: good(),
    });
    const path = randomRoot("tls");
    const { id, outs: created } = await zkNode.create(await checked({ path, data: "before" }));
    const old = await pool().session(settingsFor(undefined));
    const openedBefore = pool().opened;

    await pauseMember(three, follower.id);
    try {
      await sleep(SESSION_TIMEOUT_MS + 2000);
    } finally {
      await resumeMember(three, follower.id);
    }
    const updated = await zkNode.update(id, created, await checked({ path, data: "after" }));
    const outs = updated.outs as Record<string, unknown>;

    // The leader expired the old session, and the provider went on on a new one.
    const logs = three.members.map((m) => fs.readFileSync(m.logFile, "utf8")).join("\n");
    expect(logs).toContain(`Expiring session 0x${BigInt(`0x${old.sessionId}`).toString(16)}`);
    expect(old.usable).toBe(false);
    const fresh = await pool().session(settingsFor(undefined));
    expect(fresh.sessionId).not.toBe(old.sessionId);
    expect(pool().opened).toBeGreaterThan(openedBefore);

    // Written exactly once, with the recorded version; stale state is still refused.
    expect(outs.version).toBe(1);
    expect(await dataAt(path)).toBe("after");
    await expect(zkNode.update(id, created, await checked({ path, data: "stale" }))).rejects.toThrow(
      "expected version 0, found 1",
    );
    expect(await dataAt(path)).toBe("after");
    await zkNode.delete(id, outs);
    expect(await dataAt(path)).toBeUndefined();
  });
});
