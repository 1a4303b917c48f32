import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as net from "net";
import { setTimeout as sleep } from "timers/promises";
import {
  type Ensemble,
  type EnsembleMember,
  pauseMember,
  restartMember,
  resumeMember,
  startEnsemble,
  stopEnsemble,
  stopMember,
  waitForQuorum,
} from "../../scripts/ensemble";
import { type ZkNodeInputs } from "../../provider/core/schemas";
import { checkEnsembleArgs, getEnsemble, getServiceInstances } from "../../provider/lookups/api";
import { lookUpEnsemble } from "../../provider/lookups/ensemble";
import { readServiceInstances } from "../../provider/lookups/serviceInstances";
import { connectSession } from "../../provider/zk/pool";
import { zkServiceRegistration } from "../../provider/runtime/zkServiceRegistration";
import {
  pool,
  readConfig,
  setConfig,
  settingsFor,
  type ProviderConfig,
} from "../../provider/runtime/settings";
import { zkNode } from "../../provider/runtime/zkNode";
import { type TlsSettings } from "../../provider/zk/tls";
import {
  CLIENT_SUBJECT,
  makeTestCerts,
  removeTestCerts,
  type TestCerts,
  tlsServerConfig,
} from "../support/tlsCerts";
import { PluginProcess } from "../support/plugin";
import { checkWith } from "../support/runtime";
import { randomRoot } from "../support/zk";

