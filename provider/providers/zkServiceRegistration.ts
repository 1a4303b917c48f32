import { runtimeProvider } from "../resources/runtimeProvider";

/**
 * The dynamic provider of `ZkServiceRegistration`. A module of its own, so that Pulumi serializes a reference
 * to it (`require("pulumi-zookeeper/providers/zkServiceRegistration")`) into state instead of its code.
 */
export = runtimeProvider("zkServiceRegistration");
