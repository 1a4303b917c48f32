import * as pulumi from "@pulumi/pulumi";
import { ZkNode } from "pulumi-zookeeper";

const config = new pulumi.Config();
const root = config.require("root");

// One znode with its parents; the connect string comes from `zookeeper:connectString`.
const node = new ZkNode("greeting", {
  path: `${root}/greeting`,
  data: config.get("greeting") ?? "hello",
  createParents: true,
});

export const path = node.path;
export const version = node.version;
