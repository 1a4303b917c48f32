import { ConnectionSettings, DEFAULT_SESSION_TIMEOUT_MS, SessionPool } from "../zk/pool";
import { loadPem, TlsSettings } from "../zk/tls";

/** Stack configuration the provider reads in `configure`. */
export interface ProviderConfig {
  /** `zookeeper:connectString`. */
  connectString?: string;
  /** `zookeeper:digest`, `user:password`; a secret. */
  digest?: string;
  /** `zookeeper:sessionTimeoutMs`. */
  sessionTimeoutMs?: number;
  /** TLS to the secure client port (`zookeeper:tls` and `zookeeper:tls*`), PEM contents loaded; absent for plain TCP. */
  tls?: TlsSettings;
}

/** The provider process's configuration and its one session pool. */
const state: { config: ProviderConfig; pool: SessionPool } = { config: {}, pool: new SessionPool() };

/** The shape of Pulumi's `ConfigureRequest.config`. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Reads `zookeeper:*` stack config. Called once per provider type per process by the engine. */
export function configure(source: ConfigSource): void {
  state.config = readConfig((key) => source.get(`zookeeper:${key}`));
}

/** Reads the provider config through a key lookup; shared by the provider and the program-side lookups. */
export function readConfig(get: (key: string) => string | undefined): ProviderConfig {
  const timeout = get("sessionTimeoutMs");
  const parsed = timeout === undefined ? undefined : Number(timeout);
  if (parsed !== undefined && (!Number.isInteger(parsed) || parsed < 1000 || parsed > 600_000)) {
    throw new Error(
      `zookeeper:sessionTimeoutMs must be a whole number of milliseconds from 1000 to 600000, got '${timeout}'; ` +
        "fix it with 'pulumi config set zookeeper:sessionTimeoutMs 10000'",
    );
  }
  const digest = get("digest");
  if (digest !== undefined && !/^[^:]+:.+$/.test(digest)) {
    throw new Error(
      "zookeeper:digest must be 'user:password'; set it with 'pulumi config set --secret zookeeper:digest user:password'",
    );
  }
  const connectString = get("connectString");
  const tls = readTlsConfig(get);
  return {
    ...(connectString ? { connectString } : {}),
    ...(digest ? { digest } : {}),
    ...(parsed !== undefined ? { sessionTimeoutMs: parsed } : {}),
    ...(tls ? { tls } : {}),
  };
}

// ---- TLS --------------------------------------------------------------------------------------

/**
 * Reads `zookeeper:tls` (`true`/`false`) and `zookeeper:tlsCa`, `tlsCert`, `tlsKey` (secret),
 * `tlsServerName`. PEM values are content (starting with `-----BEGIN`) or file paths, read now.
 * TLS is on when `tls` is `true`, or when it is unset and any other `tls*` key is set.
 * Errors name keys and paths, never PEM content.
 */
export function readTlsConfig(get: (key: string) => string | undefined): TlsSettings | undefined {
  const flag = get("tls")?.trim().toLowerCase();
  if (flag !== undefined && flag !== "" && flag !== "true" && flag !== "false") {
    throw new Error(`zookeeper:tls must be 'true' or 'false', got '${get("tls")}'`);
  }
  const value = (key: string) => {
    const v = get(key)?.trim();
    return v ? v : undefined;
  };
  const [ca, cert, key, serverName] = [
    value("tlsCa"),
    value("tlsCert"),
    value("tlsKey"),
    value("tlsServerName"),
  ];
  const enabled =
    flag === "true" || ((flag === undefined || flag === "") && !!(ca ?? cert ?? key ?? serverName));
  if (!enabled) return undefined;
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(
      "zookeeper:tlsCert and zookeeper:tlsKey go together: set both for a client certificate, or neither " +
        "('pulumi config set --secret zookeeper:tlsKey < client.key', or a file path)",
    );
  }
  return {
    ...(ca !== undefined ? { ca: loadPem("tlsCa", ca) } : {}),
    ...(cert !== undefined ? { cert: loadPem("tlsCert", cert) } : {}),
    ...(key !== undefined ? { key: loadPem("tlsKey", key) } : {}),
    ...(serverName !== undefined ? { serverName } : {}),
  };
}

// ---- end TLS ----------------------------------------------------------------------------------

/** Replaces the configuration (tests). */
export function setConfig(config: ProviderConfig): void {
  state.config = config;
}

/** The process's session pool. */
export function pool(): SessionPool {
  return state.pool;
}

/**
 * Everything of a connection but where it goes: credentials, session timeout and TLS from the
 * stack config. Every session the package opens (resources, lookups, the ensemble seed) is built
 * from this, so a digest never travels over plain TCP when `zookeeper:tls` is on.
 */
export function sessionSettings(
  config: ProviderConfig = state.config,
): Omit<ConnectionSettings, "connectString"> {
  return {
    ...(config.digest ? { digest: config.digest } : {}),
    sessionTimeoutMs: config.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    ...(config.tls ? { tls: config.tls } : {}),
  };
}

/** Connection settings for a resource: its own connect string, else the stack's. */
export function settingsFor(
  connectString: string | undefined,
  config: ProviderConfig = state.config,
): ConnectionSettings {
  const cs = connectString ?? config.connectString;
  if (!cs) {
    throw new Error(
      "no ZooKeeper connect string: set the resource's connectString input, " +
        "or the stack config with 'pulumi config set zookeeper:connectString host1:2181,host2:2181'",
    );
  }
  return { connectString: cs, ...sessionSettings(config) };
}

/** The stack's `zookeeper:connectString`, if set: the ensemble resources without their own connect string write to. */
export function stackConnectString(): string | undefined {
  return state.config.connectString;
}
