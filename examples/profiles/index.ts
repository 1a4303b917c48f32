import * as pulumi from "@pulumi/pulumi";
import { ZkNode } from "pulumi-zookeeper";

// The stack config holds two named connections, each with its own ensemble and identity:
//   pulumi config set --path zookeeper:profiles.prod.connectString zk-prod:2181
//   pulumi config set --secret --path zookeeper:profiles.prod.digest prod-writer:...
// and the same for staging. Each resource names the profile it writes through.
const config = new pulumi.Config();
const root = config.require("root");

export const paths = ["prod", "staging"].map((profile) => {
  const settings = new ZkNode(`settings-${profile}`, {
    profile,
    path: `${root}/settings`,
    data: config.get(`${profile}Data`) ?? profile,
    createParents: true,
    // Only this profile's identity may read or write it (the digest ACL id is a hash, not a secret).
    acl: [{ scheme: "digest", id: config.require(`${profile}AclId`), perms: "rwcda" }],
  });
  return settings.path;
});
