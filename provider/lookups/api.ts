import * as pulumi from "@pulumi/pulumi";
import type { ServerAddress } from "../core/connectString";
import type { EnsembleLookupInputs } from "../core/ensembleSources";
import type { ServiceInstance } from "../core/formats";
import type { RegistrationFormat } from "../core/schemas";
import type * as Run from "./run";

/**
 * What the lookups run on, loaded by the first lookup: zod and the argument schemas, the ZooKeeper
 * client, sessions and TLS. Every program using this package loads this module, most never look
 * anything up, and loading all that costs about 100 ms of CPU.
 */
let run: typeof Run | undefined;
const lookups = () => (run ??= require("./run") as typeof Run);

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
   * Return instances that do not serve too: a Curator or json instance with `enabled: false`
   * (drained), a ServerSet member whose `status` is not `ALIVE`. Each result says `serving`.
   * @default false: only serving instances, as Curator's `ServiceProvider` and Finagle route
   */
  includeNotServing?: boolean;
  /**
   * Wait, during `pulumi up`, until at least `minInstances` serving instances are registered (by
   * Pulumi or by the services themselves, ephemeral ones included), for at most `timeoutSeconds`.
   * It follows ZooKeeper watches on the service's children and their data, logs progress (how many
   * of how many, which ones) and, on timeout, fails with what it saw and why each instance that did
   * not count does not serve. `pulumi preview` does not wait: it warns with the current count and
   * returns what is there.
   * @default no waiting
   */
  wait?: WaitForInstances;
  /**
   * A named connection of the stack config `zookeeper:profiles` to read through (its connect
   * string unless `connectString` is given, its digest and TLS).
   * @default the stack config's own `zookeeper:*` settings
   */
  profile?: string;
  /**
   * Ensemble to read.
   * @default the stack config `zookeeper:connectString`
   */
  connectString?: string;
}

/** How many serving instances {@link getServiceInstances} waits for, and for how long. */
export interface WaitForInstances {
  /** Serving instances needed, 1 or more. */
  minInstances: number;
  /** Give up after this many seconds (at most 3600). */
  timeoutSeconds: number;
}

/**
 * The providers of a service: every serving instance registered under `{basePath}/{service}` in any
 * of the three formats, by Pulumi or by running services themselves, sorted by registration time
 * (drained and non-ALIVE ones too with `includeNotServing`). Runs on every preview and up. Children
 * that are not service instances are skipped with a warning.
 */
export function getServiceInstances(args: GetServiceInstancesArgs): Promise<ServiceInstance[]> {
  return lookups().getServiceInstances(args);
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
  /**
   * A named connection of the stack config `zookeeper:profiles` whose credentials, session timeout
   * and TLS settings reach a `seed` (its connect string is not used: the source names the ensemble).
   * @default the stack's own `zookeeper:*` settings
   */
  profile?: string;
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
  return lookups().checkEnsembleArgs(args);
}

/** Discovers an ensemble's members from one name. Runs on every preview and up. */
export function getEnsemble(args: GetEnsembleArgs): Promise<EnsembleInfo> {
  return lookups().getEnsemble(args);
}

/** {@link getEnsemble} taking and returning Pulumi inputs and outputs. */
export function getEnsembleOutput(args: InputArgs<GetEnsembleArgs>): pulumi.Output<EnsembleInfo> {
  return pulumi.output(args).apply((a) => getEnsemble(a as GetEnsembleArgs));
}
