/**
 * The lookups as a program runs them, loaded by `api.ts` on the first lookup (see there), so that
 * programs which never look anything up do not load zod, the ZooKeeper client or the TLS code.
 * The work is in `query.ts`; this side supplies the stack config, preview or not, and Pulumi's log.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnsembleLookupInputs } from "../core/ensembleSources";
import type { ServiceInstance } from "../core/formats";
import { readConfig } from "../runtime/settings";
import type { EnsembleInfo, GetEnsembleArgs, GetServiceInstancesArgs } from "./api";
import * as query from "./query";

/**
 * The program's host: the stack's `zookeeper:*` config, read in the program process (secrets
 * included, never logged), and Pulumi's log. pulumi.log sends messages in order and never rejects
 * (a message it cannot deliver goes to stderr), so a caller that expects a plain callback loses nothing.
 */
function programHost(): query.LookupHost {
  return {
    config: () => readConfig((key) => pulumi.runtime.getConfig(`zookeeper:${key}`)),
    dryRun: pulumi.runtime.isDryRun(),
    info: (message) => void pulumi.log.info(message),
    warn: (message) => void pulumi.log.warn(message),
  };
}

/** A lookup's own failure as a RunError, which ends the program with its message only. */
async function asRunError<T>(lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (err) {
    if (err instanceof query.LookupError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

/** See `getServiceInstances` in `api.ts`. */
export function getServiceInstances(args: GetServiceInstancesArgs): Promise<ServiceInstance[]> {
  return asRunError(() => query.serviceInstances(args, programHost()));
}

/** See `checkEnsembleArgs` in `api.ts`. */
export function checkEnsembleArgs(args: GetEnsembleArgs): EnsembleLookupInputs {
  try {
    return query.ensembleArgs(args);
  } catch (err) {
    if (err instanceof query.LookupError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

/** See `getEnsemble` in `api.ts`: discovers an ensemble's members from one name. Runs on every preview and up. */
export function getEnsemble(args: GetEnsembleArgs): Promise<EnsembleInfo> {
  return asRunError(() => query.ensemble(args, programHost()));
}
