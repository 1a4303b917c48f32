/**
 * One definition per resource: its inputs, which of them force a replacement, and its defaults.
 * Everything else derives from it (docs/DESIGN.md §4.5): the zod schema in `schemas.ts` must have
 * exactly these inputs and takes its defaults from here (checked by the compiler), the runtime
 * diffs these inputs and replaces on these, and each public Args type is checked against the
 * schema's input type (`resources/*.ts`). No zod here: the runtime imports this at load time.
 */

/** What every resource definition says. */
export interface ResourceDefinition {
  /** Every input the resource takes, as the user writes it. */
  readonly inputs: readonly string[];
  /** The inputs whose change replaces the resource instead of updating it in place. */
  readonly replaceOn: readonly string[];
  /** Defaults filled in by `check` for inputs the user left out. */
  readonly defaults: Readonly<Record<string, unknown>>;
}

/** Inputs every managing resource takes. */
export const COMMON_INPUTS = ["connectString", "profile", "acl", "adopt"] as const;

/** `ZkNode`. */
export const ZK_NODE = {
  inputs: [...COMMON_INPUTS, "path", "data", "dataBase64", "sequential", "createParents"],
  replaceOn: ["connectString", "profile", "path", "sequential"],
  defaults: { sequential: false, createParents: false, adopt: false },
} as const satisfies ResourceDefinition;

/** What happens to a chroot's tree on destroy. */
export const DELETE_POLICIES = ["refuse", "recursive", "retain"] as const;

/** `ZkChroot`. */
export const ZK_CHROOT = {
  inputs: [...COMMON_INPUTS, "path", "data", "children", "deletePolicy", "quota"],
  replaceOn: ["connectString", "profile", "path"],
  defaults: { data: "", children: {}, deletePolicy: "refuse", adopt: false },
} as const satisfies ResourceDefinition;

/** Wire formats of a registration. */
export const REGISTRATION_FORMATS = ["curator", "serverset", "json"] as const;

/** Where registrations go unless `basePath` says otherwise (Curator's and Finagle's usual base). */
export const DEFAULT_BASE_PATH = "/services";

/**
 * `ZkServiceRegistration`. The user's `id` reaches the provider as `instanceId` (`id` is the Pulumi
 * resource id, which the provider sets to the instance id).
 */
export const ZK_SERVICE_REGISTRATION = {
  inputs: [
    ...COMMON_INPUTS,
    "service",
    "address",
    "port",
    "sslPort",
    "id",
    "basePath",
    "format",
    "payload",
    "payloadClass",
    "uriSpec",
    "additionalEndpoints",
    "shard",
    "metadata",
    "enabled",
  ],
  replaceOn: ["connectString", "profile", "service", "id", "basePath", "format"],
  defaults: {
    basePath: DEFAULT_BASE_PATH,
    format: "curator",
    additionalEndpoints: {},
    metadata: {},
    adopt: false,
  },
} as const satisfies ResourceDefinition;

/** The input names as the provider holds them: a registration's `id` travels as `instanceId`. */
export function providerKeys(keys: readonly string[]): string[] {
  return keys.map((k) => (k === "id" ? "instanceId" : k));
}
