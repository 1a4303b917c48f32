/**
 * The provider's configuration: `zkdiscovery:*` stack config for the default provider, or the
 * arguments of an explicit provider resource. The same keys and rules as the TypeScript
 * package's `zookeeper:*` config (runtime/settings.ts), read by the same code.
 */
import type { Props } from "../runtime/dynamic";
import { type ProviderConfig, readConfig } from "../runtime/settings";
import { UNKNOWN } from "../core/validation";
import { inPluginTerms, PACKAGE } from "./names";

/** Every provider config key, with what it holds; the schema documents them from here. */
export const CONFIG_KEYS = {
  connectString: "Ensemble to write to, `host:port,...[/chroot]`, for resources without their own.",
  digest: "Digest credentials `user:password` added to every session (a secret).",
  sessionTimeoutMs: "ZooKeeper session timeout in milliseconds, 1000 to 600000.",
  tls: "Connect with TLS (`true`/`false`); on by default when any other `tls*` key is set.",
  tlsCa: "PEM of the CA that signed the servers' certificates, or a path to it.",
  tlsCert: "PEM of a client certificate, or a path to it; goes with `tlsKey`.",
  tlsKey: "PEM of the client certificate's key, or a path to it (a secret).",
  tlsServerName: "The name the servers' certificates must carry, when not the host connected to.",
  profiles:
    "Named connections (another ensemble, identity or TLS) that resources pick with their `profile` input: " +
    "an object of name to the keys above, without `profiles`.",
} as const;

/** The config keys whose values are secrets. */
export const SECRET_CONFIG_KEYS: readonly (keyof typeof CONFIG_KEYS)[] = ["digest", "tlsKey"];

/** The config keys whose change moves the provider's resources to another ensemble: a replacement. */
export const REPLACING_CONFIG_KEYS: readonly (keyof typeof CONFIG_KEYS)[] = ["connectString", "profiles"];

/** A config value as the text `readConfig` reads: structured values (profiles) as JSON. */
function configText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The config in a provider's inputs (`args`), or in the engine's variables (`zkdiscovery:config:key`,
 * all text) when it sent no args.
 */
export function configValues(args: Props | undefined, variables: Map<string, string>): Props {
  if (args && Object.keys(args).length > 0) return args;
  const values: Props = {};
  const prefix = `${PACKAGE}:config:`;
  for (const [key, value] of variables) if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
  return values;
}

/** Reads provider config; errors name the `zkdiscovery:` key and the remedy, never a secret. */
export function providerConfig(values: Props): ProviderConfig {
  try {
    return readConfig((key) => configText(values[key]));
  } catch (err) {
    throw new Error(inPluginTerms((err as Error).message));
  }
}

/** CheckConfig's failures: unknown keys, and the rules `readConfig` enforces (values not yet known are not judged). */
export function configFailures(values: Props): { property: string; reason: string }[] {
  const failures = Object.keys(values)
    .filter((k) => !k.startsWith("__") && k !== "version" && !Object.hasOwn(CONFIG_KEYS, k))
    .map((k) => ({
      property: k,
      reason: `unknown ${PACKAGE} config key '${k}'; known: ${Object.keys(CONFIG_KEYS).join(", ")}`,
    }));
  const known = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== UNKNOWN));
  try {
    providerConfig(known);
  } catch (err) {
    const message = (err as Error).message;
    const property = /\bzkdiscovery:([A-Za-z]+)/.exec(message)?.[1] ?? "";
    failures.push({ property, reason: message });
  }
  return failures;
}
