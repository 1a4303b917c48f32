import * as crypto from "crypto";
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as tls from "tls";
import {
  formatConnectString,
  formatServer,
  hostsOnly,
  parseConnectString,
  type ServerAddress,
} from "../core/connectString";
import { ZkError } from "./errors";

/**
 * TLS to ZooKeeper's secure client port.
 *
 * `node-zookeeper-client` speaks plain TCP only, so each ensemble member of a connect string gets
 * an in-process tunnel: a listener on 127.0.0.1 (an ephemeral port) that, for every socket the
 * client opens, opens `tls.connect` to the member's secure port and pipes bytes both ways. The
 * client is handed the rewritten connect string `127.0.0.1:p1,127.0.0.1:p2,...[/chroot]`, so its
 * own failover, reconnects and session re-establishment work unchanged. A TLS failure closes the
 * client's socket at once: the client sees connection loss, and the failure is kept per member so
 * the error a user finally sees names the TLS cause.
 */

/** TLS settings of a connection, PEM contents already loaded. */
export interface TlsSettings {
  /** CA certificates (PEM) that sign the servers' certificates. Default: Node's built-in roots. */
  readonly ca?: string;
  /** Client certificate chain (PEM), for servers with `ssl.clientAuth=need`. */
  readonly cert?: string;
  /** The client certificate's private key (PEM). A secret: never logged or put in an error. */
  readonly key?: string;
  /** Host name the servers' certificates must carry. Default: each member's host from the connect string. */
  readonly serverName?: string;
  /** How long a TLS handshake may take before the member counts as failed. Default 10000 ms. */
  readonly handshakeTimeoutMs?: number;
}

/** The last TLS failure seen on a tunnel. */
export interface TlsFailure {
  /** `host:port` of the member, as written in the connect string. */
  readonly member: string;
  /** What went wrong and what to check; never contains key material. */
  readonly message: string;
  /**
   * True when retrying cannot help: the certificate was rejected by either side or the
   * handshake failed; false for TCP-level failures (member down, handshake timeout).
   */
  readonly definitive: boolean;
  /** When it happened (ms since the epoch). */
  readonly at: number;
}

/** Node's codes for a server certificate that did not verify against the CA. */
const VERIFY_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_PURPOSE",
]);

const CONFIG_HINT = "zookeeper:tlsCa";

/**
 * The CA a connection verified servers against, in words a user can match with their file:
 * the first certificate's subject and SHA-256 fingerprint, and how many there are. Public data:
 * a CA certificate holds no secret.
 */
export function describeCa(ca: string | undefined): string {
  if (ca === undefined) return "the system's CAs (zookeeper:tlsCa is not set)";
  const pems = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    const first = new crypto.X509Certificate(pems[0] ?? ca);
    const more = pems.length > 1 ? ` and ${pems.length - 1} more` : "";
    return `'${first.subject.replace(/\n/g, ", ")}' (SHA-256 ${first.fingerprint256.slice(0, 23)}…)${more}`;
  } catch {
    return "a zookeeper:tlsCa value that is not a PEM certificate";
  }
}

/**
 * What to do when the CA that failed may not be the one in the config now: `pulumi destroy` and
 * `pulumi refresh` run the provider with the config the last update recorded.
 */
const RECORDED_CONFIG_HINT =
  "pulumi destroy and pulumi refresh use the zookeeper:* values recorded by the last successful update, not the current config: " +
  "after changing zookeeper:tlsCa, run 'pulumi up' first, or 'pulumi destroy --run-program' / 'pulumi refresh --run-program' to use the current one";

