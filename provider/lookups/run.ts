/**
 * The lookups' implementation, loaded by `api.ts` on the first lookup (see there), so that
 * programs which never look anything up do not load zod, the ZooKeeper client or the TLS code.
 */
import * as pulumi from "@pulumi/pulumi";
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
import {
  profileConfig,
  type ProviderConfig,
  readConfig,
  sessionSettings,
  settingsFor,
} from "../runtime/settings";
import type { EnsembleInfo, GetEnsembleArgs, GetServiceInstancesArgs } from "./api";
import { type EnsembleResult, lookUpEnsemble } from "./ensemble";
import { readServiceInstances } from "./serviceInstances";
import { waitForServiceInstances, WaitTimeout, waitSummary } from "./waitForInstances";

/** The longest a lookup may wait for instances: an hour, far past any sensible deploy step. */
const MAX_WAIT_SECONDS = 3600;

/** The stack's `zookeeper:*` config, read in the program process (secrets included, never logged). */
function stackConfig() {
  return readConfig((key) => pulumi.runtime.getConfig(`zookeeper:${key}`));
}

/**
 * The config a lookup's profile stands for, from the stack config (the stack's own without a
 * profile). A profile the stack config does not define is an invalid argument of the lookup
 * (`what`), reported with the rule and the remedy.
 */
function lookupConfig(what: string, profile: string | undefined): ProviderConfig {
  const config = stackConfig();
  try {
    return profileConfig(profile, config);
  } catch (err) {
    // profileConfig throws only for a profile it cannot use, its message the rule and the remedy.
    throw new pulumi.RunError(`invalid ${what} arguments: profile: ${(err as Error).message}`);
  }
}

/**
 * Logs through the engine without waiting. pulumi.log sends messages in order and never rejects
 * (a message it cannot deliver goes to stderr), so a caller that expects a plain callback loses nothing.
 */
const logInfo = (message: string): void => void pulumi.log.info(message);
const logWarn = (message: string): void => void pulumi.log.warn(message);

function failIfInvalid(what: string, failures: { property: string; reason: string }[]): void {
  if (failures.length === 0) return;
  // A RunError ends the program with its message only: the stack trace says nothing to a user.
  throw new pulumi.RunError(
    `invalid ${what} arguments: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
  );
}

const serviceQuery = z.strictObject({
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
export async function getServiceInstances(args: GetServiceInstancesArgs): Promise<ServiceInstance[]> {
  const { inputs, failures } = validate(serviceQuery, { ...args }, { basePath: DEFAULT_BASE_PATH });
  failIfInvalid("getServiceInstances", failures);
  const settings = settingsFor(inputs.connectString, lookupConfig("getServiceInstances", inputs.profile));
  const query = {
    service: inputs.service,
    basePath: inputs.basePath,
    ...(inputs.formats ? { formats: inputs.formats } : {}),
    ...(inputs.includeNotServing ? { includeNotServing: true } : {}),
  };
  const wait = inputs.wait;
  if (!wait) return readServiceInstances(settings, query, logWarn);
  if (pulumi.runtime.isDryRun()) {
    // One read: the wait below reads the directory itself, with its watches, the first time round.
    const all = await readServiceInstances(settings, { ...query, includeNotServing: true }, logWarn);
    const answer = () => (query.includeNotServing ? all : all.filter((i) => i.serving));
    if (all.filter((i) => i.serving).length >= wait.minInstances) return answer();
    // A preview (a pull request's too) must not hang: it reports what is there and goes on with it.
    const seen = { exists: true, instances: all, skipped: [] };
    logWarn(
      `preview does not wait: ${waitSummary(query, wait, seen)}. ` +
        `'pulumi up' waits up to ${wait.timeoutSeconds} s for ${wait.minInstances}.`,
    );
    return answer();
  }
  try {
    return await waitForServiceInstances(settings, query, wait, { info: logInfo, warn: logWarn });
  } catch (err) {
    // The listing is the whole story: no stack trace.
    if (err instanceof WaitTimeout) throw new pulumi.RunError(err.message);
    throw err;
  }
}

/** See `checkEnsembleArgs` in `api.ts`. */
export function checkEnsembleArgs(args: GetEnsembleArgs): EnsembleLookupInputs {
  const { inputs, failures } = validate(ensembleLookupInputs, { ...args }, ENSEMBLE_LOOKUP_DEFAULTS);
  failIfInvalid("ensemble lookup", failures);
  return inputs;
}

/** See `getEnsemble` in `api.ts`: discovers an ensemble's members from one name. Runs on every preview and up. */
export async function getEnsemble(args: GetEnsembleArgs): Promise<EnsembleInfo> {
  const inputs = checkEnsembleArgs(args);
  // The profile's (or the stack's) credentials, timeout and TLS: a seed is reached like any member.
  const seedSettings = sessionSettings(lookupConfig("ensemble lookup", inputs.profile));
  const result: EnsembleResult = await lookUpEnsemble(inputs, seedSettings, logWarn);
  return result;
}
