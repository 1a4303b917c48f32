import * as pulumi from "@pulumi/pulumi";
import {
  getServiceInstancesOutput,
  ZkChroot,
  ZkEnsembleLookup,
  ZkServiceRegistration,
} from "pulumi-zookeeper";

// The story in one program: find the ensemble from one member, prime a chroot for the checkout
// service, register its instances, and read back every provider as a load balancer would.
// scripts/demo.sh sets `demo:seed` (any member) and `zookeeper:connectString`.
const config = new pulumi.Config("demo");
const ensemble = new ZkEnsembleLookup("ensemble", { seed: config.require("seed"), chroot: "/demo/checkout" });

const chroot = new ZkChroot("checkout", {
  connectString: ensemble.connectString,
  path: "/demo/checkout",
  children: { "config/db": "postgres://db.internal/checkout", services: "" },
  deletePolicy: "recursive",
});

const basePath = pulumi.interpolate`${chroot.path}/services`;
const instances = ["10.0.0.11:8080", "10.0.0.12:8080"].map((endpoint) => {
  const [address, port] = endpoint.split(":");
  return new ZkServiceRegistration(`checkout-${endpoint}`, {
    connectString: ensemble.connectString,
    basePath,
    service: "checkout",
    address,
    port: Number(port),
    uriSpec: "{scheme}://{address}:{port}",
  });
});

// Lookups run on every preview and up; this one waits until the registrations exist.
const providers = pulumi
  .all(instances.map((i) => i.path))
  .apply(() =>
    getServiceInstancesOutput({ connectString: ensemble.connectString, basePath, service: "checkout" }),
  );

export const servers = ensemble.servers;
export const appConnectString = chroot.connectString;
export const registrations = instances.map((i) => i.path);
export const backends = providers.apply((list) => list.map((i) => `${i.address}:${i.port}`));
