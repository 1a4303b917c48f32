/**
 * node-zookeeper-client, loaded on first use and patched where it falls short of what the provider
 * needs. Every patch reaches into the library's internals (its exception factory, its jute
 * protocol records, its connection manager), so they are written against one version, checked
 * when the library loads: another version fails at once with a message, not later with a crash.
 */
import type * as Zk from "node-zookeeper-client";
import type { CreateMode } from "./client";

/** The version the patches below are written against. */
export const PATCHED_VERSION = "1.1.3";

/** The library's jute protocol internals that the client uses to build requests it lacks. */
export interface Jute {
  readonly protocol: Record<string, new (...args: unknown[]) => unknown>;
  readonly OP_CODES: { MULTI: number; ERROR: number; SYNC: number; CREATE: number };
  readonly Request: new (header: unknown, payload: unknown) => unknown;
  readonly TransactionRequest: new (ops: unknown[]) => unknown;
}

/** The loaded, patched library. */
export interface ZookeeperLibrary {
  /** The public API. */
  readonly zookeeper: typeof Zk;
  /** The protocol records. */
  readonly jute: Jute;
  /** The library's exception for a server error code (any code, known to it or not). */
  readonly exception: (code: number) => Error;
  /** The library's code for each create mode. */
  readonly createModes: Readonly<Record<CreateMode, number>>;
}

let loaded: ZookeeperLibrary | undefined;

/** The patched library, loaded and checked on the first call. */
export function zookeeperLibrary(): ZookeeperLibrary {
  if (loaded) return loaded;
  const { version } = require("node-zookeeper-client/package.json") as { version: string };
  if (version !== PATCHED_VERSION) {
    throw new Error(
      `pulumi-zookeeper needs node-zookeeper-client ${PATCHED_VERSION} (its patches reach into that version's ` +
        `internals), but ${version} is installed; install the version this package depends on ` +
        `(npm install node-zookeeper-client@${PATCHED_VERSION}) or remove the override that changed it`,
    );
  }
  const zookeeper = require("node-zookeeper-client") as typeof Zk;
  const jute = require("node-zookeeper-client/lib/jute") as Jute;
  const exception = patchUnknownCodes();
  patchReadOnlyAndBadReplies(jute);
  const codes = zookeeper.CreateMode;
  const createModes = {
    persistent: codes.PERSISTENT,
    sequential: codes.PERSISTENT_SEQUENTIAL,
    ephemeral: codes.EPHEMERAL,
    ephemeralSequential: codes.EPHEMERAL_SEQUENTIAL,
  };
  loaded = { zookeeper, jute, exception, createModes };
  return loaded;
}

/**
 * node-zookeeper-client throws "Unknown code" from inside its socket handler for server codes it
 * does not know (-118, -119, -124, -125, -127...), which would crash the provider process. Teach its
 * factory to build an exception for any code instead, so the failing request's callback gets it.
 */
function patchUnknownCodes(): (code: number) => Error {
  const exceptionModule = require("node-zookeeper-client/lib/Exception.js") as {
    create: (code: number, path?: string) => Error;
    __pulumiZkPatched?: boolean;
  };
  const create = (code: number) => exceptionModule.create(code);
  if (exceptionModule.__pulumiZkPatched) return create;
  const known = exceptionModule.create;
  exceptionModule.create = (code: number, path?: string) => {
    try {
      return known(code, path);
    } catch {
      // The library calls getCode() on the errors it handles, so keep Exception's accessors.
      const name = `UNKNOWN(${code})`;
      return Object.assign(new Error(`Exception: UNKNOWN[${code}]`), {
        code,
        name,
        path,
        getCode: () => code,
        getName: () => name,
        getPath: () => path,
      });
    }
  };
  exceptionModule.__pulumiZkPatched = true;
  return create;
}

/**
 * node-zookeeper-client never asks for a read-only session, so a member partitioned from its
 * quorum (ZooKeeper's read-only mode) refuses it. Give its ConnectRequest the trailing `readOnly`
 * flag of the protocol, set only for sessions opened with `allowReadOnly` (lookups): writers keep
 * refusing read-only members and fail over instead. And a malformed or truncated reply makes the
 * library's decoder throw from the socket handler, which would crash the process: drop the
 * connection instead, as it does for other protocol errors.
 */
function patchReadOnlyAndBadReplies(jute: Jute): void {
  const marked = jute as Jute & { __pulumiZkReadOnly?: boolean };
  if (marked.__pulumiZkReadOnly) return;
  const connectionManager = require("node-zookeeper-client/lib/ConnectionManager.js") as {
    prototype: {
      onSocketConnected: (this: { allowReadOnly?: boolean }, ...args: unknown[]) => unknown;
      onSocketData: (this: { socket?: { destroy(): void } }, ...args: unknown[]) => unknown;
    };
  };
  const spec = require("node-zookeeper-client/lib/jute/specification.json") as {
    protocol: { ConnectRequest: { name: string; type: string }[] };
  };
  spec.protocol.ConnectRequest.push({ name: "readOnly", type: "boolean" });
  let connectingReadOnly = false;
  const PlainConnectRequest = jute.protocol.ConnectRequest;
  jute.protocol.ConnectRequest = function ConnectRequest(...args: unknown[]) {
    return new PlainConnectRequest(...args.slice(0, 5), connectingReadOnly);
  } as unknown as new (...args: unknown[]) => unknown;
  const onSocketConnected = connectionManager.prototype.onSocketConnected;
  connectionManager.prototype.onSocketConnected = function (...args: unknown[]) {
    connectingReadOnly = this.allowReadOnly === true;
    try {
      return onSocketConnected.apply(this, args);
    } finally {
      connectingReadOnly = false;
    }
  };
  const onSocketData = connectionManager.prototype.onSocketData;
  connectionManager.prototype.onSocketData = function (...args: unknown[]) {
    try {
      return onSocketData.apply(this, args);
    } catch {
      this.socket?.destroy();
      return undefined;
    }
  };
  marked.__pulumiZkReadOnly = true;
}
