import type * as Zk from "node-zookeeper-client";
import { type AclEntry, maskToPerms, permsToMask } from "../core/acl";
import { hostsOnly } from "../core/connectString";
import { CONNECTION_LOSS, OPERATION_TIMEOUT } from "../core/zkCodes";
import { isTransient, ZkError, toZkError } from "./errors";
import { zookeeperLibrary } from "./library";

/** A jute record as the library builds them: serializes its fields, prefixing `path` with the chroot. */
type JuteRecord = { setChrootPath(path: string | undefined): void };

/**
 * A `sync` request (opcode 9), which node-zookeeper-client lacks. Its body is one path, as is its
 * reply's. The library's reply decoder knows only the op codes it sends and drops the connection
 * on others, so the queued packet says CREATE, whose reply is that same single path, and only the
 * bytes on the wire say SYNC.
 */
function syncRequest(path: string): unknown {
  const { jute } = zookeeperLibrary();
  // The class the library generates its records from (util.inherits keeps it as `super_`).
  const Record = (
    jute.protocol.GetACLRequest as unknown as { super_: new (...args: unknown[]) => JuteRecord }
  ).super_;
  const header = new jute.protocol.RequestHeader() as { type?: number };
  header.type = jute.OP_CODES.CREATE;
  const request = new jute.Request(header, new Record([{ name: "path", type: "ustring" }], [path])) as {
    toBuffer(): Buffer;
  };
  const toBuffer = request.toBuffer.bind(request);
  request.toBuffer = () => {
    header.type = jute.OP_CODES.SYNC;
    try {
      return toBuffer();
    } finally {
      header.type = jute.OP_CODES.CREATE;
    }
  };
  return request;
}

/** Metadata of a znode, with 64-bit ids as decimal strings. */
export interface ZnodeStat {
  readonly czxid: string;
  readonly mzxid: string;
  readonly pzxid: string;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  /** Session id of the owner of an ephemeral znode; "0" for persistent znodes. */
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** How a znode is created. */
export type CreateMode = "persistent" | "sequential" | "ephemeral" | "ephemeralSequential";

/** One operation of a `multi` transaction. */
export type MultiOp =
  | {
      readonly op: "create";
      readonly path: string;
      readonly data: Buffer;
      readonly acl: readonly AclEntry[];
      readonly mode?: CreateMode;
    }
  | { readonly op: "check"; readonly path: string; readonly version: number }
  | { readonly op: "setData"; readonly path: string; readonly data: Buffer; readonly version: number }
  | { readonly op: "remove"; readonly path: string; readonly version: number };

/** The result of one op of a committed `multi`. */
export interface MultiResult {
  /** The created path (with sequence suffix) for creates. */
  readonly path?: string;
  /** The new stat for setData. */
  readonly stat?: ZnodeStat;
  /**
   * The transaction's zxid, from the reply's header: every op of a `multi` commits under it, so a
   * znode it created has it as creation and modification zxid (with versions 0).
   */
  readonly zxid: string;
}

/** Options of one ZooKeeper session. */
export interface SessionOptions {
  /** `host:port,...[/chroot]`. */
  readonly connectString: string;
  /** `user:password` for the digest scheme; never logged. */
  readonly digest?: string;
  /** Requested session timeout. */
  readonly sessionTimeoutMs: number;
  /** How long to wait for the first connection before giving up. */
  readonly connectTimeoutMs: number;
  /** How long one request may wait for its answer before the session is treated as broken. */
  readonly requestTimeoutMs: number;
  /** Accept a member in read-only mode (lookups only; writes would fail there). */
  readonly allowReadOnly?: boolean;
}

function long(b: Buffer | undefined): string {
  return b && b.length === 8 ? b.readBigInt64BE(0).toString() : "0";
}

/** Converts the client library's stat into plain numbers and strings. */
export function toStat(s: Zk.Stat): ZnodeStat {
  return {
    czxid: long(s.czxid),
    mzxid: long(s.mzxid),
    pzxid: long(s.pzxid),
    ctime: Number(long(s.ctime)),
    mtime: Number(long(s.mtime)),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: long(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

function toClientAcl(acl: readonly AclEntry[]): Zk.ACL[] {
  const { ACL, Id } = zookeeperLibrary().zookeeper;
  return acl.map((e) => new ACL(permsToMask(e.perms), new Id(e.scheme, e.id)));
}

function fromClientAcl(acl: Zk.ACL[]): AclEntry[] {
  // The library stores the mask as `permission`; its type declarations say `perms`.
  const mask = (a: Zk.ACL) => (a as unknown as { permission: number }).permission;
  return acl.map((a) => ({
    scheme: a.id.scheme as AclEntry["scheme"],
    id: a.id.id,
    perms: maskToPerms(mask(a)),
  }));
}

/**
 * A one-shot ZooKeeper watch: called once when what it watches changes. The client sets it again
 * on the server after a reconnect within the session; a new session loses it.
 */
export type Watch = () => void;

/**
 * One ZooKeeper session, as promises. Requests that get no answer within `requestTimeoutMs`
 * fail and mark the session broken, so the pool replaces it instead of waiting forever.
 */
export class ZkClient {
  private broken = false;

  private constructor(
    private readonly client: Zk.Client,
    /** The options this session was opened with. */
    readonly options: SessionOptions,
  ) {}

  /** Opens a session, failing after `connectTimeoutMs` when no member answers. */
  static connect(options: SessionOptions): Promise<ZkClient> {
    const { zookeeper } = zookeeperLibrary();
    const client = zookeeper.createClient(options.connectString, {
      sessionTimeout: options.sessionTimeoutMs,
      spinDelay: 200,
      retries: 0,
    });
    const session = new ZkClient(client, options);
    (
      client as unknown as { connectionManager: { allowReadOnly?: boolean } }
    ).connectionManager.allowReadOnly = options.allowReadOnly === true;
    client.on("state", (state: Zk.State) => {
      if (state === zookeeper.State.EXPIRED || state === zookeeper.State.AUTH_FAILED) session.broken = true;
    });
    return new Promise<ZkClient>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(
          new ZkError(
            CONNECTION_LOSS,
            "connect",
            undefined,
            `no ensemble member of '${hostsOnly(options.connectString)}' answered within ${options.connectTimeoutMs} ms; ` +
              "the ensemble is unavailable or has lost its quorum",
          ),
        );
      }, options.connectTimeoutMs);
      client.once("connected", () => {
        clearTimeout(timer);
        if (options.digest) client.addAuthInfo("digest", Buffer.from(options.digest));
        resolve(session);
      });
      client.connect();
    });
  }

