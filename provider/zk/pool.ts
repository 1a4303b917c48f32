import { createHash } from "crypto";
import { type SessionOptions, ZkClient } from "./client";
import { isTransient } from "./errors";
import { explainQuotaExceeded } from "./quotaErrors";
import { type RetryPolicy, withRetry } from "./retry";
import { closeTunnels, connectOverTls, tlsFingerprint, type TlsSettings } from "./tls";

/** Where to connect and how to tune a session; everything that makes two sessions differ. */
export interface ConnectionSettings {
  /** `host:port,...[/chroot]`. */
  readonly connectString: string;
  /** `user:password` for the digest scheme. */
  readonly digest?: string;
  /** Session timeout requested from the ensemble. */
  readonly sessionTimeoutMs: number;
  /** TLS to the members' secure client ports through an in-process tunnel; absent for plain TCP. */
  readonly tls?: TlsSettings;
}

/** Default session timeout. Quorum loss fails a deployment in about twice this. */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/** Session options derived from the settings: connect and request timeouts follow the session timeout. */
export function sessionOptions(s: ConnectionSettings): SessionOptions {
  return {
    connectString: s.connectString,
    ...(s.digest ? { digest: s.digest } : {}),
    sessionTimeoutMs: s.sessionTimeoutMs,
    connectTimeoutMs: s.sessionTimeoutMs,
    requestTimeoutMs: s.sessionTimeoutMs,
  };
}

/**
 * Opens one session for these settings, over TLS when `s.tls` is set. For one-shot
 * sessions (lookups) as well as the pool; `extra` adds session options such as `allowReadOnly`.
 */
export function connectSession(
  s: ConnectionSettings,
  extra: Partial<SessionOptions> = {},
): Promise<ZkClient> {
  const options = { ...sessionOptions(s), ...extra };
  if (!s.tls) return ZkClient.connect(options);
  return connectOverTls(s.connectString, s.tls, (local) =>
    ZkClient.connect({ ...options, connectString: local }),
  );
}

/** Retry policy for a request: retry transient failures for up to twice the session timeout. */
export function retryPolicy(s: ConnectionSettings): RetryPolicy {
  return { deadlineMs: 2 * s.sessionTimeoutMs, baseDelayMs: 100, maxDelayMs: 2000 };
}

/**
 * One ZooKeeper session per distinct connect string and credentials, opened lazily, shared by all
 * resources of a process, and replaced when it expires or stops answering.
 */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<ZkClient>>();
  /** How many sessions this pool has opened, for tests and benchmarks. */
  opened = 0;

  private key(s: ConnectionSettings): string {
    const secret = s.digest ? createHash("sha256").update(s.digest).digest("hex") : "";
    const tls = s.tls ? `\u0000tls:${tlsFingerprint(s.tls)}` : "";
    return `${s.connectString}\u0000${secret}\u0000${s.sessionTimeoutMs}${tls}`;
  }

  /** A usable session for these settings, opening one when needed. */
  async session(s: ConnectionSettings): Promise<ZkClient> {
    const key = this.key(s);
    const existing = this.sessions.get(key);
    if (existing) {
      const client = await existing.catch((err: unknown) => {
        // Fail like the opener did: looping here would let a waiter outlive its retry deadline.
        if (this.sessions.get(key) === existing) this.sessions.delete(key);
        throw err;
      });
      if (client.usable) return client;
      if (this.sessions.get(key) === existing) this.sessions.delete(key);
      client.close();
      return this.session(s);
    }
    this.opened++;
    const opening = connectSession(s);
    this.sessions.set(key, opening);
    opening.catch(() => {
      if (this.sessions.get(key) === opening) this.sessions.delete(key);
    });
    return opening;
  }

  /**
   * Runs a repeatable request on a pooled session, retrying transient failures (connection loss,
   * expiry: then on a new session) until twice the session timeout has passed.
   */
  run<T>(
    s: ConnectionSettings,
    what: string,
    request: (client: ZkClient, attempt: number) => Promise<T>,
  ): Promise<T> {
    return withRetry(
      what,
      async (attempt) => {
        const client = await this.session(s);
        try {
          return await request(client, attempt);
        } catch (err) {
          if (isTransient(err) && !client.usable) client.close();
          throw await explainQuotaExceeded(client, err);
        }
      },
      retryPolicy(s),
    );
  }

  /** Closes every session, and every TLS tunnel of the process. */
  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) (await p.catch(() => undefined))?.close();
    await closeTunnels();
  }
}