/** Turns a TLS or socket error into a message for users; never includes key material. */
export function describeTlsError(
  err: unknown,
  member: string,
  hasClientCert = true,
  caUsed?: string,
): { message: string; definitive: boolean } {
  const e = err as { code?: unknown; message?: unknown; reason?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  // OpenSSL's messages carry a hex prefix and a source file; its `reason` is the readable part.
  const detail =
    typeof e.reason === "string" && e.reason !== ""
      ? e.reason
      : typeof e.message === "string"
        ? e.message
        : String(err);
  const what = `TLS to ${member}`;
  if (VERIFY_CODES.has(code)) {
    return {
      message:
        `${what} failed: server certificate verification failed: ${detail} (${code}); ` +
        `check that ${CONFIG_HINT} holds the CA that signed the server's certificate` +
        (caUsed ? ` (this connection used ${caUsed}). ${RECORDED_CONFIG_HINT}` : ""),
      definitive: true,
    };
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return {
      message:
        `${what} failed: server certificate verification failed: ${detail} (${code}); ` +
        "connect with the host name in the certificate, or set zookeeper:tlsServerName to it",
      definitive: true,
    };
  }
  if (
    /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE)/.test(code)
  ) {
    if (!hasClientCert) {
      return {
        message:
          `${what} failed: the server requires a client certificate and none is configured: ${detail} (${code}); ` +
          "set zookeeper:tlsCert and zookeeper:tlsKey",
        definitive: true,
      };
    }
    return {
      message:
        `${what} failed: the server refused the client certificate: ${detail} (${code}); ` +
        "check zookeeper:tlsCert and zookeeper:tlsKey, and that the server's trust store holds their CA",
      definitive: true,
    };
  }
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) {
    return { message: `${what} failed: ${detail} (${code})`, definitive: true };
  }
  return { message: `${what} failed: ${detail}${code ? ` (${code})` : ""}`, definitive: false };
}

