import { runtimeProvider } from "../resources/runtimeProvider";

/**
 * The dynamic provider of `ZkNode`. A module of its own, so that Pulumi serializes a reference
 * to it (`require("pulumi-zookeeper/providers/zkNode")`) into state instead of its code.
 */
export = runtimeProvider("zkNode");
