import * as pulumi from "@pulumi/pulumi";
import { digestAclId, ZkChroot, ZkEnsembleLookup } from "pulumi-zookeeper";

const config = new pulumi.Config();
const root = config.require("root");

// One name is enough: any member; the membership comes from its /zookeeper/config.
const ensemble = new ZkEnsembleLookup("ensemble", {
  seed: config.require("seed"),
  chroot: `${root}/checkout`,
});

// Optional read-only identity for pull-request previews: it may read, never write.
const reader = config.get("readerUser");
const readerPassword = config.getSecret("readerPassword");
const writer = new pulumi.Config("zookeeper").getSecret("digest");
const acl = writer
  ? pulumi.all([writer, readerPassword]).apply(([w, rp]) => {
      const [user, ...pw] = w.split(":");
      const entries = [{ scheme: "digest" as const, id: digestAclId(user, pw.join(":")), perms: "rwcda" }];
      if (reader && rp) entries.push({ scheme: "digest" as const, id: digestAclId(reader, rp), perms: "r" });
      return entries;
    })
  : undefined;

const chroot = new ZkChroot("checkout", {
  connectString: ensemble.connectString,
  path: `${root}/checkout`,
  data: "checkout",
  children: { services: "", "config/db": "postgres://db" },
  acl,
  deletePolicy: "recursive",
});

export const connectString = ensemble.connectString;
export const servers = ensemble.servers;
export const chrootConnectString = chroot.connectString;
export const servicesBasePath = pulumi.interpolate`${chroot.path}/services`;
