import * as zookeeper from "node-zookeeper-client";
import { type AclEntry, OPEN_ACL } from "../../provider/core/acl";
import { multiBytes, PARENT_DATA_BYTES, type SizedOp } from "../../provider/core/requests";
import { PARENT_MARKER } from "../../provider/runtime/parents";
import { seededRandom } from "../support/random";

/** The client's own encoder: the bytes it would send for a `multi`, as the server counts them. */
const jute = require("node-zookeeper-client/lib/jute") as {
  protocol: { RequestHeader: new () => { type?: number } };
  OP_CODES: { MULTI: number };
  Request: new (header: unknown, payload: unknown) => { toBuffer(): Buffer };
  TransactionRequest: new (ops: unknown[]) => { setChrootPath(path: string): void };
};

function encodedBytes(ops: readonly SizedOp[], acl: readonly AclEntry[], chroot: string): number {
  const client = zookeeper.createClient("127.0.0.1:1");
  const tx = client.transaction();
  const zkAcl = acl.map((e) => new zookeeper.ACL(permsOf(e.perms), new zookeeper.Id(e.scheme, e.id)));
  for (const op of ops) {
    if (op.op === "create")
      tx.create(op.path, Buffer.alloc(op.dataBytes, 1), zkAcl, zookeeper.CreateMode.PERSISTENT);
    else if (op.op === "setData") tx.setData(op.path, Buffer.alloc(op.dataBytes, 1), 3);
    else if (op.op === "check") tx.check(op.path, 3);
    else tx.remove(op.path, 3);
  }
  const header = new jute.protocol.RequestHeader();
  header.type = jute.OP_CODES.MULTI;
  const payload = new jute.TransactionRequest((tx as unknown as { ops: unknown[] }).ops);
  if (chroot) payload.setChrootPath(chroot);
  // Less the 4-byte length prefix, which jute.maxbuffer does not count.
  return new jute.Request(header, payload).toBuffer().length - 4;
}

const permsOf = (perms: string) =>
  [...perms].reduce((n, p) => n | ({ r: 1, w: 2, c: 4, d: 8, a: 16 } as Record<string, number>)[p], 0);

describe("multiBytes", () => {
  it("equals the size of the request the client encodes, for generated multis", () => {
    const next = seededRandom(5);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const names = ["a", "config", "名前", "é-x", "long-".repeat(20)];
    const acls: AclEntry[][] = [
      [...OPEN_ACL],
      [
        { scheme: "digest", id: "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=", perms: "rwcda" },
        { scheme: "ip", id: "10.0.0.0/8", perms: "r" },
      ],
      [{ scheme: "x509", id: "CN=client,O=pulumi-zookeeper", perms: "rw" }],
    ];
    for (let round = 0; round < 300; round++) {
      const acl = pick(acls);
      const chroot = pick(["", "/apps", "/ü/deep/chroot"]);
      const ops: SizedOp[] = [];
      const count = 1 + Math.floor(next() * 12);
      for (let i = 0; i < count; i++) {
        const path = "/" + Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(names)).join("/");
        const dataBytes = Math.floor(next() * 3000);
        const kind = pick(["create", "setData", "check", "remove"] as const);
        ops.push(
          kind === "create"
            ? { op: "create", path, dataBytes, acl }
            : kind === "setData"
              ? { op: "setData", path, dataBytes }
              : { op: kind, path },
        );
      }
      expect(multiBytes(ops, chroot)).toBe(encodedBytes(ops, acl, chroot));
    }
  });

  it("counts a parent's marker data as the runtime writes it", () => {
    expect(PARENT_DATA_BYTES).toBe(PARENT_MARKER.length);
  });
});
