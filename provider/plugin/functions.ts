/**
 * The plugin's functions (`Invoke`): the lookups the TypeScript package exports, run in the
 * provider process with the provider's config.
 */
import type { Props } from "../runtime/dynamic";
import { profileConfig } from "../runtime/settings";
import type { GetServiceInstancesArgs } from "../lookups/api";
import type * as Query from "../lookups/query";
import type { EngineLog } from "./engineLog";
import { token } from "./names";

let query: typeof Query | undefined;
/** The lookups, loaded by the first one: zod and the client are not needed by every provider process. */
export const lookups = () => (query ??= require("../lookups/query") as typeof Query);

/** Where the plugin's lookups run: its configured provider config, and the engine's log. */
export function pluginHost(preview: boolean, log: EngineLog): Query.LookupHost {
  return {
    config: () => profileConfig(undefined),
    dryRun: preview,
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
  };
}

/** A function of the plugin: arguments in, an object out. */
type PluginFunction = (args: Props, host: Query.LookupHost) => Promise<object>;

/** The plugin's functions by token. */
export const FUNCTIONS: ReadonlyMap<string, PluginFunction> = new Map<string, PluginFunction>([
  [
    token("getServiceInstances"),
    async (args, host) => ({
      instances: await lookups().serviceInstances(args as unknown as GetServiceInstancesArgs, host),
    }),
  ],
  [token("getEnsemble"), (args, host) => lookups().ensemble(args, host)],
]);
