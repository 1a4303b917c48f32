/**
 * ZooKeeper server error codes (KeeperException.Code), including those that
 * node-zookeeper-client does not know. Pure data: no I/O.
 */
export const ZK_CODES: Readonly<Record<number, { name: string; meaning: string }>> = {
  [-1]: { name: "SYSTEM_ERROR", meaning: "the server reported a system error" },
  [-2]: { name: "RUNTIME_INCONSISTENCY", meaning: "the server found a runtime inconsistency" },
  [-3]: { name: "DATA_INCONSISTENCY", meaning: "the server found a data inconsistency" },
  [-4]: { name: "CONNECTION_LOSS", meaning: "the connection to the ensemble was lost" },
  [-5]: { name: "MARSHALLING_ERROR", meaning: "the request could not be (un)marshalled" },
  [-6]: { name: "UNIMPLEMENTED", meaning: "the server does not implement this operation" },
  [-7]: { name: "OPERATION_TIMEOUT", meaning: "the operation timed out" },
  [-8]: { name: "BAD_ARGUMENTS", meaning: "the server rejected the arguments" },
  [-12]: { name: "UNKNOWN_SESSION", meaning: "the server does not know this session" },
  [-13]: { name: "NEW_CONFIG_NO_QUORUM", meaning: "the new configuration has no quorum" },
  [-14]: { name: "RECONFIG_IN_PROGRESS", meaning: "a reconfiguration is in progress" },
  [-100]: { name: "API_ERROR", meaning: "the server reported an API error" },
  [-101]: { name: "NO_NODE", meaning: "the znode does not exist" },
  [-102]: { name: "NO_AUTH", meaning: "permission denied by the znode's ACL" },
  [-103]: { name: "BAD_VERSION", meaning: "the znode's version does not match" },
  [-108]: { name: "NO_CHILDREN_FOR_EPHEMERALS", meaning: "ephemeral znodes cannot have children" },
  [-110]: { name: "NODE_EXISTS", meaning: "the znode already exists" },
  [-111]: { name: "NOT_EMPTY", meaning: "the znode has children" },
  [-112]: { name: "SESSION_EXPIRED", meaning: "the ZooKeeper session expired" },
  [-113]: { name: "INVALID_CALLBACK", meaning: "invalid callback" },
  [-114]: { name: "INVALID_ACL", meaning: "the ACL is invalid" },
  [-115]: { name: "AUTH_FAILED", meaning: "authentication failed" },
  [-118]: { name: "SESSION_MOVED", meaning: "the session moved to another server" },
  [-119]: { name: "NOT_READ_ONLY", meaning: "the server is read-only and cannot accept writes" },
  [-120]: { name: "EPHEMERAL_ON_LOCAL_SESSION", meaning: "ephemeral znodes need a global session" },
  [-121]: { name: "NO_WATCHER", meaning: "no such watcher" },
  [-122]: { name: "REQUEST_TIMEOUT", meaning: "the request timed out on the server" },
  [-123]: { name: "RECONFIG_DISABLED", meaning: "reconfiguration is disabled" },
  [-124]: { name: "SESSION_CLOSED_REQUIRE_SASL_AUTH", meaning: "the server requires SASL authentication" },
  [-125]: { name: "QUOTA_EXCEEDED", meaning: "a quota on this path is exceeded" },
  [-127]: { name: "THROTTLED_OP", meaning: "the server throttled the request" },
};

/** The connection to the ensemble was lost (also: no member answered a connect). */
export const CONNECTION_LOSS = -4;
/** A request got no answer in time (the client reports its own timeouts with this code too). */
export const OPERATION_TIMEOUT = -7;

/** Codes of failures that say nothing about whether the request took effect, so it may be retried. */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  CONNECTION_LOSS,
  OPERATION_TIMEOUT,
  -118,
  -122,
  -127,
]);

/** The code that means the session is gone and a new one is needed. */
export const SESSION_EXPIRED = -112;
export const NO_NODE = -101;
export const NODE_EXISTS = -110;
export const BAD_VERSION = -103;
export const NOT_EMPTY = -111;
export const NO_AUTH = -102;
export const NOT_READ_ONLY = -119;

/** The name of a code, `UNKNOWN(<code>)` for codes not in the table. */
export function codeName(code: number): string {
  return ZK_CODES[code]?.name ?? `UNKNOWN(${code})`;
}

/** A short human meaning of a code. */
export function codeMeaning(code: number): string {
  return ZK_CODES[code]?.meaning ?? `the server returned error code ${code}, unknown to this client`;
}
export const QUOTA_EXCEEDED = -125;
