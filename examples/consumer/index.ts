import * as pulumi from "@pulumi/pulumi";
import { getServiceInstancesOutput } from "pulumi-zookeeper";

const config = new pulumi.Config();
const platform = new pulumi.StackReference(config.require("platformStack"));
// The service stack is referenced so that this stack is re-run when it changes.
const service = new pulumi.StackReference(config.require("serviceStack"));

const instances = getServiceInstancesOutput({
  // The platform's ensemble, unless this stack is told otherwise.
  connectString:
    config.get("connectString") ?? (platform.getOutput("connectString") as pulumi.Output<string>),
  basePath: platform.getOutput("servicesBasePath") as pulumi.Output<string>,
  service: "checkout",
});

// What a load balancer needs: address:port of every provider, in registration order.
export const backends = instances.apply((list) => list.map((i) => `${i.address}:${i.port}`));
export const registeredPaths = service.getOutput("paths");
