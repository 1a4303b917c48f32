/**
 * The dynamic configuration ZooKeeper 3.5+ publishes in `/zookeeper/config` (docs/DESIGN.md §3), and the
 * outputs of an ensemble lookup built from any source. Pure.
 */
import { type ServerAddress, formatConnectString, sortServers } from "./connectString";
import { printable } from "./schemas";

/** The client addresses found in `/zookeeper/config`. */
export interface ZkConfigServers {
  /** Client addresses of the servers that publish one, sorted and without duplicates; may be empty. */
  readonly servers: ServerAddress[];
  /** The config's `version=` value (hex, as written), when present. */
  readonly version?: string;
  /** Servers without a client address, as `server.N`, in the order they appear. */
  readonly skipped: string[];
}

/** The outputs every ensemble lookup reports, whatever its source. */
export interface EnsembleOutputs {
  /** The members, sorted by host then port, without duplicates. */
  readonly servers: ServerAddress[];
  /** `host:port,...` of the sorted members, without a chroot. */
  readonly connectString: string;
  /** The connect string with the chroot appended; equal to `connectString` when there is no chroot. */
  readonly chrootedConnectString: string;
}

const SERVER_KEY = /^server\.(\d+)$/;
const PORT = /^\d{1,5}$/;

/**
 * Parses the text of `/zookeeper/config`: lines `server.N=host:quorumPort:electionPort[:role][;[clientHost:]clientPort]`
 * (several quorum addresses may be joined with `|`) and `version=<hex>`.
 *
 * - A client host is used as given, except a wildcard (`0.0.0.0`, `::`, `0:0:0:0:0:0:0:0`, bracketed
 *   or not), which is what ZooKeeper shows for `;2181`; it is replaced by the server's first quorum host.
 * - A server with no client part is listed in `skipped`: ZooKeeper omits it when the client port
 *   comes from the static `clientPort` setting, so the caller decides what to fall back to.
 * - Observers (`:observer`) are included: clients may connect to them like to participants.
 * - Blank lines, `#` comments and other keys are ignored.
 *
 * A line that breaks the format, and a config without any `server.N` line (a standalone server, or
 * ZooKeeper before 3.5), is a problem.
 */
export function parseZkConfig(text: string): ZkConfigServers | { problem: string } {
  const servers: ServerAddress[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  let version: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "version") {
      if (!/^[0-9a-fA-F]+$/.test(value))
        return { problem: `/zookeeper/config has version '${printable(value)}' that is not hexadecimal` };
      version = value;
      continue;
    }
    const id = SERVER_KEY.exec(key)?.[1];
    if (id === undefined) continue;
    const name = `server.${id}`;
    if (seen.has(name)) return { problem: `/zookeeper/config lists ${name} twice` };
    seen.add(name);
    const parsed = parseServerLine(value);
    if ("problem" in parsed)
      return { problem: `/zookeeper/config has ${name}=${printable(value)} that ${parsed.problem}` };
    if (parsed.client === undefined) skipped.push(name);
    else servers.push(parsed.client);
  }
  if (seen.size === 0)
    return {
      problem: "/zookeeper/config lists no server.N lines (a standalone server, or ZooKeeper before 3.5)",
    };
  const out = { servers: uniqueSortedServers(servers), skipped };
  return version === undefined ? out : { ...out, version };
}

/** One `server.N` value: the client address, or undefined when the server publishes none. */
function parseServerLine(value: string): { client: ServerAddress | undefined } | { problem: string } {
  const semi = value.indexOf(";");
  const quorumPart = semi < 0 ? value : value.slice(0, semi);
  const clientPart = semi < 0 ? undefined : value.slice(semi + 1).trim();
  let serverHost: string | undefined;
  for (const address of quorumPart.split("|")) {
    const parts = splitHostAndPorts(address.trim());
    if ("problem" in parts) return parts;
    const [host, quorumPort, electionPort, role, ...extra] = parts;
    if (host === undefined || host === "" || quorumPort === undefined || electionPort === undefined)
      return { problem: "is not host:quorumPort:electionPort[:role][;[clientHost:]clientPort]" };
    if (extra.length > 0)
      return { problem: `has '${address}' with too many ':' fields (write IPv6 hosts in brackets)` };
    if (!validPort(quorumPort) || !validPort(electionPort))
      return { problem: "has a quorum or election port that is not a number from 1 to 65535" };
    if (role !== undefined && !/^(participant|observer)$/i.test(role))
      return { problem: `has role '${role}'; expected participant or observer` };
    serverHost ??= host;
  }
  if (clientPart === undefined || clientPart === "") return { client: undefined };
  const client = splitHostAndPorts(clientPart);
  if ("problem" in client) return client;
  if (client.length > 2)
    return {
      problem: `has client address '${clientPart}'; expected [clientHost:]clientPort (IPv6 in brackets)`,
    };
  const [first, second] = client;
  const portText = second ?? first;
  if (portText === undefined || !validPort(portText))
    return { problem: `has client port '${portText ?? ""}' that is not a number from 1 to 65535` };
  const clientHost = second === undefined ? undefined : first;
  const host =
    clientHost === undefined || clientHost === "" || isWildcard(clientHost) ? serverHost : clientHost;
  return { client: { host: host as string, port: Number(portText) } };
}

/** Splits `host:a:b`, `[v6]:a:b` or a bare `port` on colons, taking the brackets off an IPv6 host. */
function splitHostAndPorts(address: string): string[] | { problem: string } {
  if (!address.startsWith("[")) {
    if (/\s/.test(address)) return { problem: `has '${address}' with whitespace` };
    return address.split(":");
  }
  const end = address.indexOf("]");
  if (end < 0) return { problem: `has '${address}' with an unclosed '['` };
  const rest = address.slice(end + 1);
  if (rest !== "" && !rest.startsWith(":")) return { problem: `has '${address}': expected ':' after ']'` };
  return [address.slice(1, end), ...(rest === "" ? [] : rest.slice(1).split(":"))];
}

function validPort(text: string): boolean {
  const n = Number(text);
  return PORT.test(text) && n >= 1 && n <= 65535;
}

/** True for the any-address a server listens on when no client host is configured. */
function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || (host.includes(":") && /^[0:]+$/.test(host));
}

/** Sorts servers with {@link sortServers} and drops repeated `host:port` pairs. */
export function uniqueSortedServers(servers: readonly ServerAddress[]): ServerAddress[] {
  return sortServers(servers).filter(
    (s, i, all) => i === 0 || s.host !== all[i - 1]?.host || s.port !== all[i - 1]?.port,
  );
}

/** The outputs of an ensemble lookup: sorted members and their connect strings, with and without the chroot. */
export function ensembleOutputs(servers: readonly ServerAddress[], chroot?: string): EnsembleOutputs {
  const sorted = uniqueSortedServers(servers);
  const connectString = formatConnectString(sorted);
  return { servers: sorted, connectString, chrootedConnectString: formatConnectString(sorted, chroot) };
}
