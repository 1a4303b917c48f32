/**
 * The plugin's resource types: each is the runtime's implementation the TypeScript dynamic
 * resources use (one implementation for both hosts), with the definition that lists its inputs.
 */
import {
  providerKeys,
  type ResourceDefinition,
  ZK_CHROOT,
  ZK_NODE,
  ZK_SERVICE_REGISTRATION,
} from "../core/definitions";
import { containsUnknown, withoutInternalKeys } from "../core/validation";
import type { EngineMethods, Props } from "../runtime/dynamic";
import { zkChroot, zkEnsembleLookup, zkNode, zkServiceRegistration } from "../runtime";
import type { EngineLog } from "./engineLog";
import { lookups, pluginHost } from "./functions";
import { token } from "./names";

/** A resource type of the plugin. */
export interface PluginResource {
  /** The runtime's methods. */
  readonly methods: EngineMethods;
  /** The inputs as the provider holds them (a registration's `id` as `instanceId`). */
  readonly inputs: readonly string[];
  /**
   * The state to read an existing znode into by its id (`pulumi import`), or undefined when this
   * type cannot be imported; then `importRemedy` says what to do instead.
   */
  readonly importState?: (id: string) => Props;
  /** Why this type cannot be imported, and what to do instead. */
  readonly importRemedy?: string;
}

function inputsOf(definition: ResourceDefinition): string[] {
  return providerKeys(definition.inputs);
}

const ADOPT_INSTEAD = "declare it with `adopt: true`, which takes the existing znodes over on the next up";

/** The arguments of an ensemble lookup, as `ZkEnsembleLookup` takes them. */
const ENSEMBLE_LOOKUP_INPUTS = ["exhibitor", "seed", "servers", "chroot", "profile"];

/**
 * `ZkEnsembleLookup` in the plugin: the lookup runs in `check`, on every preview and up, as the
 * TypeScript resource runs it in the program; the inputs it returns carry what was found, so the
 * runtime's diff shows a membership change. Only reads: a preview writes nothing.
 */
function ensembleLookup(log: EngineLog): EngineMethods {
  return {
    ...zkEnsembleLookup,
    async check(_olds, news) {
      const args = withoutInternalKeys(news);
      if (containsUnknown(args)) return { inputs: news, failures: [] };
      const query = lookups();
      try {
        const found = await query.ensemble(args, pluginHost(false, log));
        return { inputs: { ...args, ...found }, failures: [] };
      } catch (err) {
        if (!(err instanceof query.LookupError)) throw err;
        return { inputs: news, failures: [{ property: "", reason: err.message }] };
      }
    },
  };
}

/** The plugin's resource types by token; `log` is the engine's, for lookups' warnings. */
export function pluginResources(log: EngineLog): ReadonlyMap<string, PluginResource> {
  return new Map([
    [
      token("ZkNode"),
      {
        methods: zkNode,
        inputs: inputsOf(ZK_NODE),
        // What a create with the defaults records, at the znode's path; read fills in data, ACL and versions.
        importState: (id: string) => ({
          ...ZK_NODE.defaults,
          path: id,
          requestedPath: id,
          createdParents: [],
        }),
      },
    ],
    [
      token("ZkChroot"),
      {
        methods: zkChroot,
        inputs: inputsOf(ZK_CHROOT),
        importRemedy: `a ZkChroot cannot be imported (its children are not known from its path); ${ADOPT_INSTEAD}`,
      },
    ],
    [
      token("ZkServiceRegistration"),
      {
        methods: zkServiceRegistration,
        inputs: inputsOf(ZK_SERVICE_REGISTRATION),
        importRemedy: `a ZkServiceRegistration cannot be imported by id alone; ${ADOPT_INSTEAD}`,
      },
    ],
    [
      token("ZkEnsembleLookup"),
      {
        methods: ensembleLookup(log),
        inputs: ENSEMBLE_LOOKUP_INPUTS,
        importRemedy: "a ZkEnsembleLookup holds no znode to import; declare it",
      },
    ],
  ]);
}
