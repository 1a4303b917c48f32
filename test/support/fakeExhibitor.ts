/**
 * A stand-in for Exhibitor's cluster-list endpoint on loopback, for tests of the Exhibitor ensemble
 * source. It answers as Exhibitor 1.5.6 was seen to answer (docs/DESIGN.md §3): JSON by default and for
 * `Accept: application/json` or `*\/*`, the form encoding when the client prefers
 * `application/x-www-form-urlencoded` (Curator's old client), 406 when it accepts neither.
 */
import * as http from "http";
import { type AddressInfo } from "net";
import { EXHIBITOR_LIST_RESOURCE, exhibitorUrl, normalizeRestPath } from "../../provider/core/exhibitor";

/** How the fake answers the cluster-list request. */
export type FakeExhibitorMode =
  /** The configured servers and port, in the negotiated encoding. */
  | "normal"
  /** A truncated JSON document, or a form body whose count does not match its entries. */
  | "malformed"
  /** An empty server list: `{"servers":[],"port":…}` or `count=0&port=…`. */
  | "empty"
  /** HTTP 500 with a plain-text body. */
  | "http500"
  /** Accepts the request and never answers, to exercise client timeouts. */
  | "hang";

/** Options of {@link startFakeExhibitor}. */
export interface FakeExhibitorOptions {
  /** Host names the cluster list reports. @default ["127.0.0.1"] */
  readonly servers?: readonly string[];
  /** The ZooKeeper client port the cluster list reports. @default 2181 */
  readonly clientPort?: number;
  /** Exhibitor's REST path prefix. @default "/" */
  readonly restPath?: string;
  /** How to answer. @default "normal" */
  readonly mode?: FakeExhibitorMode;
}

/** A running fake Exhibitor. */
export interface FakeExhibitor {
  /** The full cluster-list URL. */
  readonly url: string;
  /** The host it listens on: always `127.0.0.1`. */
  readonly host: string;
  /** The HTTP port it listens on (chosen by the OS). */
  readonly port: number;
  /** The normalised REST path it serves under, e.g. `/` or `/ops/`. */
  readonly restPath: string;
  /** Changes the reported ensemble; the client port stays unless given. */
  setServers(servers: readonly string[], clientPort?: number): void;
  /** Changes how later requests are answered. */
  setMode(mode: FakeExhibitorMode): void;
  /** How many HTTP requests arrived, on any path. */
  requests(): number;
  /** Stops listening and drops open connections, hanging ones included. */
  close(): Promise<void>;
}

const JSON_TYPE = "application/json";
const FORM_TYPE = "application/x-www-form-urlencoded";

/** Starts a fake Exhibitor on `127.0.0.1` with an OS-chosen port. */
export async function startFakeExhibitor(opts: FakeExhibitorOptions = {}): Promise<FakeExhibitor> {
  let servers = [...(opts.servers ?? ["127.0.0.1"])];
  let clientPort = opts.clientPort ?? 2181;
  let mode: FakeExhibitorMode = opts.mode ?? "normal";
  let count = 0;
  const restPath = normalizeRestPath(opts.restPath ?? "/");
  const listPath = restPath + EXHIBITOR_LIST_RESOURCE;

  const server = http.createServer((req, res) => {
    count++;
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== listPath) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found");
      return;
    }
    if (mode === "hang") return;
    if (mode === "http500") {
      res.writeHead(500, { "Content-Type": "text/plain" }).end("Internal Server Error");
      return;
    }
    const type = negotiate(req.headers.accept);
    if (type === undefined) {
      res.writeHead(406).end();
      return;
    }
    const listed = mode === "empty" ? [] : servers;
    res.writeHead(200, { "Content-Type": type }).end(body(type, listed, clientPort, mode === "malformed"));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: exhibitorUrl("127.0.0.1", port, restPath, false),
    host: "127.0.0.1",
    port,
    restPath,
    setServers(next, nextClientPort) {
      servers = [...next];
      if (nextClientPort !== undefined) clientPort = nextClientPort;
    },
    setMode(next) {
      mode = next;
    },
    requests: () => count,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The cluster list in one encoding, as Exhibitor writes it. */
function body(type: string, servers: readonly string[], clientPort: number, malformed: boolean): string {
  if (type === JSON_TYPE) {
    const json = JSON.stringify({ servers, port: clientPort });
    return malformed ? json.slice(0, Math.max(1, json.length - 12)) : json;
  }
  const entries = servers.map((s, i) => `&server${i}=${encodeURIComponent(s)}`).join("");
  // Malformed: a count one higher than the entries that follow.
  return `count=${servers.length + (malformed ? 1 : 0)}${entries}&port=${clientPort}`;
}

/** Picks the encoding for an Accept header; JSON wins ties, as Exhibitor answers `*\/*` with JSON. */
function negotiate(accept: string | undefined): string | undefined {
  if (accept === undefined || accept.trim() === "") return JSON_TYPE;
  let json = 0;
  let form = 0;
  for (const entry of accept.split(",")) {
    const [rawType = "", ...params] = entry.split(";").map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0;
    const matches = (type: string) => rawType === type || rawType === "*/*" || rawType === "application/*";
    if (matches(JSON_TYPE)) json = Math.max(json, q);
    if (matches(FORM_TYPE)) form = Math.max(form, q);
  }
  if (json === 0 && form === 0) return undefined;
  return form > json ? FORM_TYPE : JSON_TYPE;
}