/** One loopback listener per ensemble member, piping to the member's TLS port. */
export class TlsTunnel {
  private readonly failures = new Map<string, TlsFailure>();
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly servers: readonly ServerAddress[],
    private readonly listeners: readonly net.Server[],
    /** The connect string to hand to the plain-TCP client: loopback ports, same chroot. */
    readonly connectString: string,
  ) {}

  /**
   * Starts one listener per member of `connectString` on 127.0.0.1 and returns the tunnel.
   *
   * @throws when the connect string is invalid, naming it without credentials.
   */
  static async open(connectString: string, settings: TlsSettings): Promise<TlsTunnel> {
    const parsed = parseConnectString(connectString);
    if ("problem" in parsed) throw new Error(`connect string '${connectString}' ${parsed.problem}`);
    const listeners: net.Server[] = [];
    const local: ServerAddress[] = [];
    // Listeners accept only once the tunnel exists; until then there is nobody to hand sockets to.
    const ref: { tunnel?: TlsTunnel } = {};
    try {
      for (const server of parsed.servers) {
        const listener = net.createServer((socket) =>
          ref.tunnel ? ref.tunnel.accept(socket, server, settings) : socket.destroy(),
        );
        await new Promise<void>((resolve, reject) => {
          listener.once("error", reject);
          listener.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
        });
        listener.unref();
        listeners.push(listener);
        local.push({ host: "127.0.0.1", port: (listener.address() as net.AddressInfo).port });
      }
    } catch (err) {
      for (const l of listeners) l.close();
      throw err;
    }
    ref.tunnel = new TlsTunnel(parsed.servers, listeners, formatConnectString(local, parsed.chroot));
    return ref.tunnel;
  }

  private accept(client: net.Socket, server: ServerAddress, settings: TlsSettings): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    const member = formatServer(server);
    client.pause();
    const secure = tls.connect({
      host: server.host,
      port: server.port,
      servername: settings.serverName ?? (net.isIP(server.host) ? undefined : server.host),
      ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
      ...(settings.cert !== undefined ? { cert: settings.cert } : {}),
      ...(settings.key !== undefined ? { key: settings.key } : {}),
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(settings.serverName ?? server.host, cert),
      rejectUnauthorized: true,
    });
    // ZooKeeper requests are small writes: without this, each hop waits for the peer's delayed ACK
    // (Nagle), as node-zookeeper-client knows for its own socket, and pipelined requests crawl.
    client.setNoDelay(true);
    secure.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(secure);
    let received = false;
    const timeoutMs = settings.handshakeTimeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      this.fail(member, { message: `no TLS handshake within ${timeoutMs} ms`, code: "ETIMEDOUT" });
      secure.destroy();
      client.destroy();
    }, timeoutMs);
    timer.unref();
    secure.once("secureConnect", () => {
      clearTimeout(timer);
      client.pipe(secure);
      secure.pipe(client);
      client.resume();
      // The member answered over TLS: its earlier failure no longer applies.
      secure.once("data", () => {
        received = true;
        this.failures.delete(member);
      });
    });
    secure.on("error", (err) => {
      clearTimeout(timer);
      this.failures.set(member, {
        member,
        ...describeTlsError(err, member, settings.cert !== undefined, describeCa(settings.ca)),
        at: Date.now(),
      });
      client.destroy();
    });
    secure.on("close", () => {
      clearTimeout(timer);
      this.sockets.delete(secure);
      if (!received && !client.destroyed && !this.failures.has(member)) {
        // A server that requires a client certificate may just hang up after the handshake.
        this.failures.set(member, {
          member,
          message:
            `TLS to ${member} failed: the server closed the connection before answering; ` +
            "if it requires client certificates (ssl.clientAuth=need), set zookeeper:tlsCert and zookeeper:tlsKey",
          definitive: false,
          at: Date.now(),
        });
      }
      client.destroy();
    });
    client.on("error", () => secure.destroy());
    client.on("close", () => {
      this.sockets.delete(client);
      secure.destroy();
    });
  }

  private fail(member: string, err: unknown): void {
    this.failures.set(member, { member, ...describeTlsError(err, member), at: Date.now() });
  }

  /** The most recent TLS failure on any member since it last answered, if any. */
  lastError(): TlsFailure | undefined {
    let last: TlsFailure | undefined;
    for (const f of this.failures.values()) if (!last || f.at >= last.at) last = f;
    return last;
  }

  /**
   * The failure to report when every member's last attempt failed definitively (a certificate
   * rejected by either side): retrying cannot succeed, so callers fail at once.
   */
  definitiveFailure(): TlsFailure | undefined {
    const all = this.servers.map((s) => this.failures.get(formatServer(s)));
    if (all.some((f) => !f || !f.definitive)) return undefined;
    return this.lastError();
  }

  /** Stops the listeners and cuts every piped connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
  }
}

/** Which configuration key a PEM value came from, for error messages. */
export type PemKey = "tlsCa" | "tlsCert" | "tlsKey";

/**
 * A PEM value from stack config: content when it starts with `-----BEGIN`, else a file path read
 * now. Errors name the config key and the path, never the content.
 */
export function loadPem(key: PemKey, value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith("-----BEGIN")) return trimmed + "\n";
  let text: string;
  try {
    text = fs.readFileSync(trimmed, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code ?? "unreadable";
    // A mangled key could land here: never echo the tlsKey value.
    const shown = key === "tlsKey" ? "the given path" : `'${trimmed}'`;
    throw new Error(
      `zookeeper:${key} is neither PEM content (starting with '-----BEGIN') nor a readable file: ` +
        `cannot read ${shown} (${code})`,
    );
  }
  if (!text.includes("-----BEGIN")) {
    throw new Error(`zookeeper:${key} names '${trimmed}', which holds no PEM block ('-----BEGIN ...')`);
  }
  return text;
}

/** A TLS failure that retrying cannot fix (certificate rejected by either side). Not transient. */
export class TlsConnectError extends Error {
  /** The failure behind it. */
  readonly failure: TlsFailure;

  constructor(hosts: string, failure: TlsFailure) {
    super(`ZooKeeper connect to '${hosts}' failed: ${failure.message}`);
    this.name = "TlsConnectError";
    this.failure = failure;
    // Like ZkError: the message says all a user needs.
    this.stack = "";
  }
}

