import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { readConfig, readTlsConfig } from "../../provider/runtime/settings";
import {
  describeCa,
  describeTlsError,
  loadPem,
  type TlsSettings,
  tlsFingerprint,
  TlsTunnel,
} from "../../provider/zk/tls";
import { makeTestCerts, removeTestCerts, type TestCerts } from "../support/tlsCerts";

// TLS: the tunnel against an in-process TLS echo server, and config parsing.
let certs: TestCerts;
const read = (file: string) => fs.readFileSync(file, "utf8");

beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => removeTestCerts(certs));

/** A TLS echo server on 127.0.0.1 with the test server certificate; requires client certs when asked. */
async function echoServer(requestCert: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer(
    {
      key: read(certs.server.key),
      cert: read(certs.server.cert),
      ca: read(certs.ca),
      requestCert,
      rejectUnauthorized: requestCert,
    },
    (socket) => socket.pipe(socket),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends `text` through the tunnel's first listener; resolves the echo, or "closed" when the socket is closed on us. */
function roundTrip(tunnel: TlsTunnel, text: string): Promise<string> {
  const [host, port] = tunnel.connectString.split(",")[0].split("/")[0].split(":");
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), host);
    let got = "";
    socket.on("connect", () => socket.write(text));
    socket.on("data", (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(got || "closed"));
  });
}

describe("TlsTunnel", () => {
  const good = (): TlsSettings => ({
    ca: read(certs.ca),
    cert: read(certs.client.cert),
    key: read(certs.client.key),
  });

  it("rewrites a connect string to one loopback listener per member, keeping the chroot", async () => {
    const tunnel = await TlsTunnel.open("zk1.example:2281,zk2.example:2282,[::1]:2283/apps/x", good());
    try {
      expect(tunnel.connectString).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/apps\/x$/);
      const ports = tunnel.connectString.split("/")[0].split(",");
      expect(new Set(ports).size).toBe(3);
      expect(tunnel.lastError()).toBeUndefined();
    } finally {
      await tunnel.close();
    }
  });

  it("defaults the port to 2181 and refuses an invalid connect string", async () => {
    const tunnel = await TlsTunnel.open("zk1.example", good());
    expect(tunnel.connectString).toMatch(/^127\.0\.0\.1:\d+$/);
    await tunnel.close();
    await expect(TlsTunnel.open("zk1:2181,,zk2", good())).rejects.toThrow(/empty host entry/);
  });

  it("pipes bytes both ways through a verified TLS connection", async () => {
    const server = await echoServer(true);
    const tunnel = await TlsTunnel.open(`127.0.0.1:${server.port}`, good());
    try {
      expect(await roundTrip(tunnel, "hello zookeeper")).toBe("hello zookeeper");
      expect(tunnel.lastError()).toBeUndefined();
    } finally {
      await tunnel.close();
      await server.close();
    }
  });

  it("verifies the host name against the certificate, with tlsServerName as override", async () => {
    const server = await echoServer(true);
    const viaName = await TlsTunnel.open(`localhost:${server.port}`, good());
    const wrongName = await TlsTunnel.open(`127.0.0.1:${server.port}`, {
      ...good(),
      serverName: "zk.example.com",
    });
    try {
      expect(await roundTrip(viaName, "ok")).toBe("ok");
      expect(await roundTrip(wrongName, "ok")).toBe("closed");
      expect(wrongName.definitiveFailure()?.message).toMatch(
        /server certificate verification failed.*zk\.example\.com.*zookeeper:tlsServerName/,
      );
    } finally {
      await viaName.close();
      await wrongName.close();
      await server.close();
    }
  });

  it("closes the client's socket promptly and keeps the cause when the CA does not match", async () => {
    const server = await echoServer(false);
    const tunnel = await TlsTunnel.open(`127.0.0.1:${server.port}`, { ca: read(certs.otherCa) });
    try {
      const started = Date.now();
      expect(await roundTrip(tunnel, "x")).toBe("closed");
      expect(Date.now() - started).toBeLessThan(2000);
      const failure = tunnel.definitiveFailure();
      expect(failure?.member).toBe(`127.0.0.1:${server.port}`);
      expect(failure?.message).toMatch(/server certificate verification failed.*zookeeper:tlsCa/);
    } finally {
      await tunnel.close();
      await server.close();
    }
  });

  it("reports a TCP failure as not definitive, so it is retried", async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const tunnel = await TlsTunnel.open(`127.0.0.1:${port}`, good());
    try {
      expect(await roundTrip(tunnel, "x")).toBe("closed");
      expect(tunnel.lastError()?.message).toMatch(/ECONNREFUSED/);
      expect(tunnel.definitiveFailure()).toBeUndefined();
    } finally {
      await tunnel.close();
    }
  });
});

