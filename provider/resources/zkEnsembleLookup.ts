import type * as pulumi from "@pulumi/pulumi";
import type { ServerAddress } from "../core/connectString";
import { type GetEnsembleArgs, getEnsembleOutput, type InputArgs } from "../lookups/api";
import provider = require("../providers/zkEnsembleLookup");
import { ZkResource } from "./zkResource";

/** Inputs of {@link ZkEnsembleLookup}: exactly one source, and an optional chroot. */
export type ZkEnsembleLookupArgs = InputArgs<GetEnsembleArgs>;

/**
 * Discovers an ensemble from one name (an Exhibitor endpoint, a seed member's `/zookeeper/config`,
 * or a static list) on every preview and up, and records the membership in state so that a
 * change shows as a diff in `pulumi preview`.
 */
export class ZkEnsembleLookup extends ZkResource {
  /** Members, sorted by host and port. */
  declare public readonly servers: pulumi.Output<ServerAddress[]>;
  /** `host:port,...`, sorted. */
  declare public readonly connectString: pulumi.Output<string>;
  /** `connectString` with the chroot appended (equal to it without a chroot). */
  declare public readonly chrootedConnectString: pulumi.Output<string>;
  /** Where the membership came from: `exhibitor`, `seed`, `servers` or `backup`. */
  declare public readonly source: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource.
   * @param args Exactly one of `exhibitor`, `seed` or `servers`, and an optional `chroot`.
   * @param opts Resource options.
   */
  constructor(name: string, args: ZkEnsembleLookupArgs, opts?: pulumi.CustomResourceOptions) {
    const found = getEnsembleOutput(args);
    super(
      provider,
      "ZkEnsembleLookup",
      name,
      {
        servers: found.servers,
        connectString: found.connectString,
        chrootedConnectString: found.chrootedConnectString,
        source: found.source,
      },
      opts,
    );
  }
}
