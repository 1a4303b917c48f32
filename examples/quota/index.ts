import * as pulumi from "@pulumi/pulumi";
import { ZkChroot, ZkServiceRegistration } from "pulumi-zookeeper";

// A team's chroot with a hard quota: ZooKeeper itself refuses what does not fit, whoever writes.
const config = new pulumi.Config();
const chroot = new ZkChroot("team", {
  path: config.require("path"),
  children: { services: "" },
  // The chroot, services/, services/web/ and the instances: 3 + instances znodes.
  quota: { maxNodes: config.requireNumber("maxNodes"), hard: true },
});

export const registered = Array.from({ length: config.requireNumber("instances") }, (_, i) => {
  const n = i + 1;
  const registration = new ZkServiceRegistration(`web-${n}`, {
    basePath: pulumi.interpolate`${chroot.path}/services`,
    service: "web",
    id: `web-${n}`,
    address: "10.0.6.1",
    port: 8000 + n,
  });
  return registration.path;
});
