/**
 * The lookups' implementation, loaded by `api.ts` on the first lookup (see there), so that
 * programs which never look anything up do not load zod, the ZooKeeper client or the TLS code.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  ENSEMBLE_LOOKUP_DEFAULTS,
  ensembleLookupInputs,
  EnsembleLookupInputs,
} from "../core/ensembleSources";
import { ServiceInstance } from "../core/formats";
import { connectString, pathComponent, REGISTRATION_FORMATS, zkPath } from "../core/schemas";
import { validate } from "../core/validation";
import { readConfig, sessionSettings, settingsFor } from "../runtime/settings";
import type { EnsembleInfo, GetEnsembleArgs, GetServiceInstancesArgs } from "./api";
import { EnsembleResult, lookUpEnsemble } from "./ensemble";
import { readServiceInstances } from "./serviceInstances";

/** The stack's `zookeeper:*` config, read in the program process (secrets included, never logged). */
function stackConfig() {
  return readConfig((key) => pulumi.runtime.getConfig(`zookeeper:${key}`));
}

function failIfInvalid(what: string, failures: { property: string; reason: string }[]): void {
  if (failures.length === 0) return;
  // A RunError ends the program with its message only: the stack trace says nothing to a user.
  throw new pulumi.RunError(
    `invalid ${what} arguments: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
  );
}

const serviceQuery = z.strictObject({
  service: pathComponent("service name"),
  basePath: zkPath.default("/services"),
  formats: z
    .array(z.enum(REGISTRATION_FORMATS, { message: "formats must be curator, serverset or json" }))
    .optional(),
  includeNotServing: z.boolean().optional(),
  connectString: connectString.optional(),
});

/** See `getServiceInstances` in `api.ts`. */
export async function getServiceInstances(args: GetServiceInstancesArgs): Promise<ServiceInstance[]> {
  const { inputs, failures } = validate(serviceQuery, { ...args }, { basePath: "/services" });
  failIfInvalid("getServiceInstances", failures);
  const settings = settingsFor(inputs.connectString, stackConfig());
  const query = {
    service: inputs.service,
    basePath: inputs.basePath,
    ...(inputs.formats ? { formats: inputs.formats } : {}),
    ...(inputs.includeNotServing ? { includeNotServing: true } : {}),
  };
  return readServiceInstances(settings, query, (m) => pulumi.log.warn(m));
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
  // The stack's credentials, timeout and TLS: a seed is reached like any other member.
  const seedSettings = sessionSettings(stackConfig());
  const result: EnsembleResult = await lookUpEnsemble(inputs, seedSettings, (m) => pulumi.log.warn(m));
  return result;
}
