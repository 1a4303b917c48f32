import { runtimeProvider } from "../resources/runtimeProvider";

/**
 * The dynamic provider of `ZkChroot`. A module of its own, so that Pulumi serializes a reference
 * to it (`require("pulumi-zookeeper/providers/zkChroot")`) into state instead of its code.
 */
export = runtimeProvider("zkChroot");