/**
 * Opens a session through a tunnel: `connect` gets the tunnel's loopback connect string. Fails at
 * once with a {@link TlsConnectError} when every member rejected the handshake for certificate
 * reasons; when `connect` fails otherwise (its timeout), the error names the last TLS failure and
 * the real member addresses instead of the loopback ones. A session that opens after an early
 * failure is passed to `discard`.
 */
export function connectThroughTunnel<T>(
  tunnel: TlsTunnel,
  originalConnectString: string,
  connect: (connectString: string) => Promise<T>,
  discard: (late: T) => void,
): Promise<T> {
  const hosts = hostsOnly(originalConnectString);
  const local = hostsOnly(tunnel.connectString);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const poll = setInterval(() => {
      const failure = tunnel.definitiveFailure();
      if (!failure || settled) return;
      settled = true;
      clearInterval(poll);
      reject(new TlsConnectError(hosts, failure));
    }, 50);
    poll.unref();
    connect(tunnel.connectString).then(
      (session) => {
        clearInterval(poll);
        if (settled) discard(session);
        else {
          settled = true;
          resolve(session);
        }
      },
      (err: unknown) => {
        clearInterval(poll);
        if (settled) return;
        settled = true;
        const failure = tunnel.definitiveFailure() ?? tunnel.lastError();
        if (failure?.definitive) return reject(new TlsConnectError(hosts, failure));
        // The user's hosts, not the tunnel's, and the TLS cause in the detail, which retry's "last error" keeps.
        const extra = failure ? `; last TLS error: ${failure.message}` : "";
        if (err instanceof ZkError)
          return reject(new ZkError(err.code, err.op, err.path, err.detail.split(local).join(hosts) + extra));
        // connect rejects with Errors; anything else is still reported as one, with the same context.
        if (!(err instanceof Error))
          return reject(new Error(`connecting to ${hosts} failed: ${String(err)}${extra}`));
        err.message = err.message.split(local).join(hosts) + extra;
        reject(err);
      },
    );
  });
}

/** A hash of the TLS settings, for cache keys: no key material is kept in a key. */
export function tlsFingerprint(settings: TlsSettings): string {
  const { ca, cert, key, serverName, handshakeTimeoutMs } = settings;
  const json = JSON.stringify([ca, cert, key, serverName, handshakeTimeoutMs]);
  return createHash("sha256").update(json).digest("hex");
}

/** The process's tunnels, one per (connect string, TLS settings), opened lazily. */
const tunnels = new Map<string, Promise<TlsTunnel>>();

/** The tunnel for a connect string and TLS settings, opening it on first use. */
export function tunnelFor(connectString: string, settings: TlsSettings): Promise<TlsTunnel> {
  const key = `${connectString}\u0000${tlsFingerprint(settings)}`;
  let tunnel = tunnels.get(key);
  if (!tunnel) {
    tunnel = TlsTunnel.open(connectString, settings);
    tunnels.set(key, tunnel);
    tunnel.catch(() => tunnels.delete(key));
  }
  return tunnel;
}

/** Closes every tunnel of the process (sessions through them see connection loss). */
export async function closeTunnels(): Promise<void> {
  const all = [...tunnels.values()];
  tunnels.clear();
  for (const t of all) await (await t.catch(() => undefined))?.close();
}

/**
 * Opens a session over TLS: through the shared tunnel for `connectString`, with
 * {@link connectThroughTunnel}'s fast failure and error wording.
 */
export async function connectOverTls<T extends { close(): void }>(
  connectString: string,
  settings: TlsSettings,
  connect: (localConnectString: string) => Promise<T>,
): Promise<T> {
  const tunnel = await tunnelFor(connectString, settings);
  return connectThroughTunnel(tunnel, connectString, connect, (late) => late.close());
}