  /** True once the session expired, failed authentication or stopped answering. */
  get usable(): boolean {
    return !this.broken && this.client.getState() !== zookeeperLibrary().zookeeper.State.EXPIRED;
  }

  /** The session id, as hex, for logs and tests. */
  get sessionId(): string {
    return this.client.getSessionId().toString("hex");
  }

  /** Closes the session. */
  close(): void {
    this.broken = true;
    this.client.close();
  }

  private call<T>(
    op: string,
    path: string | undefined,
    run: (cb: (err: unknown, ...rest: unknown[]) => void) => void,
    pick: (...rest: unknown[]) => T,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        this.broken = true;
        reject(
          new ZkError(OPERATION_TIMEOUT, op, path, `no answer within ${this.options.requestTimeoutMs} ms`),
        );
      }, this.options.requestTimeoutMs);
      try {
        run((err, ...rest) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (err) reject(toZkError(err, op, path));
          else resolve(pick(...rest));
        });
      } catch (err) {
        done = true;
        clearTimeout(timer);
        reject(toZkError(err, op, path));
      }
    });
  }

  /**
   * Waits until the server this session talks to has applied every write the leader committed
   * before now, so the reads that follow see them (ZooKeeper's `sync`). It reads nothing, commits
   * no transaction and needs no permission. Returns the newest zxid that server has applied then:
   * a znode whose creation zxid is larger was created after this call began.
   */
  sync(path = "/"): Promise<string> {
    return this.call(
      "sync",
      path,
      (cb) =>
        connectionManagerOf(this.client).queue(syncRequest(path), (err, response) =>
          err ? cb(err) : cb(undefined, response.header.zxid),
        ),
      (zxid) => long(zxid as Buffer),
    );
  }

  /** The znode's stat, or undefined when it does not exist; `watch` is called once when that changes. */
  exists(path: string, watch?: Watch): Promise<ZnodeStat | undefined> {
    return this.call(
      "exists",
      path,
      (cb) => (watch ? this.client.exists(path, watch, cb) : this.client.exists(path, cb)),
      (stat) => (stat ? toStat(stat as Zk.Stat) : undefined),
    );
  }

  /** The znode's data and stat; `watch` is called once when the data changes or the znode goes. */
  getData(path: string, watch?: Watch): Promise<{ data: Buffer; stat: ZnodeStat }> {
    return this.call(
      "getData",
      path,
      (cb) => (watch ? this.client.getData(path, watch, cb) : this.client.getData(path, cb)),
      (data, stat) => ({
        data: (data as Buffer | undefined) ?? Buffer.alloc(0),
        stat: toStat(stat as Zk.Stat),
      }),
    );
  }

  /** The znode's children names, sorted; `watch` is called once when a child comes or goes. */
  getChildren(path: string, watch?: Watch): Promise<string[]> {
    return this.call(
      "getChildren",
      path,
      (cb) => (watch ? this.client.getChildren(path, watch, cb) : this.client.getChildren(path, cb)),
      (children) => [...(children as string[])].sort(),
    );
  }

  /** The znode's ACL and stat. */
  getAcl(path: string): Promise<{ acl: AclEntry[]; stat: ZnodeStat }> {
    return this.call(
      "getACL",
      path,
      (cb) => this.client.getACL(path, cb),
      (acl, stat) => ({
        acl: fromClientAcl(acl as Zk.ACL[]),
        stat: toStat(stat as Zk.Stat),
      }),
    );
  }

  /** Creates a znode and returns its real path. */
  create(
    path: string,
    data: Buffer,
    acl: readonly AclEntry[],
    mode: CreateMode = "persistent",
  ): Promise<string> {
    return this.call(
      "create",
      path,
      (cb) => this.client.create(path, data, toClientAcl(acl), zookeeperLibrary().createModes[mode], cb),
      (p) => p as string,
    );
  }

  /** Sets data if the znode's version matches (-1: any). */
  setData(path: string, data: Buffer, version: number): Promise<ZnodeStat> {
    return this.call(
      "setData",
      path,
      (cb) => this.client.setData(path, data, version, cb),
      (stat) => toStat(stat as Zk.Stat),
    );
  }

  /** Sets the ACL if the znode's ACL version matches. */
  setAcl(path: string, acl: readonly AclEntry[], aversion: number): Promise<ZnodeStat> {
    return this.call(
      "setACL",
      path,
      (cb) => this.client.setACL(path, toClientAcl(acl), aversion, cb),
      (stat) => toStat(stat as Zk.Stat),
    );
  }

  /** Deletes a znode if its version matches. */
  remove(path: string, version: number): Promise<void> {
    return this.call(
      "delete",
      path,
      (cb) => this.client.remove(path, version, cb),
      () => undefined,
    );
  }

  /**
   * Commits operations atomically. On failure the error names the op that failed
   * (`ZkMultiError.index`); nothing was written.
   */
  multi(ops: readonly MultiOp[]): Promise<MultiResult[]> {
    const tx = this.client.transaction();
    // The library's transaction turns version 0 into -1 ("any version") with `version || -1`,
    // which would make compare-and-set on fresh znodes unconditional: set the version ourselves.
    const queued = (tx as unknown as { ops: { version?: number }[] }).ops;
    for (const o of ops) {
      if (o.op === "create")
        tx.create(o.path, o.data, toClientAcl(o.acl), zookeeperLibrary().createModes[o.mode ?? "persistent"]);
      else if (o.op === "check") tx.check(o.path, o.version);
      else if (o.op === "setData") tx.setData(o.path, o.data, o.version);
      else tx.remove(o.path, o.version);
      if (o.op !== "create") queued[queued.length - 1].version = o.version;
    }
    let failed: RawMultiResult[] | undefined;
    // The library's `commit` drops the reply's header, whose zxid is the transaction's: queue the
    // same request ourselves (as `commit` does) to keep it.
    const commit = (cb: (err: unknown, ...rest: unknown[]) => void) => {
      const { jute } = zookeeperLibrary();
      const header = new jute.protocol.RequestHeader() as { type?: number };
      header.type = jute.OP_CODES.MULTI;
      const request = new jute.Request(header, new jute.TransactionRequest(queued));
      connectionManagerOf(this.client).queue(request, (err, response) => {
        if (err) return cb(err);
        const { results } = response.payload as MultiReply;
        const error = results.find((r) => r.type === jute.OP_CODES.ERROR && r.err !== 0);
        if (!error) return cb(undefined, results, response.header.zxid);
        failed = results;
        cb(zookeeperLibrary().exception(error.err as number));
      });
    };
    return this.call("multi", undefined, commit, (results, zxid) =>
      (results as RawMultiResult[]).map((r) => toMultiResult(r, long(zxid as Buffer))),
    ).catch((err: unknown) => {
      throw multiFailure(err, ops, failed);
    });
  }
}

