import type * as pulumi from "@pulumi/pulumi";
import type { AclEntry } from "../core/acl";
import provider = require("../providers/zkNode");
import { declaredOutputs, ZnodeResource } from "./zkResource";

/** Inputs of {@link ZkNode}. */
export interface ZkNodeArgs {
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
  /** Absolute path of the znode. For `sequential` znodes, the prefix the sequence number is appended to. */
  path: pulumi.Input<string>;
  /**
   * Data as UTF-8 text. Give this or `dataBase64`, not both.
   * @default "" (empty data)
   */
  data?: pulumi.Input<string>;
  /**
   * Data as base64-encoded bytes, for binary content.
   * @default none
   */
  dataBase64?: pulumi.Input<string>;
  /**
   * ACL of the znode.
   * @default the ACL of the closest existing ancestor (left alone on later updates when omitted)
   */
  acl?: pulumi.Input<pulumi.Input<AclEntry>[]>;
  /**
   * Create a persistent sequential znode: ZooKeeper appends a 10-digit sequence number to `path`;
   * the output `path` is the real path. Changing it replaces the znode.
   * @default false
   */
  sequential?: pulumi.Input<boolean>;
  /**
   * Create missing parents (in the same transaction). Parents created this way are removed on
   * destroy once empty; parents that existed before are never removed.
   * @default false
   */
  createParents?: pulumi.Input<boolean>;
  /**
   * Take over a znode that already exists at `path` (recording its version, then writing the
   * declared data and ACL) instead of failing. This is how to bring existing znodes under
   * management: `pulumi import` does not work for dynamic resources.
   * @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/**
 * A znode managed by the stack. Every update and delete is compare-and-set on the version
 * recorded in state: a znode changed by someone else is never overwritten.
 */
export class ZkNode extends ZnodeResource {
  /** The path as requested. */
  declare public readonly requestedPath: pulumi.Output<string>;
  /** ACL version recorded in state. */
  declare public readonly aversion: pulumi.Output<number>;
  /** Zxid of the transaction that created the znode, as a decimal string. */
  declare public readonly czxid: pulumi.Output<string>;
  /** Zxid of the last change to the znode's data, as a decimal string. */
  declare public readonly mzxid: pulumi.Output<string>;
  /** The data as text, when given as text. */
  declare public readonly data: pulumi.Output<string | undefined>;
  /** The data as base64, when given as bytes. */
  declare public readonly dataBase64: pulumi.Output<string | undefined>;
  /** The ACL. */
  declare public readonly acl: pulumi.Output<AclEntry[]>;
  /** Parents created on the way, top down. */
  declare public readonly createdParents: pulumi.Output<string[]>;

  /**
   * @param name The unique name of the resource.
   * @param args The znode to manage.
   * @param opts Resource options.
   */
  constructor(name: string, args: ZkNodeArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = declaredOutputs<ZkNode>(
      "requestedPath",
      "version",
      "aversion",
      "czxid",
      "mzxid",
      "createdParents",
    );
    super(provider, "ZkNode", name, { ...outputs, ...args }, opts);
  }
}
