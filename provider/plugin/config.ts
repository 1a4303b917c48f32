/**
 * The provider's configuration: `zkdiscovery:*` stack config for the default provider, or the
 * arguments of an explicit provider resource. The same keys and rules as the TypeScript
 * package's `zookeeper:*` config (runtime/settings.ts), read by the same code.
 */
import type { Props } from "../runtime/dynamic";
import { type ProviderConfig, readConfig } from "../runtime/settings";
import { sameEnsembleTarget } from "../core/connectString";
import { sameValue } from "../core/diff";
import { containsUnknown } from "../core/validation";
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

/** The TLS keys, judged together (a certificate needs its key): one not yet known leaves all unjudged. */
const TLS_KEYS = ["tls", "tlsCa", "tlsCert", "tlsKey", "tlsServerName"];

/**
 * The config without values not yet known (a preview of a provider whose config comes from other
 * resources): a key holding one anywhere, and the whole TLS group when one of its keys does.
 */
export function knownConfig(values: Props): Props {
  const unknownTls = TLS_KEYS.some((k) => containsUnknown(values[k]));
  return Object.fromEntries(
    Object.entries(values).filter(([k, v]) => !containsUnknown(v) && !(unknownTls && TLS_KEYS.includes(k))),
  );
}

/** A connect string's change: same when both name the same members and chroot (another spelling of it). */
function sameTarget(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" ? sameEnsembleTarget(a, b) : sameValue(a, b);
}

/**
 * Whether a change of the provider config moves its resources to another ensemble, which replaces
 * them all (the engine creates each anew through the new config, then deletes the old through the
 * old). Only `connectString` naming other members or another chroot does, or a profile removed or
 * pointed at another ensemble; reordered hosts, a new profile, credentials, TLS and the timeout update
 * the provider in place. A value not known yet (a preview) is a change, not a replacement: the
 * update decides on the known value. An alias of the same ensemble (other host names) cannot be told
 * from another ensemble: it replaces, creating before deleting, so resources at the same paths fail
 * with "already exists" instead of losing anything.
 */
export function replacingConfigKeys(olds: Props, news: Props): string[] {
  const replaces: string[] = [];
  const known = (v: unknown) => !containsUnknown(v);
  if (known(news.connectString) && !sameTarget(olds.connectString, news.connectString))
    replaces.push("connectString");
  const before = profileTargets(olds.profiles);
  const after = profileTargets(news.profiles);
  if (
    known(news.profiles) &&
    [...before].some(([name, cs]) => !after.has(name) || !sameTarget(cs, after.get(name)))
  )
    replaces.push("profiles");
  return replaces;
}

/** Each profile's connect string, from the profiles value (an object, or its JSON text). */
function profileTargets(value: unknown): Map<string, unknown> {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return new Map();
    }
  }
  if (!parsed || typeof parsed !== "object") return new Map();
  return new Map(
    Object.entries(parsed as Record<string, unknown>).map(([name, p]) => [
      name,
      p && typeof p === "object" ? (p as Props).connectString : undefined,
    ]),
  );
}

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
  try {
    providerConfig(knownConfig(values));
  } catch (err) {
    const message = (err as Error).message;
    const property = /\bzkdiscovery:([A-Za-z]+)/.exec(message)?.[1] ?? "";
    failures.push({ property, reason: message });
  }
  return failures;
}
