import type * as pulumi from "@pulumi/pulumi";
import type { AclEntry } from "../core/acl";
import type { Quota } from "../core/quota";
import provider = require("../providers/zkChroot");
import { declaredOutputs, ZnodeResource } from "./zkResource";
import { userKeyed } from "./userKeys";

/** Inputs of {@link ZkChroot}. */
export interface ZkChrootArgs {
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
  /** Absolute path of the chroot, e.g. `/apps/checkout`. Missing ancestors are created with it. */
  path: pulumi.Input<string>;
  /**
   * Data of the chroot znode itself.
   * @default ""
   */
  data?: pulumi.Input<string>;
  /**
   * ACL of the chroot and of every primed child.
   * @default the ACL of the closest existing ancestor (left alone on later updates when omitted)
   */
  acl?: pulumi.Input<pulumi.Input<AclEntry>[]>;
  /**
   * Children to prime, relative path → UTF-8 data, e.g. `{ "config/db": "postgres://..." }`.
   * Intermediate children (`config`) are created empty when not listed. All of them are written
   * in one transaction with the chroot: all or nothing. Changing the map adds, updates and removes
   * exactly the primed children, version-checked, in one transaction.
   * @default {}
   */
  children?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * What destroy does when the chroot has children the stack does not manage: `"refuse"` fails
   * and lists them, `"recursive"` deletes the whole subtree, `"retain"` leaves the chroot and
   * everything under it in place.
   * @default "refuse"
   */
  deletePolicy?: pulumi.Input<"refuse" | "recursive" | "retain">;
  /**
   * ZooKeeper's quota on the chroot's subtree, written as `zkCli.sh setquota` writes it, changed
   * compare-and-set, removed with the chroot. Soft by default (the server only logs); `hard: true`
   * makes ZooKeeper 3.7+ started with `zookeeper.enforceQuota=true` refuse writes past it.
   * @default none
   */
  quota?: pulumi.Input<ChrootQuota>;
  /**
   * Take over an existing chroot znode instead of failing; existing primed children are
   * overwritten (version-checked), missing ones created.
   * @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/** A chroot's quota: at least one of `maxNodes` and `maxBytes`. */
export type ChrootQuota = Quota;

/**
 * A chroot for an application: the znode, its missing ancestors and its primed children,
 * created in one transaction, with the chrooted connect string to hand to the application.
 */
export class ZkChroot extends ZnodeResource {
  /** Connect string of the ensemble with the chroot appended, e.g. `h1:2181,h2:2181/apps/x`. */
  declare public readonly connectString: pulumi.Output<string>;
  /** Znodes this resource created: missing ancestors (top down) and the chroot. */
  declare public readonly createdPaths: pulumi.Output<string[]>;
  /** Primed children as recorded. */
  declare public readonly children: pulumi.Output<Record<string, string>>;
  /** Creation zxid of the chroot znode. */
  declare public readonly czxid: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource.
   * @param args The chroot to create and prime.
   * @param opts Resource options.
   */
  constructor(name: string, args: ZkChrootArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = declaredOutputs<ZkChroot>("connectString", "createdPaths", "version", "czxid");
    const children = userKeyed(args.children, "children");
    super(provider, "ZkChroot", name, { ...outputs, ...args, ...(children ? { children } : {}) }, opts);
  }
}
