import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ServerAddress } from "../core/connectString";
import {
  ENSEMBLE_LOOKUP_DEFAULTS,
  ensembleLookupInputs,
  EnsembleLookupInputs,
} from "../core/ensembleSources";
import { ServiceInstance } from "../core/formats";
import {
  connectString,
  pathComponent,
  REGISTRATION_FORMATS,
  RegistrationFormat,
  zkPath,
} from "../core/schemas";
import { validate } from "../core/validation";
import { readConfig, settingsFor } from "../runtime/settings";
import { DEFAULT_SESSION_TIMEOUT_MS } from "../zk/pool";
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

/** Arguments of {@link getServiceInstances}. */
export interface GetServiceInstancesArgs {
  /** Service name. */
  service: string;
  /**
   * Where services live.
   * @default "/services"
   */
  basePath?: string;
  /**
   * Formats to return.
   * @default all three: curator, serverset, json
   */
  formats?: RegistrationFormat[];
  /**
   * Ensemble to read.
   * @default the stack config `zookeeper:connectString`
   */
  connectString?: string;
}

const serviceQuery = z.strictObject({
  service: pathComponent("service name"),
  basePath: zkPath.default("/services"),
  formats: z
    .array(z.enum(REGISTRATION_FORMATS, { message: "formats must be curator, serverset or json" }))
    .optional(),
  connectString: connectString.optional(),
});

/**
 * All providers of a service: every instance registered under `{basePath}/{service}` in any of the
 * three formats, by Pulumi or by running services themselves, sorted by registration time. Runs
 * on every preview and up. Children that are not service instances are skipped with a warning.
 */
export async function getServiceInstances(args: GetServiceInstancesArgs): Promise<ServiceInstance[]> {
  const { inputs, failures } = validate(serviceQuery, { ...args }, { basePath: "/services" });
  failIfInvalid("getServiceInstances", failures);
  const settings = settingsFor(inputs.connectString, stackConfig());
  const query = {
    service: inputs.service,
    basePath: inputs.basePath,
    ...(inputs.formats ? { formats: inputs.formats } : {}),
  };
  return readServiceInstances(settings, query, (m) => pulumi.log.warn(m));
}

/** Arguments whose fields may be Pulumi inputs (values or outputs of other resources). */
export type InputArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** {@link getServiceInstances} taking and returning Pulumi inputs and outputs. */
export function getServiceInstancesOutput(
  args: InputArgs<GetServiceInstancesArgs>,
): pulumi.Output<ServiceInstance[]> {
  return pulumi.output(args).apply((a) => getServiceInstances(a as GetServiceInstancesArgs));
}

/** Where to discover an ensemble: exactly one of `exhibitor`, `seed` or `servers`. */
export interface GetEnsembleArgs {
  /** Exhibitor's REST API, asked on each host in turn. */
  exhibitor?: {
    /** Exhibitor hosts. */
    hosts: string[];
    /**
     * Exhibitor's HTTP port.
     * @default 8080
     */
    port?: number;
    /**
     * Path before `exhibitor/v1/cluster/list`.
     * @default "/"
     */
    restPath?: string;
    /**
     * Use HTTPS.
     * @default false
     */
    https?: boolean;
    /**
     * Connect string used when no Exhibitor host answers.
     * @default none: the lookup fails
     */
    backupConnectString?: string;
    /**
     * Per-request timeout in milliseconds.
     * @default 3000
     */
    timeoutMs?: number;
    /**
     * Extra rounds over all hosts.
     * @default 2
     */
    retries?: number;
  };
  /** A connect string of any member; the membership comes from its `/zookeeper/config`. */
  seed?: string;
  /** A static list of `host:port`. */
  servers?: string[];
  /**
   * Chroot appended in `chrootedConnectString`.
   * @default none
   */
  chroot?: string;
}

/** What an ensemble lookup found: members sorted by host and port, and connect strings. */
export interface EnsembleInfo {
  /** Members, sorted. */
  readonly servers: ServerAddress[];
  /** `host:port,...`. */
  readonly connectString: string;
  /** `connectString` with the chroot, or equal to it without one. */
  readonly chrootedConnectString: string;
  /** `exhibitor`, `seed`, `servers`, or `backup` when Exhibitor fell back to its backup connect string. */
  readonly source: string;
}

/** Validates lookup arguments, throwing one error that lists every broken rule. */
export function checkEnsembleArgs(args: GetEnsembleArgs): EnsembleLookupInputs {
  const { inputs, failures } = validate(ensembleLookupInputs, { ...args }, ENSEMBLE_LOOKUP_DEFAULTS);
  failIfInvalid("ensemble lookup", failures);
  return inputs;
}

/** Discovers an ensemble's members from one name. Runs on every preview and up. */
export async function getEnsemble(args: GetEnsembleArgs): Promise<EnsembleInfo> {
  const inputs = checkEnsembleArgs(args);
  const config = stackConfig();
  const seedSettings = {
    ...(config.digest ? { digest: config.digest } : {}),
    sessionTimeoutMs: config.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
  };
  const result: EnsembleResult = await lookUpEnsemble(inputs, seedSettings, (m) => pulumi.log.warn(m));
  return result;
}

/** {@link getEnsemble} taking and returning Pulumi inputs and outputs. */
export function getEnsembleOutput(args: InputArgs<GetEnsembleArgs>): pulumi.Output<EnsembleInfo> {
  return pulumi.output(args).apply((a) => getEnsemble(a as GetEnsembleArgs));
}
