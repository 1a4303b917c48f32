import * as pulumi from "@pulumi/pulumi";
import { getServiceInstancesOutput } from "pulumi-zookeeper";

// Discovery at converge time: `pulumi up` waits until enough providers serve (they register
// themselves, e.g. Curator DYNAMIC instances), then configures the consumer from them.
const config = new pulumi.Config();
const providers = getServiceInstancesOutput({
  basePath: config.get("basePath") ?? "/services",
  service: config.require("service"),
  wait: {
    minInstances: config.requireNumber("minInstances"),
    timeoutSeconds: config.requireNumber("timeoutSeconds"),
  },
});

// What a load balancer needs: address:port of every serving provider, in registration order.
export const backends = providers.apply((list) => list.map((i) => `${i.address}:${i.port}`));
