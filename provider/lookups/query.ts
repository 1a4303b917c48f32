/**
 * The lookups without a host: arguments checked, the profile resolved against a given config,
 * the directory read or waited on. The program side (`run.ts`) runs them with the stack config
 * and Pulumi's log; the provider plugin (`plugin/functions.ts`) with its provider config and the
 * engine's log. Errors are plain `LookupError`s whose message is the whole story.
 */
import { z } from "zod";
import {
  ENSEMBLE_LOOKUP_DEFAULTS,
  ensembleLookupInputs,
  type EnsembleLookupInputs,
} from "../core/ensembleSources";
import { type ServiceInstance } from "../core/formats";
import { DEFAULT_BASE_PATH, REGISTRATION_FORMATS } from "../core/definitions";
import { connectString, pathComponent, zkPath } from "../core/schemas";
import { validate } from "../core/validation";
import { profileConfig, type ProviderConfig, sessionSettings, settingsFor } from "../runtime/settings";
import type { EnsembleInfo, GetEnsembleArgs, GetServiceInstancesArgs } from "./api";
import { type EnsembleResult, lookUpEnsemble } from "./ensemble";
import { readServiceInstances } from "./serviceInstances";
import { waitForServiceInstances, WaitTimeout, waitSummary } from "./waitForInstances";

/** The longest a lookup may wait for instances: an hour, far past any sensible deploy step. */
const MAX_WAIT_SECONDS = 3600;

/** A lookup's failure whose message says everything a user needs: no stack trace to show. */
export class LookupError extends Error {}

/** Where a lookup runs: the config its profiles come from, whether this is a preview, and a log. */
export interface LookupHost {
  /** The stack's (or the provider's) `zookeeper:*` settings, read when a lookup's arguments are valid. */
  readonly config: () => ProviderConfig;
  /** True during `pulumi preview`: a lookup never waits then. */
  readonly dryRun: boolean;
  /** Logs progress. */
  readonly info: (message: string) => void;
  /** Logs a warning. */
  readonly warn: (message: string) => void;
}

/**
 * The config a lookup's profile stands for (the host's own without a profile). A profile the
 * config does not define is an invalid argument of the lookup (`what`), reported with the rule and
 * the remedy.
 */
function lookupConfig(what: string, profile: string | undefined, host: LookupHost): ProviderConfig {
  const config = host.config();
  try {
    return profileConfig(profile, config);
  } catch (err) {
    // profileConfig throws only for a profile it cannot use, its message the rule and the remedy.
    throw new LookupError(`invalid ${what} arguments: profile: ${(err as Error).message}`);
  }
}

function failIfInvalid(what: string, failures: { property: string; reason: string }[]): void {
  if (failures.length === 0) return;
  throw new LookupError(
    `invalid ${what} arguments: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
  );
}

/** The arguments of `getServiceInstances`. */
export const serviceQuery = z.strictObject({
  service: pathComponent("service name"),
  basePath: zkPath.default(DEFAULT_BASE_PATH),
  formats: z
    .array(z.enum(REGISTRATION_FORMATS, { message: "formats must be curator, serverset or json" }))
    .optional(),
  includeNotServing: z.boolean().optional(),
  wait: z
    .strictObject({
      minInstances: z.number().int().min(1, "wait.minInstances must be 1 or more"),
      timeoutSeconds: z
        .number()
        .positive("wait.timeoutSeconds must be more than 0")
        .max(MAX_WAIT_SECONDS, `wait.timeoutSeconds must be at most ${MAX_WAIT_SECONDS} (an hour)`),
    })
    .optional(),
  profile: z.string().min(1, "profile must not be empty").optional(),
  connectString: connectString.optional(),
});

/** See `getServiceInstances` in `api.ts`. */
export async function serviceInstances(
  args: GetServiceInstancesArgs,
  host: LookupHost,
): Promise<ServiceInstance[]> {
  const { inputs, failures } = validate(serviceQuery, { ...args }, { basePath: DEFAULT_BASE_PATH });
  failIfInvalid("getServiceInstances", failures);
  const config = lookupConfig("getServiceInstances", inputs.profile, host);
  const settings = settingsFor(inputs.connectString, config);
  const query = {
    service: inputs.service,
    basePath: inputs.basePath,
    ...(inputs.formats ? { formats: inputs.formats } : {}),
    ...(inputs.includeNotServing ? { includeNotServing: true } : {}),
  };
  const wait = inputs.wait;
  if (!wait) return readServiceInstances(settings, query, host.warn);
  if (host.dryRun) {
    // One read: the wait below reads the directory itself, with its watches, the first time round.
    const all = await readServiceInstances(settings, { ...query, includeNotServing: true }, host.warn);
    const answer = () => (query.includeNotServing ? all : all.filter((i) => i.serving));
    if (all.filter((i) => i.serving).length >= wait.minInstances) return answer();
    // A preview (a pull request's too) must not hang: it reports what is there and goes on with it.
    const seen = { exists: true, instances: all, skipped: [] };
    host.warn(
      `preview does not wait: ${waitSummary(query, wait, seen)}. ` +
        `'pulumi up' waits up to ${wait.timeoutSeconds} s for ${wait.minInstances}.`,
    );
    return answer();
  }
  try {
    return await waitForServiceInstances(settings, query, wait, host);
  } catch (err) {
    // The listing is the whole story: no stack trace.
    if (err instanceof WaitTimeout) throw new LookupError(err.message);
    throw err;
  }
}

/** See `checkEnsembleArgs` in `api.ts`. */
export function ensembleArgs(args: GetEnsembleArgs): EnsembleLookupInputs {
  const { inputs, failures } = validate(ensembleLookupInputs, { ...args }, ENSEMBLE_LOOKUP_DEFAULTS);
  failIfInvalid("ensemble lookup", failures);
  return inputs;
}

/** See `getEnsemble` in `api.ts`: discovers an ensemble's members from one name. */
export async function ensemble(args: GetEnsembleArgs, host: LookupHost): Promise<EnsembleInfo> {
  const inputs = ensembleArgs(args);
  // The profile's (or the host's) credentials, timeout and TLS: a seed is reached like any member.
  const seedSettings = sessionSettings(lookupConfig("ensemble lookup", inputs.profile, host));
  const result: EnsembleResult = await lookUpEnsemble(inputs, seedSettings, host.warn);
  return result;
}
