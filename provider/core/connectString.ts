import { pathProblem } from "./paths";

/** One ensemble member's client address. */
export interface ServerAddress {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** Client port. */
  readonly port: number;
}

/** A parsed connect string: `h1:2181,h2:2181/chroot`. */
export interface ParsedConnectString {
  /** The members, in the order given. */
  readonly servers: ServerAddress[];
  /** The chroot suffix, when present. */
  readonly chroot?: string;
}

/** The default ZooKeeper client port, used when an entry names no port. */
export const DEFAULT_CLIENT_PORT = 2181;

/** Parses a connect string, or returns why it is invalid. */
export function parseConnectString(value: string): ParsedConnectString | { problem: string } {
  const trimmed = value.trim();
  if (trimmed === "") return { problem: "must not be empty; give host:port[,host:port...][/chroot]" };
  const slash = chrootStart(trimmed);
  const hostsPart = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const chroot = slash < 0 ? undefined : trimmed.slice(slash);
  if (chroot !== undefined && chroot !== "/") {
    const problem = pathProblem(chroot);
    if (problem) return { problem: `has chroot '${chroot}' that ${problem}` };
  }
  const servers: ServerAddress[] = [];
  for (const entry of hostsPart.split(",")) {
    const server = parseServer(entry.trim());
    if ("problem" in server) return server;
    servers.push(server);
  }
  return chroot === undefined || chroot === "/" ? { servers } : { servers, chroot };
}

function chrootStart(s: string): number {
  // A '/' inside an IPv6 bracket cannot occur, so the first '/' starts the chroot.
  return s.indexOf("/");
}

/** Parses `host`, `host:port`, `[v6]:port` or a bare IPv6 address. */
export function parseServer(entry: string): ServerAddress | { problem: string } {
  if (entry === "") return { problem: "has an empty host entry (check for a stray ',')" };
  let host: string;
  let portText: string | undefined;
  if (entry.startsWith("[")) {
    const end = entry.indexOf("]");
    if (end < 0) return { problem: `has '${entry}' with an unclosed '['` };
    host = entry.slice(1, end);
    const rest = entry.slice(end + 1);
    if (rest !== "" && !rest.startsWith(":"))
      return { problem: `has '${entry}': expected ':port' after ']'` };
    portText = rest === "" ? undefined : rest.slice(1);
  } else if ((entry.match(/:/g) ?? []).length > 1) {
    return { problem: `has '${entry}': write IPv6 addresses in brackets, e.g. [::1]:2181` };
  } else {
    const colon = entry.indexOf(":");
    host = colon < 0 ? entry : entry.slice(0, colon);
    portText = colon < 0 ? undefined : entry.slice(colon + 1);
  }
  if (host === "" || /\s/.test(host)) return { problem: `has '${entry}' with an empty or blank host` };
  const port = portText === undefined ? DEFAULT_CLIENT_PORT : Number(portText);
  if (!/^\d+$/.test(portText ?? "2181") || port < 1 || port > 65535) {
    return { problem: `has '${entry}' whose port is not a number from 1 to 65535` };
  }
  return { host, port };
}

/** The host list of a connect string without its chroot, safe to print. */
export function hostsOnly(connectString: string): string {
  const slash = connectString.indexOf("/");
  return slash < 0 ? connectString : connectString.slice(0, slash);
}

/** Formats one address as `host:port`, bracketing IPv6 hosts. */
export function formatServer(s: ServerAddress): string {
  return s.host.includes(":") ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

/** Formats servers and an optional chroot as a connect string. */
export function formatConnectString(servers: readonly ServerAddress[], chroot?: string): string {
  const hosts = servers.map(formatServer).join(",");
  return chroot && chroot !== "/" ? hosts + chroot : hosts;
}

/** Sorts servers by host, then port, so equal memberships print equally. */
export function sortServers(servers: readonly ServerAddress[]): ServerAddress[] {
  return [...servers].sort((a, b) => (a.host === b.host ? a.port - b.port : a.host < b.host ? -1 : 1));
}

/** The connect string of the same ensemble with a chroot appended to any chroot it already has. */
export function withChroot(connectString: string, chroot: string): string {
  const parsed = parseConnectString(connectString);
  if ("problem" in parsed) throw new Error(`connect string ${parsed.problem}`);
  const base = parsed.chroot ?? "";
  return formatConnectString(parsed.servers, base + chroot);
}

/**
 * True when two connect strings name the same members (in any order, host names compared without
 * case) and the same chroot: a client of either talks to the same znodes, so switching between
 * them is no change. Anything else, a subset of the members included, may be another ensemble.
 */
export function sameEnsembleTarget(a: string, b: string): boolean {
  const pa = parseConnectString(a);
  const pb = parseConnectString(b);
  if ("problem" in pa || "problem" in pb) return a === b;
  const key = (p: ParsedConnectString) =>
    [
      ...new Set(
        sortServers(p.servers.map((s) => ({ host: s.host.toLowerCase(), port: s.port }))).map(formatServer),
      ),
    ].join(",") + (p.chroot ?? "");
  return key(pa) === key(pb);
}
