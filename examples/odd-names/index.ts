import * as pulumi from "@pulumi/pulumi";
import { ZkChroot, ZkServiceRegistration } from "pulumi-zookeeper";

const config = new pulumi.Config();
const root = config.require("root");
// "v1" creates; "v2" changes, adds and drops children; "proto" declares a child named __proto__.
const variant = config.get("variant") ?? "v1";

const children: Record<string, string> =
  variant === "v1"
    ? { a: "1", toString: "mine", constructor: "c", "x/valueOf": "v" }
    : variant === "v2"
      ? { a: "1", toString: "mine, changed", hasOwnProperty: "h", "x/valueOf": "v" }
      : (JSON.parse('{"a": "1", "__proto__": "p"}') as Record<string, string>);

const chroot = new ZkChroot("odd", {
  // An explicit connect string, so a test can hand the same members over in another order.
  connectString: config.require("ensemble"),
  path: `${root}/odd`,
  children,
});

const registration = new ZkServiceRegistration("odd-1", {
  basePath: `${root}/services`,
  service: "odd",
  format: "json",
  address: "10.0.0.9",
  port: 9000,
  payload: { toString: "payload", constructor: "fields" },
});

export const connectString = chroot.connectString;
export const recordedChildren = chroot.children;
export const registrationData = registration.data;