// TLS: a 1-member ensemble of its own, serving TLS with client certificates required.
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
  const { inputs, failures } = await checkWith<ZkNodeInputs>(zkNode, {}, news);
  expect(failures).toEqual([]);
  return inputs;
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
    await zkNode.delete(id, updated.outs);
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
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(String(err)).toMatch(/server certificate verification failed/);
    expect(String(err)).toMatch(/zookeeper:tlsCa/);
    expect(String(err)).not.toContain("PRIVATE KEY");
    expect(Date.now() - started).toBeLessThan(SESSION_TIMEOUT_MS);
  });

  it("fails clearly when the server's certificate does not carry the expected host name", async () => {
    setConfig(config({ ...good(), serverName: "zk.example.com" }));
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).then(
      () => undefined,
      (e: Error) => e,
    );
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
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(String(err)).toMatch(/requires a client certificate and none is configured.*zookeeper:tlsCert/);
    expect(Date.now() - started).toBeLessThan(3 * SESSION_TIMEOUT_MS);
  });

  it("is refused with a client certificate from a CA the server does not trust", async () => {
    setConfig(
      config({ ...good(), cert: read(certs.strangerClient.cert), key: read(certs.strangerClient.key) }),
    );
    const err = await zkNode.create(await checked({ path: randomRoot("tls") })).then(
      () => undefined,
      (e: Error) => e,
    );
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
      connectString: three.secureConnectString,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      tls: good(),
    });
    const path = randomRoot("tls");
    const { id, outs: created } = await zkNode.create(await checked({ path, data: "0" }));
    let outs = created as Record<string, unknown>;
    for (const member of [1, 2, 3]) {
      three = await stopMember(three, member);
      const news = await checked({ path, data: `without ${member}` });
      outs = (await zkNode.update(id, outs, news)).outs;
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

/** A TCP proxy to a local port that keeps every byte the client sent. */
interface Recorder {
  readonly connectString: string;
  /** Everything clients sent through the proxy, in order. */
  sent(): Buffer;
  close(): Promise<void>;
}

async function startRecorder(targetPort: number): Promise<Recorder> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  return {
    connectString: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    sent: () => Buffer.concat(chunks),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("a digest never crosses plain TCP while zookeeper:tls is on", () => {
  // A password unlikely to appear by chance in TLS records.
  const password = `pw-${Date.now()}-never-in-clear`;
  const digest = `alice:${password}`;
  const profilePassword = `pw-${Date.now()}-of-a-profile-never-in-clear`;
  const profileDigest = `guarded-deployer:${profilePassword}`;
  let plainRecorder: Recorder;
  let secureRecorder: Recorder;

  /** The stack config a program sees (`pulumi.runtime.getConfig`), as lookups read it. */
  function setProgramConfig(extra: Record<string, string> = {}): void {
    const tls = good();
    pulumi.runtime.setAllConfig({
      "zookeeper:digest": digest,
      "zookeeper:sessionTimeoutMs": "1000",
      "zookeeper:tls": "true",
      "zookeeper:tlsCa": tls.ca as string,
      "zookeeper:tlsCert": tls.cert as string,
      "zookeeper:tlsKey": tls.key as string,
      ...extra,
    });
  }

  beforeAll(async () => {
    plainRecorder = await startRecorder(ensemble.members[0].clientPort);
    secureRecorder = await startRecorder(ensemble.members[0].secureClientPort as number);
  });
  afterAll(async () => {
    pulumi.runtime.setAllConfig({});
    await plainRecorder?.close();
    await secureRecorder?.close();
  });

  it("looks up the ensemble from a seed over TLS with the stack's TLS config (getEnsemble)", async () => {
    setProgramConfig();
    const result = await getEnsemble({ seed: secureRecorder.connectString });
    expect(result.servers).toEqual([{ host: "127.0.0.1", port: ensemble.members[0].clientPort }]);
    const sent = secureRecorder.sent();
    // A TLS handshake record (content type 22, version 3.x) opens the stream, and the password never shows.
    expect([sent[0], sent[1]]).toEqual([0x16, 0x03]);
    expect(sent.includes(Buffer.from(password))).toBe(false);
  });

  it("reaches a TLS seed through a profile's TLS settings while the stack's own are plain (getEnsemble)", async () => {
    const tls = good();
    const secure = { tls: "true", tlsCa: tls.ca, tlsCert: tls.cert, tlsKey: tls.key, sessionTimeoutMs: 1000 };
    pulumi.runtime.setAllConfig({
      "zookeeper:sessionTimeoutMs": "1000",
      "zookeeper:profiles": JSON.stringify({ secure }),
    });
    const before = secureRecorder.sent().length;
    const result = await getEnsemble({ seed: secureRecorder.connectString, profile: "secure" });
    expect(result.servers).toEqual([{ host: "127.0.0.1", port: ensemble.members[0].clientPort }]);
    const sent = secureRecorder.sent().subarray(before);
    expect([sent[0], sent[1]]).toEqual([0x16, 0x03]);
    // Without the profile the stack's plain settings apply, which the TLS port cannot answer.
    await expect(getEnsemble({ seed: secureRecorder.connectString })).rejects.toThrow(/unavailable|answered/);
    await expect(getEnsemble({ seed: secureRecorder.connectString, profile: "nope" })).rejects.toThrow(
      /profile: .*nope/,
    );
  });

  it("sends no digest to a plain client port from any entry point", async () => {
    const tls = good();
    // A profile with TLS and a digest of its own, for getEnsemble's profile entry point.
    const guarded = {
      digest: profileDigest,
      tls: "true",
      tlsCa: tls.ca,
      tlsCert: tls.cert,
      tlsKey: tls.key,
      sessionTimeoutMs: 1000,
    };
    setProgramConfig({
      "zookeeper:connectString": plainRecorder.connectString,
      "zookeeper:profiles": JSON.stringify({ guarded }),
    });
    setConfig({ connectString: plainRecorder.connectString, digest, sessionTimeoutMs: 1000, tls });
    const node = await checked({ path: randomRoot("tls"), data: "x" });
    const { inputs: registration } = await checkWith(
      zkServiceRegistration,
      {},
      { service: "api", address: "10.0.0.1", port: 80, basePath: randomRoot("tls") },
    );
    const attempts: [string, Promise<unknown>][] = [
      ["getEnsemble with a seed", getEnsemble({ seed: plainRecorder.connectString })],
      ["getEnsemble with a profile", getEnsemble({ seed: plainRecorder.connectString, profile: "guarded" })],
      ["getServiceInstances", getServiceInstances({ service: "api" })],
      [
        "getServiceInstances with its own connectString",
        getServiceInstances({ service: "api", connectString: plainRecorder.connectString }),
      ],
      ["ZkNode create", zkNode.create(node)],
      ["ZkServiceRegistration create", zkServiceRegistration.create(registration)],
      ["ZkNode read", zkNode.read(node.path, { ...node, version: 0, aversion: 0, czxid: "1", mzxid: "1" })],
    ];
    const outcomes = await Promise.all(
      attempts.map(([what, p]) =>
        p.then(
          () => `${what}: succeeded over a plain port`,
          (err: Error) => `${what}: ${err.message}`,
        ),
      ),
    );
    // Every attempt was a TLS handshake the plain port could not answer: none got through.
    for (const outcome of outcomes) expect(outcome).toMatch(/TLS to 127\.0\.0\.1:\d+ failed/);
    const sent = plainRecorder.sent();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.includes(Buffer.from(password))).toBe(false);
    expect(sent.includes(Buffer.from("alice"))).toBe(false);
    expect(sent.includes(Buffer.from(profilePassword))).toBe(false);
    expect(sent.includes(Buffer.from("guarded-deployer"))).toBe(false);
  });

  it("the provider plugin writes over mutual TLS from its config, and sends its digest to no plain port", async () => {
    const plugin = await PluginProcess.start();
    try {
      const tls = { tls: true, tlsCa: certs.ca, tlsCert: certs.client.cert, tlsKey: certs.client.key };
      await plugin.configure({
        connectString: secureRecorder.connectString,
        sessionTimeoutMs: 4000,
        digest,
        ...tls,
      });
      const path = randomRoot("tls-plugin");
      const before = secureRecorder.sent().length;
      const { id, outs } = await plugin.create("ZkNode", { path, data: "over tls" });
      const sent = secureRecorder.sent().subarray(before);
      expect([sent[0], sent[1]]).toEqual([0x16, 0x03]);
      expect(sent.includes(Buffer.from(password))).toBe(false);
      await plugin.delete("ZkNode", id, outs);

      // The same config pointed at a plain port: the TLS handshake fails there, and no digest goes out.
      await plugin.configure({
        connectString: plainRecorder.connectString,
        sessionTimeoutMs: 1000,
        digest,
        ...tls,
      });
      const plainBefore = plainRecorder.sent().length;
      await expect(plugin.create("ZkNode", { path: randomRoot("tls-plugin"), data: "x" })).rejects.toThrow(
        /TLS to 127\.0\.0\.1:\d+ failed/,
      );
      const plainSent = plainRecorder.sent().subarray(plainBefore);
      expect(plainSent.length).toBeGreaterThan(0);
      expect(plainSent.includes(Buffer.from(password))).toBe(false);
      expect(plainSent.includes(Buffer.from("alice"))).toBe(false);
    } finally {
      await plugin.stop();
    }
  });
});
