import { runtimeProvider } from "../resources/runtimeProvider";

/**
 * The dynamic provider of `ZkEnsembleLookup`. A module of its own, so that Pulumi serializes a reference
 * to it (`require("pulumi-zookeeper/providers/zkEnsembleLookup")`) into state instead of its code.
 */
export = runtimeProvider("zkEnsembleLookup");
