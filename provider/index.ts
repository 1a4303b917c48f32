/**
 * pulumi-zookeeper: Apache ZooKeeper service discovery as Pulumi resources.
 * @packageDocumentation
 */
export { ZkNode, ZkNodeArgs } from "./resources/zkNode";
export { ChrootQuota, ZkChroot, ZkChrootArgs } from "./resources/zkChroot";
export { ZkServiceRegistration, ZkServiceRegistrationArgs } from "./resources/zkServiceRegistration";
export { ZkEnsembleLookup, ZkEnsembleLookupArgs } from "./resources/zkEnsembleLookup";
export {
  getServiceInstances,
  getServiceInstancesOutput,
  GetServiceInstancesArgs,
  WaitForInstances,
  getEnsemble,
  getEnsembleOutput,
  GetEnsembleArgs,
  EnsembleInfo,
  InputArgs,
} from "./lookups/api";
export { AclEntry, digestAclId } from "./core/acl";
export { Endpoint, ServiceInstance } from "./core/formats";
export { ServerAddress } from "./core/connectString";
