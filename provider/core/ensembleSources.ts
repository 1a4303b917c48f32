/**
 * Inputs of the ensemble lookups (`ZkEnsembleLookup`, `getEnsemble`; docs/DESIGN.md §1): exactly one
 * source, `exhibitor`, `seed` or `servers`, and an optional chroot. Pure.
 */
import { z } from "zod";
import { parseConnectString, parseServer } from "./connectString";
import { normalizeRestPath } from "./exhibitor";
import { connectString, port, printable, rule, zkPath } from "./schemas";
import { UNKNOWN } from "./validation";

/** The ways a lookup can find the ensemble, in the order the error message names them. */
export const ENSEMBLE_SOURCES = ["exhibitor", "seed", "servers"] as const;
/** One of the ensemble sources. */
export type EnsembleSource = (typeof ENSEMBLE_SOURCES)[number];

/** Defaults of the `exhibitor` source's fields. */
export const EXHIBITOR_DEFAULTS = {
  port: 8080,
  restPath: "/",
  https: false,
  timeoutMs: 3000,
  retries: 2,
} as const;

/**
 * Top-level defaults of lookup inputs, for `validate`. Empty on purpose: the only defaults belong to
 * the `exhibitor` source ({@link EXHIBITOR_DEFAULTS}), and merging them in would invent that source.
 */
export const ENSEMBLE_LOOKUP_DEFAULTS: Readonly<Record<string, unknown>> = {};

/** Why an Exhibitor host entry is not a bare host name, or undefined. */
function exhibitorHostProblem(host: string): string | undefined {
  if (host.trim() === "") return "host must not be empty";
  if (/\s/.test(host)) return `host '${printable(host)}' must not contain whitespace`;
  if (host.includes("/"))
    return `host '${printable(host)}' must be a host name, not a URL; set https and restPath`;
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if ((bare.match(/:/g) ?? []).length === 1)
    return `host '${printable(host)}' must be a host name without a port; set exhibitor.port`;
  return undefined;
}

/** Why a REST path cannot be put into a URL, or undefined. */
function restPathProblem(path: string): string | undefined {
  if (/[\s?#]/.test(path) || [...path].some((ch) => ch.charCodeAt(0) < 0x20))
    return `restPath '${printable(path)}' must be a URL path without whitespace, '?' or '#'`;
  return undefined;
}

const range = (what: string, min: number, max: number) =>
  z
    .number()
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be from ${min} to ${max}`)
    .max(max, `${what} must be from ${min} to ${max}`);

/** The `exhibitor` source: Exhibitor hosts to ask for the cluster list, in turn. */
export const exhibitorSource = z.strictObject({
  hosts: z
    .array(z.string().superRefine(rule(exhibitorHostProblem)))
    .min(1, "exhibitor.hosts must name at least one Exhibitor host"),
  port: port.default(EXHIBITOR_DEFAULTS.port),
  restPath: z
    .string()
    .superRefine(rule(restPathProblem))
    .transform(normalizeRestPath)
    .default(EXHIBITOR_DEFAULTS.restPath),
  https: z.boolean().default(EXHIBITOR_DEFAULTS.https),
  backupConnectString: connectString.optional(),
  timeoutMs: range("timeoutMs", 100, 60_000).default(EXHIBITOR_DEFAULTS.timeoutMs),
  retries: range("retries", 0, 10).default(EXHIBITOR_DEFAULTS.retries),
});

/** A seed connect string: any reachable member, whose `/zookeeper/config` lists the others. */
const seed = connectString.superRefine((v, ctx) => {
  const parsed = parseConnectString(v);
  if (!("problem" in parsed) && parsed.chroot !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `seed '${printable(v)}' has chroot '${parsed.chroot}'; the seed only finds the ensemble, give the chroot in the chroot property`,
    });
  }
});

/** The static `servers` source: `host:port` entries (port 2181 when omitted). */
const staticServers = z
  .array(
    z.string().superRefine(
      rule((v) => {
        const parsed = parseServer(v.trim());
        return "problem" in parsed ? `server entry ${parsed.problem}` : undefined;
      }),
    ),
  )
  .min(1, "servers must list at least one host:port");

/** Inputs of `ZkEnsembleLookup` and `getEnsemble`. */
export const ensembleLookupInputs = z
  .strictObject({
    exhibitor: exhibitorSource.optional(),
    seed: seed.optional(),
    servers: staticServers.optional(),
    chroot: zkPath.refine((p) => p !== "/", "chroot cannot be the root '/'; omit it instead").optional(),
    profile: z.string().min(1, "profile must not be empty").optional(),
    connectString: z
      .unknown()
      .refine(
        (v) => v === undefined,
        "a lookup does not take connectString: it finds the ensemble from its source; use seed: '<connect string>' instead",
      )
      .optional(),
  })
  .refine((v: unknown) => sourceCountProblem(v) === undefined, {
    path: ["exhibitor"],
    // Judged even when a source itself is invalid, so two sources are reported next to the other failures.
    when: () => true,
    error: (issue) => sourceCountProblem(issue.input) ?? "",
  })
  .transform(({ connectString: _, ...v }) => v);

/** Why the number of given sources is not one, or undefined (also when unknown values leave it open). */
function sourceCountProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const inputs = value as Record<string, unknown>;
  const known = ENSEMBLE_SOURCES.filter((k) => inputs[k] !== undefined && inputs[k] !== UNKNOWN);
  const pending = ENSEMBLE_SOURCES.filter((k) => inputs[k] === UNKNOWN);
  // An unknown source may still resolve to undefined, so it neither counts nor is missing.
  if (known.length >= 2) return `give exactly one of exhibitor, seed or servers, not ${known.join(" and ")}`;
  if (known.length === 0 && pending.length === 0) return "give exactly one of exhibitor, seed or servers";
  return undefined;
}

/** Normalised lookup inputs: exactly one source, `exhibitor` with its defaults applied. */
export type EnsembleLookupInputs = z.output<typeof ensembleLookupInputs>;
/** Normalised `exhibitor` source. */
export type ExhibitorSource = z.output<typeof exhibitorSource>;

/** The source a valid set of lookup inputs uses, reported as the lookup's `source` output. */
export function ensembleSource(inputs: EnsembleLookupInputs): EnsembleSource {
  if (inputs.exhibitor !== undefined) return "exhibitor";
  return inputs.seed !== undefined ? "seed" : "servers";
}
