import * as pulumi from "@pulumi/pulumi";
import { ZkServiceRegistration } from "pulumi-zookeeper";

const config = new pulumi.Config();
const platform = new pulumi.StackReference(config.require("platformStack"));
const connectString = platform.getOutput("connectString") as pulumi.Output<string>;
const basePath = platform.getOutput("servicesBasePath") as pulumi.Output<string>;

// Instances as "address:port", e.g. ["10.0.0.1:8080", "10.0.0.2:8080"].
const instances = config.requireObject<string[]>("instances");

const registrations = instances.map((endpoint) => {
  const [address, port] = endpoint.split(":");
  return new ZkServiceRegistration(`checkout-${endpoint}`, {
    connectString,
    basePath,
    service: "checkout",
    address,
    port: Number(port),
    uriSpec: "{scheme}://{address}:{port}",
  });
});

export const paths = registrations.map((r) => r.path);
