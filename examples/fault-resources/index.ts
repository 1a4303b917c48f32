import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import {
  ZkChroot,
  type ZkChrootArgs,
  ZkEnsembleLookup,
  type ZkEnsembleLookupArgs,
  ZkNode,
  type ZkNodeArgs,
  ZkServiceRegistration,
  type ZkServiceRegistrationArgs,
} from "pulumi-zookeeper";

/**
 * One resource to declare. The args go to the resource as given, valid or not: the fault tier
 * uses this program to feed hostile input through `pulumi preview` as well as ordinary resources.
 */
type Declared =
  | { kind: "ZkNode"; name: string; args: ZkNodeArgs }
  | { kind: "ZkChroot"; name: string; args: ZkChrootArgs }
  | { kind: "ZkServiceRegistration"; name: string; args: ZkServiceRegistrationArgs }
  | { kind: "ZkEnsembleLookup"; name: string; args: ZkEnsembleLookupArgs };

/**
 * Config reaches the program through one environment variable, which cannot hold a megabyte: a
 * string `@file:<path>` anywhere in the args stands for the content of that file.
 */
function withFiles(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith("@file:")) return fs.readFileSync(value.slice(6), "utf8");
  if (Array.isArray(value)) return value.map(withFiles);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withFiles(v)]));
  return value;
}

const declared = withFiles(new pulumi.Config().requireObject<Declared[]>("resources")) as Declared[];

/** Where each resource ended up: its real path, or the connect string a lookup found. */
const paths: Record<string, pulumi.Output<string>> = {};
for (const d of declared) {
  if (d.kind === "ZkNode") paths[d.name] = new ZkNode(d.name, d.args).path;
  else if (d.kind === "ZkChroot") paths[d.name] = new ZkChroot(d.name, d.args).path;
  else if (d.kind === "ZkServiceRegistration") paths[d.name] = new ZkServiceRegistration(d.name, d.args).path;
  else paths[d.name] = new ZkEnsembleLookup(d.name, d.args).connectString;
}

/** Each declared resource's path (a lookup: the connect string it found), by name. */
export const resourcePaths = paths;
