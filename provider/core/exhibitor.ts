/**
 * Exhibitor's cluster list (docs/DESIGN.md §3): the URL to ask and the two encodings it answers in.
 * Pure: the HTTP call lives with the other I/O.
 */
import { type ServerAddress } from "./connectString";
import { printable } from "./schemas";
import { uniqueSortedServers } from "./zkConfig";

/** The REST resource, relative to Exhibitor's `restPath`, that lists the ensemble. */
export const EXHIBITOR_LIST_RESOURCE = "exhibitor/v1/cluster/list";

/** A cluster list that could not be used, with the reason in one line. */
export interface ExhibitorProblem {
  /** What is wrong with the response, naming the offending field. */
  readonly problem: string;
}

/** The ensemble an Exhibitor reported: client addresses, sorted and without duplicates. */
export interface ExhibitorList {
  /** One entry per ZooKeeper server, all on the port Exhibitor reported. */
  readonly servers: ServerAddress[];
}

/** Makes a REST path start and end with `/`, so `exhibitor`, `/exhibitor` and `/exhibitor/` are one path. */
export function normalizeRestPath(restPath: string): string {
  const trimmed = restPath.trim();
  const leading = trimmed.startsWith("/") ? trimmed : "/" + trimmed;
  return leading.endsWith("/") ? leading : leading + "/";
}

/**
 * The cluster-list URL of one Exhibitor host: `http(s)://host:port{restPath}exhibitor/v1/cluster/list`.
 * IPv6 hosts are bracketed; `restPath` is normalised with {@link normalizeRestPath}.
 */
export function exhibitorUrl(host: string, port: number, restPath: string, https: boolean): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const authority = bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
  return `${https ? "https" : "http"}://${authority}${normalizeRestPath(restPath)}${EXHIBITOR_LIST_RESOURCE}`;
}

/**
 * Parses Exhibitor's answer to `GET …/exhibitor/v1/cluster/list`, in either encoding:
 * JSON `{"servers":["zk1","zk2"],"port":2181}` (what Exhibitor sends by default and for
 * `Accept: application/json`) or the form encoding `count=2&server0=zk1&server1=zk2&port=2181`
 * (Curator's `ExhibitorEnsembleProvider` asks for it). The encoding is detected from the body, so a
 * proxy that rewrites the content type does not matter; `contentType` only sharpens the message
 * for a body that fits neither. Every problem is one line that names Exhibitor and the field.
 */
export function parseExhibitorList(body: string, contentType?: string): ExhibitorList | ExhibitorProblem {
  const text = body.trim();
  if (text === "") return { problem: "Exhibitor returned an empty body instead of the cluster list" };
  if (text.startsWith("{") || text.startsWith("[")) return parseJsonList(text);
  if (/^[A-Za-z0-9_.%+-]+=/.test(text)) return parseFormList(text);
  if (contentType !== undefined && /json/i.test(contentType))
    return { problem: `malformed JSON from Exhibitor: body starts with '${excerpt(text)}'` };
  return {
    problem:
      `Exhibitor's cluster list is neither JSON nor form-encoded: body starts with '${excerpt(text)}'` +
      (contentType ? ` (content type ${printable(contentType)})` : ""),
  };
}

function parseJsonList(text: string): ExhibitorList | ExhibitorProblem {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { problem: `malformed JSON from Exhibitor: ${(err as Error).message}` };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    return { problem: "Exhibitor's JSON cluster list must be an object with 'servers' and 'port'" };
  const { servers, port } = doc as Record<string, unknown>;
  if (!Array.isArray(servers))
    return { problem: `Exhibitor's JSON cluster list has no 'servers' array (got ${describe(servers)})` };
  const portOrProblem = checkPort(port);
  if (typeof portOrProblem !== "number") return portOrProblem;
  const hosts: string[] = [];
  for (const [i, host] of servers.entries()) {
    if (typeof host !== "string")
      return { problem: `Exhibitor's servers[${i}] must be a host name string, got ${describe(host)}` };
    hosts.push(host);
  }
  return toList(hosts, portOrProblem);
}

function parseFormList(text: string): ExhibitorList | ExhibitorProblem {
  const values = new Map<string, string>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    let value: string;
    try {
      value = decodeURIComponent((eq < 0 ? "" : pair.slice(eq + 1)).replace(/\+/g, " "));
    } catch {
      return { problem: `Exhibitor's form-encoded '${printable(key)}' has malformed percent-encoding` };
    }
    if (values.has(key))
      return { problem: `Exhibitor's form-encoded cluster list repeats '${printable(key)}'` };
    values.set(key, value);
  }
  const portText = values.get("port");
  const portOrProblem = checkPort(
    portText === undefined ? undefined : /^\d+$/.test(portText) ? Number(portText) : portText,
  );
  if (typeof portOrProblem !== "number") return portOrProblem;
  const countText = values.get("count");
  if (countText === undefined || !/^\d+$/.test(countText))
    return { problem: `Exhibitor's form-encoded 'count' must be a whole number, got ${describe(countText)}` };
  const count = Number(countText);
  const serverKeys = [...values.keys()].filter((k) => /^server\d+$/.test(k));
  const expected = Array.from({ length: count }, (_, i) => `server${i}`);
  if (serverKeys.length !== count || expected.some((k) => !values.has(k))) {
    const found = serverKeys.length === 0 ? "none" : serverKeys.join(", ");
    return {
      problem: `Exhibitor's count=${count} does not match its server entries (expected server0..server${count - 1}, found ${found})`,
    };
  }
  return toList(
    expected.map((k) => values.get(k) as string),
    portOrProblem,
  );
}

function checkPort(port: unknown): number | ExhibitorProblem {
  if (port === undefined) return { problem: "Exhibitor's cluster list has no 'port'" };
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
    return { problem: `Exhibitor's 'port' must be a whole number from 1 to 65535, got ${describe(port)}` };
  return port;
}

function toList(hosts: readonly string[], port: number): ExhibitorList | ExhibitorProblem {
  if (hosts.length === 0) return { problem: "Exhibitor reported no servers" };
  const servers: ServerAddress[] = [];
  for (const raw of hosts) {
    const problem = hostProblem(raw);
    if (problem) return { problem };
    const host = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
    servers.push({ host, port });
  }
  return { servers: uniqueSortedServers(servers) };
}

function hostProblem(host: string): string | undefined {
  if (host === "") return "Exhibitor reported an empty host name";
  if (/\s/.test(host)) return `Exhibitor reported host '${printable(host)}' that contains whitespace`;
  const colons = (host.match(/:/g) ?? []).length;
  // Exhibitor reports bare host names; one colon means someone put `host:port` into its servers spec.
  if (colons === 1)
    return `Exhibitor reported host '${printable(host)}' with a port; expected a bare host name`;
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `'${excerpt(value)}'`;
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : `${typeof value} ${excerpt(JSON.stringify(value))}`;
}

function excerpt(text: string): string {
  return printable(text.length > 40 ? text.slice(0, 40) + "..." : text);
}
