import * as pulumi from "@pulumi/pulumi";

/**
 * The module of every resource type this package defines: the SDK names a dynamic resource
 * `pulumi-nodejs:dynamic/<module>:<type>`, so a preview shows `pulumi-nodejs:dynamic/zookeeper:ZkNode`.
 */
export const TYPE_MODULE = "zookeeper";

/**
 * The type every resource had in 0.1.0, the SDK's generic one. Kept as an alias, so that a stack
 * created by 0.1.0 keeps its resources after an upgrade (docs/DESIGN.md "State compatibility").
 */
export const LEGACY_TYPE = "pulumi-nodejs:dynamic:Resource";

/** Resource options with the alias of the 0.1.0 type added to any the user gave. */
export function withLegacyAlias(
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.CustomResourceOptions {
  return { ...opts, aliases: [...(opts?.aliases ?? []), { type: LEGACY_TYPE }] };
}

/**
 * The base of this package's resource classes: a dynamic resource with a type of its own
 * (`pulumi-nodejs:dynamic/zookeeper:<className>`) that answers to the 0.1.0 type too.
 */
export abstract class ZkResource extends pulumi.dynamic.Resource {
  /**
   * @param provider The dynamic provider of the class (a module of `providers/`).
   * @param className The class's name, the last part of its type token.
   * @param name The unique name of the resource.
   * @param props The resource's inputs, and its outputs as undefined.
   * @param opts Resource options; the 0.1.0 alias is added to their `aliases`.
   */
  protected constructor(
    provider: pulumi.dynamic.ResourceProvider,
    className: string,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    super(provider, name, props, withLegacyAlias(opts), TYPE_MODULE, className);
  }
}

/**
 * The base of the resources that write a znode (`ZkNode`, `ZkChroot`, `ZkServiceRegistration`):
 * the znode's path and the data version the next compare-and-set expects.
 */
export abstract class ZnodeResource extends ZkResource {
  /**
   * The real path of the znode this resource manages: with the sequence suffix for a sequential
   * `ZkNode` and for a ServerSet member.
   */
  declare public readonly path: pulumi.Output<string>;
  /** The znode's data version recorded in state: the version the next update or delete expects. */
  declare public readonly version: pulumi.Output<number>;
}

/**
 * The outputs a resource class declares, each undefined, to pass with its inputs: the SDK makes an
 * output (a promise with a stack trace) only of the properties it is given, and the state keeps the
 * provider's other outputs anyway. An output that is an input too comes with the inputs instead.
 */
export function declaredOutputs<Resource>(...names: (keyof Resource & string)[]): Record<string, undefined> {
  return Object.fromEntries(names.map((name) => [name, undefined]));
}
