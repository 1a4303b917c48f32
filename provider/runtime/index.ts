/**
 * The provider-process side of pulumi-zookeeper. The serialized dynamic providers are thin shims
 * that `require("pulumi-zookeeper/runtime")` and call into this module, which holds the session pool.
 */
export { configure, setConfig, pool, readConfig } from "./settings";
export { zkNode } from "./zkNode";
export { zkChroot } from "./zkChroot";
export { zkServiceRegistration } from "./zkServiceRegistration";
export { zkEnsembleLookup } from "./zkEnsembleLookup";
