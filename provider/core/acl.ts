import { createHash } from "crypto";
import { isIPv4, isIPv6 } from "net";

/** ACL schemes ZooKeeper understands. */
export const ACL_SCHEMES = ["world", "digest", "ip", "auth", "sasl", "x509"] as const;

/** One ACL entry. `perms` is a subset of `"rwcda"` (read, write, create, delete, admin). */
export interface AclEntry {
  /** The authentication scheme. */
  readonly scheme: (typeof ACL_SCHEMES)[number];
  /** The identity within the scheme, e.g. `anyone`, `user:hash`, `10.0.0.0/8`. */
  readonly id: string;
  /** Permissions, a subset of `"rwcda"`. */
  readonly perms: string;
}

const PERM_BITS: Record<string, number> = { r: 1, w: 2, c: 4, d: 8, a: 16 };

/** The default ACL: world-readable and writable (ZooKeeper's `OPEN_ACL_UNSAFE`). */
export const OPEN_ACL: readonly AclEntry[] = [{ scheme: "world", id: "anyone", perms: "rwcda" }];

/** Why a perms string is invalid, or undefined. */
export function permsProblem(perms: string): string | undefined {
  if (perms.length === 0) return "must name at least one permission of 'rwcda'";
  const seen = new Set<string>();
  for (const ch of perms) {
    if (!(ch in PERM_BITS)) return `has '${ch}', which is not one of 'rwcda'`;
    if (seen.has(ch)) return `repeats '${ch}'`;
    seen.add(ch);
  }
  return undefined;
}

/** Permission letters to ZooKeeper's bit mask. */
export function permsToMask(perms: string): number {
  let mask = 0;
  for (const ch of perms) mask |= PERM_BITS[ch] ?? 0;
  return mask;
}

/** ZooKeeper's bit mask to permission letters, in `rwcda` order. */
export function maskToPerms(mask: number): string {
  return Object.entries(PERM_BITS)
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([ch]) => ch)
    .join("");
}

/** Puts perms in `rwcda` order and sorts nothing else, so equal ACLs compare equal. */
export function normalizeAcl(acl: readonly AclEntry[]): AclEntry[] {
  return acl.map((e) => ({ scheme: e.scheme, id: e.id, perms: maskToPerms(permsToMask(e.perms)) }));
}

/**
 * The id of a `digest` ACL entry for a user and password: `user:base64(sha1("user:password"))`.
 * The password itself is never stored in the ACL.
 */
export function digestAclId(user: string, password: string): string {
  const hash = createHash("sha1").update(`${user}:${password}`).digest("base64");
  return `${user}:${hash}`;
}

/**
 * Why an `ip` ACL id is invalid, or undefined: it must be an IPv4 address or CIDR block
 * (`10.0.0.1`, `10.0.0.0/8`), or an IPv6 one (`fd00::1`, `fd00::/8`). ZooKeeper refuses any
 * other id with INVALID_ACL; servers before IPv6 ACL support (ZOOKEEPER-4240) refuse IPv6 too.
 */
export function ipAclIdProblem(id: string): string | undefined {
  const slash = id.indexOf("/");
  const address = slash < 0 ? id : id.slice(0, slash);
  const bits = slash < 0 ? undefined : id.slice(slash + 1);
  // No zone ids (`%eth0`): the server matches ACLs against bare addresses.
  const maxBits = isIPv4(address) ? 32 : isIPv6(address) && !address.includes("%") ? 128 : undefined;
  const rule =
    "must be an IPv4 or IPv6 address or CIDR block, such as 10.0.0.1, 10.0.0.0/8 or fd00::/8; " +
    "host names are not resolved";
  if (maxBits === undefined) return rule;
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits)) {
    return `must end in a prefix length from /0 to /${maxBits}; ${rule}`;
  }
  return undefined;
}
