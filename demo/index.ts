import * as pulumi from "@pulumi/pulumi";
import { ZkNode } from "pulumi-zookeeper";

// The connect string comes from the stack config `zookeeper:connectString` (scripts/demo.sh sets it).
const config = new pulumi.Config("demo");
const root = config.get("root") ?? "/demo";

const settings = new ZkNode("settings", {
  path: `${root}/settings`,
  data: JSON.stringify({ featureFlags: ["fast-checkout"] }),
  createParents: true,
});

export const settingsPath = settings.path;
export const settingsVersion = settings.version;