interface RawMultiResult {
  type: number;
  err?: number;
  path?: string;
  stat?: Zk.Stat;
}

function toMultiResult(r: RawMultiResult, zxid: string): MultiResult {
  return {
    ...(r.path !== undefined ? { path: r.path } : {}),
    ...(r.stat ? { stat: toStat(r.stat) } : {}),
    zxid,
  };
}

interface MultiReply {
  results: RawMultiResult[];
}

/** The client's connection manager, which queues requests (the library keeps it as a field). */
function connectionManagerOf(client: Zk.Client): {
  queue(
    request: unknown,
    cb: (err: unknown, response: { header: { zxid: Buffer }; payload: unknown }) => void,
  ): void;
} {
  return (client as unknown as { connectionManager: ReturnType<typeof connectionManagerOf> })
    .connectionManager;
}

/** A failed `multi`: which op failed, with the server's code. Nothing of the transaction was applied. */
export class ZkMultiError extends ZkError {
  /** Index of the op that failed. */
  readonly index: number;
  constructor(code: number, index: number, op: MultiOp) {
    super(code, `multi (${op.op} of ${op.path}, op ${index + 1})`, op.path);
    this.index = index;
  }
}

function multiFailure(err: unknown, ops: readonly MultiOp[], results: RawMultiResult[] | undefined): Error {
  if (!(err instanceof ZkError)) return toZkError(err, "multi");
  if (isTransient(err)) return err;
  const index = results ? results.findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== -2) : -1;
  const at = index >= 0 ? index : 0;
  const op = ops[at];
  return op ? new ZkMultiError(err.code, at, op) : err;
}
