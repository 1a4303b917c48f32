import * as pulumi from "@pulumi/pulumi";
import { digestAclId, ZkChroot, ZkNode, ZkServiceRegistration } from "pulumi-zookeeper";

const config = new pulumi.Config();
const root = config.require("root");
// "v1" at first; "v2" changes data (update), chroot children (update) and the port (replace).
const variant = config.get("variant") ?? "v1";
const v2 = variant !== "v1";

const settings = new ZkNode("settings", {
  path: `${root}/settings`,
  data: JSON.stringify({ variant }),
  createParents: true,
});

const chroot = new ZkChroot("checkout", {
  path: `${root}/apps/checkout`,
  data: "checkout service root",
  children: v2
    ? { "config/db": "postgres://db-2", "config/cache": "redis://cache" }
    : { "config/db": "postgres://db-1", flags: "on" },
});

const registration = new ZkServiceRegistration("checkout-1", {
  basePath: `${root}/services`,
  service: "checkout",
  address: "10.0.0.5",
  port: v2 ? 8081 : 8080,
  payload: { zone: "eu-1" },
  uriSpec: "{scheme}://{address}:{port}",
});

// With `zookeeper:digest` set, a znode only the stack's own identity may write. The password stays
// a secret: only its digest ends up in the ACL.
const digest = new pulumi.Config("zookeeper").getSecret("digest");
const locked = digest
  ? new ZkNode("locked", {
      path: `${root}/locked`,
      data: "only the stack writes here",
      createParents: true,
      acl: digest.apply((d) => {
        const [user, ...rest] = d.split(":");
        return [
          { scheme: "digest" as const, id: digestAclId(user, rest.join(":")), perms: "rwcda" },
          { scheme: "world" as const, id: "anyone", perms: "r" },
        ];
      }),
    })
  : undefined;

export const settingsPath = settings.path;
export const settingsVersion = settings.version;
export const chrootConnectString = chroot.connectString;
export const createdPaths = chroot.createdPaths;
export const registrationPath = registration.path;
export const instanceId = registration.id;
export const lockedPath = locked?.path;
