import type * as pulumi from "@pulumi/pulumi";
import type { AclEntry } from "../core/acl";
import type { Endpoint } from "../core/formats";
import provider = require("../providers/zkServiceRegistration");
import { declaredOutputs, ZnodeResource } from "./zkResource";
import { userKeyed } from "./userKeys";

/** Inputs of {@link ZkServiceRegistration}. */
export interface ZkServiceRegistrationArgs {
  /**
   * Ensemble to write to, `host:port,...[/chroot]`.
   * @default the stack config `zookeeper:connectString`
   */
  connectString?: pulumi.Input<string>;
  /**
   * A named connection of the stack config `zookeeper:profiles` (another ensemble, identity or
   * TLS): its connect string (unless `connectString` is given), digest, TLS and session timeout
   * are used instead of the stack's own. Its secrets stay in the stack config; state records only
   * the name. Changing it replaces the resource.
   * @default none: the stack config's own `zookeeper:*` settings
   */
  profile?: pulumi.Input<string>;
  /** Service name: one path component, e.g. `checkout`. */
  service: pulumi.Input<string>;
  /** Host name or address clients connect to. */
  address: pulumi.Input<string>;
  /**
   * Port clients connect to. Required, except for the curator format with `sslPort`.
   * @default none
   */
  port?: pulumi.Input<number>;
  /**
   * TLS port (curator and json formats).
   * @default none
   */
  sslPort?: pulumi.Input<number>;
  /**
   * Instance id, the znode name for the curator and json formats. Changing it replaces the
   * registration.
   * @default a UUID-shaped id derived from address, port and sslPort: stable across runs
   */
  id?: pulumi.Input<string>;
  /**
   * Where services live.
   * @default "/services"
   */
  basePath?: pulumi.Input<string>;
  /**
   * Wire format: `"curator"` (Curator service discovery, Spring Cloud Zookeeper),
   * `"serverset"` (Finagle, Aurora: sequential `member_` znodes) or `"json"`
   * (`{address, port, timestamp, ...payload}`).
   * @default "curator"
   */
  format?: pulumi.Input<"curator" | "serverset" | "json">;
  /**
   * Curator payload (any JSON value), or extra fields of the json format (an object).
   * @default none (null)
   */
  payload?: pulumi.Input<unknown>;
  /**
   * Java class of an object payload, written as Jackson's `@class` type id so typed Curator
   * consumers (e.g. Spring Cloud Zookeeper's `ZookeeperInstance`) can read it. Curator format only.
   * @default none
   */
  payloadClass?: pulumi.Input<string>;
  /**
   * Curator URI template, e.g. `{scheme}://{address}:{port}`.
   * @default none (null)
   */
  uriSpec?: pulumi.Input<string>;
  /**
   * ServerSet additional endpoints by name.
   * @default {}
   */
  additionalEndpoints?: pulumi.Input<Record<string, pulumi.Input<Endpoint>>>;
  /**
   * ServerSet shard number.
   * @default none
   */
  shard?: pulumi.Input<number>;
  /**
   * ServerSet metadata.
   * @default {}
   */
  metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * `false` drains the instance: consumers stop routing to it while it stays registered. Curator:
   * the `enabled` field, as Curator 5 writes it; ServerSet: status `STOPPING` instead of `ALIVE`;
   * json: an `enabled` field. Changing it rewrites the znode in place, compare-and-set, so a rolling
   * change can drain an instance, deploy it and enable it again.
   * @default none: no `enabled` field is written, which consumers read as enabled (ServerSet: `ALIVE`)
   */
  enabled?: pulumi.Input<boolean>;
  /**
   * ACL of the registration znode.
   * @default the ACL of the closest existing ancestor (left alone on later updates when omitted)
   */
  acl?: pulumi.Input<pulumi.Input<AclEntry>[]>;
  /**
   * Take over an instance znode that already exists (keeping its registration time).
   * @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/**
 * A service instance registered as a persistent znode at `{basePath}/{service}/{id}` (ServerSet:
 * `member_NNNNNNNNNN`), in a format that existing consumers in other languages read. Its Pulumi
 * `id` output is the instance id (ServerSet: the member znode name).
 */
export class ZkServiceRegistration extends ZnodeResource {
  /** When the instance was first registered, ms since the epoch; kept across updates. */
  declare public readonly registrationTimeUTC: pulumi.Output<number>;
  /** The JSON written to the znode. */
  declare public readonly data: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource.
   * @param args The instance to register.
   * @param opts Resource options.
   */
  constructor(name: string, args: ZkServiceRegistrationArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = declaredOutputs<ZkServiceRegistration>("path", "version", "registrationTimeUTC", "data");
    // `id` is the Pulumi resource id, which the provider sets to the instance id (ServerSet: the
    // member znode name), so the input travels as `instanceId`.
    const { id, ...rest } = args;
    const maps: Record<string, unknown> = {};
    for (const key of ["payload", "additionalEndpoints", "metadata"] as const) {
      const safe = userKeyed(args[key], key);
      if (safe) maps[key] = safe;
    }
    super(
      provider,
      "ZkServiceRegistration",
      name,
      { ...outputs, ...rest, ...maps, ...(id === undefined ? {} : { instanceId: id }) },
      opts,
    );
  }
}
