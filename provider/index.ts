/**
 * pulumi-zookeeper: Apache ZooKeeper service discovery as Pulumi resources.
 * @packageDocumentation
 */
export { ZkNode, ZkNodeArgs } from "./resources/zkNode";
export { AclEntry, digestAclId } from "./core/acl";
