import { codeMeaning, codeName, NO_AUTH, TRANSIENT_CODES, SESSION_EXPIRED } from "../core/zkCodes";

/** A failure reported by ZooKeeper (or by the client on its behalf), keyed by server code. */
export class ZkError extends Error {
  /** The server code, e.g. -101 for NO_NODE. */
  readonly code: number;
  /** The code's name, e.g. `NO_NODE`, or `UNKNOWN(-130)`. */
  readonly codeName: string;
  /** The operation that failed, e.g. `create`. */
  readonly op: string;
  /** The znode path involved, when there is one. */
  readonly path: string | undefined;

  constructor(code: number, op: string, path?: string, detail?: string) {
    const where = path ? ` ${path}` : "";
    const remedy = code === NO_AUTH ? "; check the zookeeper:digest credentials and the znode's ACL" : "";
    super(`ZooKeeper ${op}${where} failed: ${detail ?? codeMeaning(code)} (${codeName(code)})${remedy}`);
    this.name = "ZkError";
    this.code = code;
    this.codeName = codeName(code);
    this.op = op;
    this.path = path;
    // The engine prints `${err}: ${err.stack}`; a message says all a user needs, a stack trace does not.
    this.stack = "";
  }
}

/** True for failures after which the request may or may not have happened: retry, then reconcile. */
export function isTransient(err: unknown): boolean {
  return err instanceof ZkError && (TRANSIENT_CODES.has(err.code) || err.code === SESSION_EXPIRED);
}

/** The error code carried by a node-zookeeper-client exception or our own error. */
export function errorCode(err: unknown): number | undefined {
  if (err instanceof ZkError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** Turns anything the client library throws into a ZkError for this operation and path. */
export function toZkError(err: unknown, op: string, path?: string): Error {
  if (err instanceof ZkError) return err;
  const code = errorCode(err);
  if (code !== undefined) return new ZkError(code, op, path);
  return err instanceof Error ? err : new Error(String(err));
}
