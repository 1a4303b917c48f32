import {
  BAD_VERSION,
  codeMeaning,
  codeName,
  NO_AUTH,
  NO_NODE,
  NODE_EXISTS,
  NOT_EMPTY,
  NOT_READ_ONLY,
  QUOTA_EXCEEDED,
  SESSION_EXPIRED,
  TRANSIENT_CODES,
} from "../core/zkCodes";

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
  /** What went wrong, without the operation, path and code the message adds around it. */
  readonly detail: string;

  constructor(code: number, op: string, path?: string, detail?: string) {
    const where = path ? ` ${path}` : "";
    const problem = detail ?? codeMeaning(code);
    const remedy = code === NO_AUTH ? "; check the zookeeper:digest credentials and the znode's ACL" : "";
    super(`ZooKeeper ${op}${where} failed: ${problem} (${codeName(code)})${remedy}`);
    this.name = "ZkError";
    this.code = code;
    this.codeName = codeName(code);
    this.op = op;
    this.path = path;
    this.detail = problem;
    // The engine prints `${err}: ${err.stack}`; a message says all a user needs, a stack trace does not.
    this.stack = "";
  }
}

/** True for failures after which the request may or may not have happened: retry, then reconcile. */
export function isTransient(err: unknown): boolean {
  return err instanceof ZkError && (TRANSIENT_CODES.has(err.code) || err.code === SESSION_EXPIRED);
}

/** The znode does not exist (NO_NODE). */
export const isNoNode = (err: unknown): boolean => errorCode(err) === NO_NODE;
/** The znode already exists (NODE_EXISTS). */
export const isNodeExists = (err: unknown): boolean => errorCode(err) === NODE_EXISTS;
/** The znode's version (data or ACL) is not the one the request was conditioned on (BAD_VERSION). */
export const isBadVersion = (err: unknown): boolean => errorCode(err) === BAD_VERSION;
/** The znode has children, so it cannot be deleted (NOT_EMPTY). */
export const isNotEmpty = (err: unknown): boolean => errorCode(err) === NOT_EMPTY;
/** The member is in read-only mode (NOT_READ_ONLY): it serves reads only. */
export const isNotReadOnly = (err: unknown): boolean => errorCode(err) === NOT_READ_ONLY;
/** A hard quota refused the write (QUOTA_EXCEEDED). */
export const isQuotaExceeded = (err: unknown): boolean => errorCode(err) === QUOTA_EXCEEDED;

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
