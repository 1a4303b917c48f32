import * as pulumi from "@pulumi/pulumi";
import { ZkServiceRegistration } from "pulumi-zookeeper";

const config = new pulumi.Config();
const root = config.require("root");
const count = config.requireNumber("count");
const format = config.get<"curator" | "serverset" | "json">("format") ?? "curator";

const registrations = Array.from(
  { length: count },
  (_, i) =>
    new ZkServiceRegistration(`instance-${i}`, {
      basePath: `${root}/services`,
      service: `svc-${i % 10}`,
      address: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      port: 8080,
      format,
      payload: { index: i },
    }),
);

export const paths = registrations.map((r) => r.path);