describe("describeTlsError", () => {
  it("names the config key to check for each kind of failure", () => {
    const m = (code: string, hasCert = true) =>
      describeTlsError(Object.assign(new Error("boom"), { code }), "h:1", hasCert).message;
    expect(m("UNABLE_TO_VERIFY_LEAF_SIGNATURE")).toMatch(
      /server certificate verification failed.*zookeeper:tlsCa/,
    );
    expect(m("ERR_TLS_CERT_ALTNAME_INVALID")).toMatch(/zookeeper:tlsServerName/);
    expect(m("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE")).toMatch(/server refused the client certificate/);
    expect(m("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", false)).toMatch(/none is configured.*zookeeper:tlsCert/);
    expect(
      describeTlsError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), "h:1").definitive,
    ).toBe(false);
  });

  it("says which CA a failed verification used, and that destroy and refresh use the recorded config", () => {
    const ca = read(certs.ca);
    const used = describeCa(ca);
    const fingerprint = new crypto.X509Certificate(ca).fingerprint256;
    expect(used).toMatch(/^'O=pulumi-zookeeper, CN=ca' \(SHA-256 [0-9A-F:]{23}…\)$/);
    expect(fingerprint.startsWith(used.slice(used.indexOf("SHA-256 ") + 8, -2))).toBe(true);
    expect(describeCa(`${ca}\n${ca}`)).toMatch(/ and 1 more$/);
    expect(describeCa(undefined)).toBe("the system's CAs (zookeeper:tlsCa is not set)");
    expect(describeCa("not a pem")).toBe("a zookeeper:tlsCa value that is not a PEM certificate");
    const message = describeTlsError(
      Object.assign(new Error("boom"), { code: "SELF_SIGNED_CERT_IN_CHAIN" }),
      "h:1",
      true,
      used,
    ).message;
    expect(message).toContain(`(this connection used ${used}).`);
    expect(message).toContain("'pulumi destroy --run-program'");
    expect(message).not.toContain("PRIVATE KEY");
  });
});

describe("TLS config", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-tlsconf-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cfg = (values: Record<string, string>) => readTlsConfig((key) => values[key]);

  it("takes PEM content as is and reads file paths", () => {
    const ca = read(certs.ca);
    const key = read(certs.client.key);
    const parsed = cfg({
      tls: "true",
      tlsCa: ca,
      tlsCert: certs.client.cert,
      tlsKey: key,
      tlsServerName: "zk",
    });
    expect(parsed).toEqual({
      ca: ca.trim() + "\n",
      cert: read(certs.client.cert),
      key: key.trim() + "\n",
      serverName: "zk",
    });
  });

  it("is on with tls=true alone, off without any tls key or with tls=false", () => {
    expect(cfg({ tls: "true" })).toEqual({});
    expect(cfg({})).toBeUndefined();
    expect(cfg({ tls: "false", tlsCa: certs.ca })).toBeUndefined();
    expect(cfg({ tlsCa: certs.ca })?.ca).toContain("-----BEGIN CERTIFICATE-----");
  });

  it("reaches ProviderConfig through readConfig", () => {
    const config = readConfig((key) => ({ connectString: "h:2281", tls: "TRUE", tlsCa: certs.ca })[key]);
    expect(config.tls?.ca).toContain("-----BEGIN CERTIFICATE-----");
    expect(readConfig((key) => ({ connectString: "h:2181" })[key]).tls).toBeUndefined();
  });

  it("refuses a bad tls flag, and a certificate without its key", () => {
    expect(() => cfg({ tls: "yes" })).toThrow("zookeeper:tls must be 'true' or 'false', got 'yes'");
    expect(() => cfg({ tls: "true", tlsCert: certs.client.cert })).toThrow(
      /tlsCert and zookeeper:tlsKey go together/,
    );
  });

  it("names the key and the path of an unreadable or non-PEM file", () => {
    const missing = path.join(dir, "missing.pem");
    expect(() => cfg({ tlsCa: missing })).toThrow(`zookeeper:tlsCa is neither PEM content`);
    expect(() => cfg({ tlsCa: missing })).toThrow(`'${missing}' (ENOENT)`);
    const notPem = path.join(dir, "not.pem");
    fs.writeFileSync(notPem, "hello");
    expect(() => loadPem("tlsCert", notPem)).toThrow(
      `zookeeper:tlsCert names '${notPem}', which holds no PEM block`,
    );
  });

  it("never echoes a tlsKey value that is neither PEM nor a readable path", () => {
    const mangled = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg-secret-key-material";
    let message = "";
    try {
      cfg({ tlsCert: certs.client.cert, tlsKey: mangled });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/zookeeper:tlsKey is neither PEM content/);
    expect(message).not.toContain("secret-key-material");
  });

  it("fingerprints settings without keeping key material", () => {
    const a = tlsFingerprint({ key: read(certs.client.key) });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(tlsFingerprint({ key: read(certs.otherClient.key) }));
  });
});
