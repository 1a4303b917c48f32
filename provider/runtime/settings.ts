import { type ConnectionSettings, DEFAULT_SESSION_TIMEOUT_MS, SessionPool } from "../zk/pool";
import { loadPem, type TlsSettings } from "../zk/tls";

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
  /**
   * `zookeeper:profiles`: named connections (another ensemble, identity or TLS) that resources
   * pick with their `profile` input; each holds the same keys as the stack config, unprefixed.
   */
  profiles?: Record<string, ProviderConfig>;
}

/** What a profile's name may be: a config path component. */
const PROFILE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Reads `zookeeper:profiles`, a JSON object of profile name to settings (set with
 * `pulumi config set --secret --path 'zookeeper:profiles.staging.digest' user:pw`). Errors name
 * the profile and key, never a value.
 */
function readProfiles(text: string | undefined): Record<string, ProviderConfig> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      "zookeeper:profiles must be an object of named connections; set them with " +
        "'pulumi config set --path zookeeper:profiles.staging.connectString host:2181' (and --secret for digest and tlsKey)",
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(
      "zookeeper:profiles must be an object of named connections, e.g. { staging: { connectString: ... } }",
    );
  const out: Record<string, ProviderConfig> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!PROFILE_NAME.test(name))
      throw new Error(`zookeeper:profiles: the name '${name}' must be 1 to 64 letters, digits, '-' or '_'`);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new Error(
        `zookeeper:profiles.${name} must be an object with connectString, digest, tls* and sessionTimeoutMs keys`,
      );
    const fields = value as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((k) => !PROFILE_KEYS.has(k));
    if (unknown.length > 0)
      throw new Error(
        `zookeeper:profiles.${name} has unknown keys ${unknown.join(", ")}; known: ${[...PROFILE_KEYS].join(", ")}`,
      );
    try {
      out[name] = readConfig((key) => configText(fields[key]));
    } catch (err) {
      throw new Error(`zookeeper:profiles.${name}: ${(err as Error).message.replace(/zookeeper:/g, "")}`);
    }
  }
  return out;
}

/** The keys a profile may hold: the stack config's own, but not profiles. */
const PROFILE_KEYS = new Set([
  "connectString",
  "digest",
  "sessionTimeoutMs",
  "tls",
  "tlsCa",
  "tlsCert",
  "tlsKey",
  "tlsServerName",
]);

/**
 * A profile field as config text: a list as its items joined by commas (a connect string given as
 * a list of members reads as one), any other structured value as JSON, so an error shows it.
 */
function configText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => configText(item) ?? "").join(",");
  return JSON.stringify(value);
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
  const profiles = readProfiles(get("profiles"));
  return {
    ...(connectString ? { connectString } : {}),
    ...(digest ? { digest } : {}),
    ...(parsed !== undefined ? { sessionTimeoutMs: parsed } : {}),
    ...(tls ? { tls } : {}),
    ...(profiles ? { profiles } : {}),
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

/** Why a profile name cannot be used with this config, or undefined when it can. */
export function profileProblem(profile: unknown, config: ProviderConfig = state.config): string | undefined {
  if (profile === undefined) return undefined;
  if (typeof profile !== "string" || !PROFILE_NAME.test(profile))
    return "profile must be the name of a zookeeper:profiles entry (letters, digits, '-' or '_')";
  if (config.profiles?.[profile]) return undefined;
  const known = Object.keys(config.profiles ?? {});
  return (
    `profile '${profile}' is not in the stack config zookeeper:profiles (${known.length > 0 ? `known: ${known.join(", ")}` : "none set"}); ` +
    `add it with 'pulumi config set --path zookeeper:profiles.${profile}.connectString host:2181'`
  );
}

/** `check`'s failure for a profile the stack config does not define: none when it does. */
export function profileFailures(profile: unknown): { property: string; reason: string }[] {
  const problem = profileProblem(profile);
  return problem ? [{ property: "profile", reason: problem }] : [];
}

/** The config a profile stands for: the named entry of `zookeeper:profiles`, or the stack's own. */
export function profileConfig(
  profile: string | undefined,
  config: ProviderConfig = state.config,
): ProviderConfig {
  if (profile === undefined) return config;
  const problem = profileProblem(profile, config);
  if (problem) throw new Error(problem);
  return config.profiles?.[profile] as ProviderConfig;
}

/**
 * Connection settings for a resource: its own connect string, else its profile's (or the stack's),
 * with the profile's (or the stack's) credentials, timeout and TLS.
 */
export function settingsOf(props: { connectString?: unknown; profile?: unknown }): ConnectionSettings {
  const profile = typeof props.profile === "string" ? props.profile : undefined;
  return settingsFor(props.connectString as string | undefined, profileConfig(profile));
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

/**
 * The connect string resources without their own write to: their profile's, else the stack's
 * `zookeeper:connectString`, if set.
 */
export function stackConnectString(profile?: unknown): string | undefined {
  const named = typeof profile === "string" ? state.config.profiles?.[profile] : undefined;
  return named ? named.connectString : state.config.connectString;
}
