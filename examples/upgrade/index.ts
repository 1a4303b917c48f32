import * as pulumi from "@pulumi/pulumi";
import { ZkChroot, ZkEnsembleLookup, ZkNode, ZkServiceRegistration } from "pulumi-zookeeper";

// Only the 0.1.0 API: the same program must run unchanged before and after the upgrade.
const config = new pulumi.Config();
const root = config.require("root");
const zk = new pulumi.Config("zookeeper");

const ensemble = new ZkEnsembleLookup("ensemble", { servers: zk.require("connectString").split(",") });

const node = new ZkNode("settings", {
  connectString: ensemble.connectString,
  path: `${root}/settings`,
  data: "v1",
  createParents: true,
});

const chroot = new ZkChroot("app", {
  connectString: ensemble.connectString,
  path: `${root}/apps/app`,
  children: { "config/db": "postgres://db", services: "" },
});

const curator = new ZkServiceRegistration("curator-1", {
  connectString: ensemble.connectString,
  basePath: pulumi.interpolate`${chroot.path}/services`,
  service: "web",
  address: "10.0.0.1",
  port: 8080,
});

const serverset = new ZkServiceRegistration("serverset-1", {
  connectString: ensemble.connectString,
  basePath: pulumi.interpolate`${chroot.path}/services`,
  service: "api",
  format: "serverset",
  address: "10.0.0.2",
  port: 9090,
});

export const nodeVersion = node.version;
export const chrootPath = chroot.path;
export const curatorPath = curator.path;
export const serversetPath = serverset.path;
