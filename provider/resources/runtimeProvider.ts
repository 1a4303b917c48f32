import type * as pulumi from "@pulumi/pulumi";

/** Names of the resource types the runtime module implements. */
export type RuntimeKind = "zkNode" | "zkChroot" | "zkServiceRegistration" | "zkEnsembleLookup";

/**
 * The dynamic provider of one resource type. Pulumi serializes it into state, so it holds nothing
 * but thin methods that load this package's runtime by name inside the provider process, where
 * the session pool lives (docs/DESIGN.md §4). Build one per type, at module load.
 */
/* eslint-disable @typescript-eslint/require-await, @typescript-eslint/no-unsafe-call,
   @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   Pulumi serializes these methods into the stack's state, so their text must stay as written
   (async, one require each); `require` returns `any` by nature, and the runtime it loads checks
   its own inputs. */
export function runtimeProvider(kind: RuntimeKind): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      require("pulumi-zookeeper/runtime").configure(req.config);
    },
    async check(olds, news) {
      return require("pulumi-zookeeper/runtime")[kind].check(olds, news);
    },
    async diff(id, olds, news) {
      return require("pulumi-zookeeper/runtime")[kind].diff(id, olds, news);
    },
    async create(inputs) {
      return require("pulumi-zookeeper/runtime")[kind].create(inputs);
    },
    async read(id, props) {
      return require("pulumi-zookeeper/runtime")[kind].read(id, props);
    },
    async update(id, olds, news) {
      return require("pulumi-zookeeper/runtime")[kind].update(id, olds, news);
    },
    async delete(id, props) {
      return require("pulumi-zookeeper/runtime")[kind].delete(id, props);
    },
  };
}
/* eslint-enable @typescript-eslint/require-await, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return */
