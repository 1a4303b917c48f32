/**
 * Sizes of the requests the provider sends, counted as ZooKeeper's wire format (jute) encodes
 * them, so `check` can refuse what a server would refuse. Pure.
 *
 * A server reads a request's 4-byte length first and drops the connection when it is over
 * `jute.maxbuffer` (default 0xfffff): the client sees connection loss, not an error, and a create
 * is left in doubt. Java clients (Curator) likewise refuse a reply longer than 0xfffff bytes.
 */
import type { AclEntry } from "./acl";

/** ZooKeeper's default `jute.maxbuffer`: the longest request a server accepts, in bytes after the length prefix. */
export const MAX_REQUEST_BYTES = 0xfffff;

/** A `getData` reply's bytes besides the data: reply header (xid, zxid, err) 16, data length 4, stat 68. */
const GET_DATA_REPLY_OVERHEAD = 16 + 4 + 68;

/** The most data a znode may hold so that a Java client's `getData` reply stays within `jute.maxbuffer`. */
export const MAX_DATA_BYTES = MAX_REQUEST_BYTES - GET_DATA_REPLY_OVERHEAD;

/**
 * What an ACL inherited from an existing ancestor is counted as, since `check` cannot read it:
 * room for about three entries (world:anyone takes 23 bytes, a digest entry about 60).
 */
export const INHERITED_ACL_BYTES = 4 + 3 * 60;

/** Request header (xid, type). */
const REQUEST_HEADER = 8;
/** A `multi` op's header (type, done, err); one more ends the list. */
const MULTI_HEADER = 9;

const ustring = (s: string) => 4 + Buffer.byteLength(s, "utf8");

/** Encoded bytes of an ACL: a vector of (perms, scheme, id); an unknown (inherited) ACL counts as {@link INHERITED_ACL_BYTES}. */
export function aclBytes(acl: readonly AclEntry[] | undefined): number {
  if (acl === undefined) return INHERITED_ACL_BYTES;
  return acl.reduce((n, e) => n + 4 + ustring(e.scheme) + ustring(e.id), 4);
}

/** One operation of a request, with what its size depends on. */
export type SizedOp =
  | {
      readonly op: "create";
      readonly path: string;
      readonly dataBytes: number;
      /** Absent: inherited from an ancestor, unknown to `check`. */
      readonly acl?: readonly AclEntry[];
    }
  | { readonly op: "setData"; readonly path: string; readonly dataBytes: number }
  | { readonly op: "check" | "remove"; readonly path: string };

/** The path as the server receives it: the client prefixes the connect string's chroot. */
function served(path: string, chroot: string): string {
  if (chroot === "" || chroot === "/") return path;
  return path === "/" ? chroot : chroot + path;
}

/** Encoded bytes of one op's record (CreateRequest, SetDataRequest, CheckVersionRequest, DeleteRequest). */
export function opBytes(op: SizedOp, chroot = ""): number {
  const path = ustring(served(op.path, chroot));
  if (op.op === "create") return path + 4 + op.dataBytes + aclBytes(op.acl) + 4;
  if (op.op === "setData") return path + 4 + op.dataBytes + 4;
  return path + 4;
}

/** Bytes the server counts against `jute.maxbuffer` for a `multi` of these ops (everything after the length prefix). */
export function multiBytes(ops: readonly SizedOp[], chroot = ""): number {
  return ops.reduce((n, op) => n + MULTI_HEADER + opBytes(op, chroot), REQUEST_HEADER + MULTI_HEADER);
}

/** Bytes of the data of a parent created on the way (the runtime's `PARENT_MARKER`, "pulumi-zookeeper:parent"). */
export const PARENT_DATA_BYTES = 23;
