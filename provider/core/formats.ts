import { createHash } from "crypto";
import type { RegistrationFormat } from "./schemas";

/** A host and port, as ServerSet endpoints are written. */
export interface Endpoint {
  /** Host name or address. */
  readonly host: string;
  /** Port. */
  readonly port: number;
}

/** What a registration says about one service instance, independent of the wire format. */
export interface Registration {
  readonly service: string;
  readonly id: string;
  readonly address: string;
  readonly port?: number;
  readonly sslPort?: number;
  /** Milliseconds since the epoch; set once when the instance is first registered. */
  readonly registrationTimeUTC: number;
  readonly payload?: unknown;
  /** Java class of the payload for typed Curator consumers (Jackson's `@class` type id). */
  readonly payloadClass?: string;
  /** Template such as `{scheme}://{address}:{port}`. */
  readonly uriSpec?: string;
  readonly additionalEndpoints?: Readonly<Record<string, Endpoint>>;
  readonly shard?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * `false` drains the instance: Curator's and json's `enabled: false`, a ServerSet member's status
   * `STOPPING`. Absent writes nothing (Curator: enabled; ServerSet: `ALIVE`).
   */
  readonly enabled?: boolean;
}

/** The status a drained ServerSet member is written with: going away on purpose, not routed to. */
export const DRAINED_STATUS = "STOPPING";

/** One part of a Curator `UriSpec`. */
export interface UriSpecPart {
  readonly value: string;
  readonly variable: boolean;
}

/** Splits a template like `{scheme}://{address}:{port}` into Curator's `UriSpec` parts. */
export function uriSpecParts(template: string): UriSpecPart[] {
  const parts: UriSpecPart[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) parts.push({ value: template.slice(last, m.index), variable: false });
    parts.push({ value: m[1], variable: true });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ value: template.slice(last), variable: false });
  return parts;
}

/** The variables Curator's `UriSpec.build` fills in from a service instance. */
export const URI_SPEC_FIELDS = [
  "scheme",
  "name",
  "id",
  "address",
  "port",
  "ssl-port",
  "registration-time-utc",
  "service-type",
] as const;

/**
 * Why a uriSpec template is not one Curator's `UriSpec` parses into the intended URI, or
 * undefined. Curator throws on unbalanced or nested braces and has no escape for a literal brace;
 * an unknown variable is left in the URI as `{name}`, so a typo such as `{adress}` goes unnoticed.
 * Variables must therefore be one of {@link URI_SPEC_FIELDS} or a top-level field of the payload
 * (for consumers that pass the payload's fields to `build`).
 */
export function uriSpecProblem(template: string, payload?: unknown): string | undefined {
  const known = new Set<string>(URI_SPEC_FIELDS);
  if (isObj(payload)) for (const key of Object.keys(payload)) known.add(key);
  const usage = `variables are {${URI_SPEC_FIELDS.join("}, {")}} or a field of payload, and braces cannot be literal`;
  let open = -1;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === "{") {
      if (open >= 0)
        return `has '{' at character ${i + 1} inside the variable opened at character ${open + 1}; ${usage}`;
      open = i;
    } else if (ch === "}") {
      if (open < 0) return `has '}' at character ${i + 1} without a '{' before it; ${usage}`;
      const name = template.slice(open + 1, i);
      if (!known.has(name)) return `has unknown variable {${name}}; ${usage}`;
      open = -1;
    }
  }
  return open >= 0 ? `has '{' at character ${open + 1} that is never closed; ${usage}` : undefined;
}

/**
 * A stable instance id derived from where the instance listens, shaped like the UUIDs Curator
 * generates (version 5 layout), so the same address and port always give the same znode.
 */
export function defaultInstanceId(
  address: string,
  port: number | undefined,
  sslPort: number | undefined,
): string {
  const h = createHash("sha1")
    .update(`${address}:${port ?? ""}:${sslPort ?? ""}`)
    .digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The znode name prefix of ServerSet members. */
export const SERVERSET_PREFIX = "member_";

/** Java types Curator's Jackson mapper names for untyped JSON objects and arrays. */
const JAVA_MAP = "java.util.LinkedHashMap";
const JAVA_LIST = "java.util.ArrayList";

/**
 * The payload as Curator writes it: Jackson adds a type id to the top-level payload, `@class`
 * first in objects and `["java.util.ArrayList", [...]]` around arrays; scalars stay bare.
 */
function curatorPayload(r: Registration): unknown {
  if (r.payload === undefined) return null;
  if (Array.isArray(r.payload)) return [JAVA_LIST, r.payload];
  if (typeof r.payload !== "object" || r.payload === null) return r.payload;
  return { "@class": r.payloadClass ?? JAVA_MAP, ...(r.payload as Record<string, unknown>) };
}

/** A Curator payload without Jackson's type id, and the Java class it named. */
function untypedPayload(payload: unknown): { payload: unknown; payloadClass?: string } {
  if (
    Array.isArray(payload) &&
    payload.length === 2 &&
    typeof payload[0] === "string" &&
    Array.isArray(payload[1])
  ) {
    return { payload: payload[1], payloadClass: payload[0] };
  }
  if (isObj(payload) && typeof payload["@class"] === "string") {
    const { "@class": cls, ...rest } = payload;
    return { payload: rest, payloadClass: cls };
  }
  return { payload };
}

/** Curator's `ServiceInstance` JSON, field for field, nulls written out. */
export function curatorJson(r: Registration): Record<string, unknown> {
  return {
    name: r.service,
    id: r.id,
    address: r.address,
    port: r.port ?? null,
    sslPort: r.sslPort ?? null,
    payload: curatorPayload(r),
    registrationTimeUTC: r.registrationTimeUTC,
    serviceType: "PERMANENT",
    uriSpec: r.uriSpec === undefined ? null : { parts: uriSpecParts(r.uriSpec) },
    // Last, where Curator 5 writes it (with compatibleSerializationMode false).
    ...(r.enabled !== undefined ? { enabled: r.enabled } : {}),
  };
}

/** A Finagle/Aurora ServerSet member. */
export function serversetJson(r: Registration): Record<string, unknown> {
  return {
    serviceEndpoint: { host: r.address, port: r.port },
    additionalEndpoints: r.additionalEndpoints ?? {},
    status: r.enabled === false ? DRAINED_STATUS : "ALIVE",
    ...(r.shard !== undefined ? { shard: r.shard } : {}),
    ...(r.metadata && Object.keys(r.metadata).length > 0 ? { metadata: r.metadata } : {}),
  };
}

/** The plain JSON style: address, port, timestamp, then the payload's own fields. */
export function plainJson(r: Registration): Record<string, unknown> {
  const own = {
    address: r.address,
    port: r.port,
    ...(r.sslPort !== undefined ? { sslPort: r.sslPort } : {}),
    timestamp: r.registrationTimeUTC,
    ...(r.enabled !== undefined ? { enabled: r.enabled } : {}),
  };
  return { ...own, ...((r.payload as Record<string, unknown> | undefined) ?? {}), ...own };
}

/** The znode data of a registration in a format. */
export function encodeRegistration(format: RegistrationFormat, r: Registration): string {
  const body =
    format === "curator" ? curatorJson(r) : format === "serverset" ? serversetJson(r) : plainJson(r);
  return JSON.stringify(body);
}

/** A service instance as found in ZooKeeper, whoever registered it. */
export interface ServiceInstance {
  /** Instance id: Curator's id, the json znode name, or the ServerSet member znode name. */
  readonly id: string;
  /** Service name. */
  readonly service: string;
  readonly address: string;
  readonly port: number | undefined;
  readonly sslPort?: number;
  /** The wire format the znode is in. */
  readonly format: RegistrationFormat;
  /** Registration time in ms since the epoch (Curator `registrationTimeUTC`, json `timestamp`). */
  readonly registrationTimeUTC?: number;
  /** Curator payload (without Jackson's type id), or the json format's extra fields. */
  readonly payload?: unknown;
  /** Java class a Curator payload was typed with, e.g. `java.util.LinkedHashMap`. */
  readonly payloadClass?: string;
  /** Full znode path. */
  readonly path: string;
  /** True when the znode is ephemeral: a running process registered itself. */
  readonly ephemeral: boolean;
  /**
   * True when consumers route to the instance, by its format's own rule: Curator's `enabled` as
   * Curator 5 reads it ({@link enabledOf}; absent means enabled), a ServerSet member's `status` is
   * `ALIVE` (Finagle's rule), a json instance's `enabled` read as Curator's.
   */
  readonly serving: boolean;
  /** Curator and json: the `enabled` field as Curator reads it (true when absent). */
  readonly enabled?: boolean;
  /** ServerSet member status (`ALIVE`, `DEAD`, ...). */
  readonly status?: string;
  /** ServerSet shard. */
  readonly shard?: number;
  /** ServerSet additional endpoints. */
  readonly additionalEndpoints?: Record<string, Endpoint>;
  /** ServerSet metadata. */
  readonly metadata?: Record<string, string>;
}

/** What is known of a znode besides its data. */
export interface ZnodeFacts {
  readonly service: string;
  readonly name: string;
  readonly path: string;
  readonly ephemeral: boolean;
  readonly ctime: number;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const optPort = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isInteger(v) && v > 0 && v < 65536 ? v : undefined;

/** Strings Jackson reads as a boolean (its default coercion, which Curator's mapper keeps). */
const JACKSON_BOOLEANS: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

/**
 * `enabled` and `serving` from an `enabled` field, read as Curator 5's Jackson mapper reads its
 * primitive `boolean enabled`: absent means enabled; `null` means false; `"true"`/`"false"` (any of
 * Jackson's three spellings) and integers (0 is false) are coerced. Anything else makes Curator
 * refuse the whole instance, so it does not serve.
 */
export function enabledOf(value: unknown, present: boolean): { serving: boolean; enabled?: boolean } {
  let enabled: boolean | undefined;
  if (!present) enabled = true;
  else if (typeof value === "boolean") enabled = value;
  else if (value === null) enabled = false;
  else if (typeof value === "string") enabled = JACKSON_BOOLEANS[value];
  else if (typeof value === "number" && Number.isInteger(value)) enabled = value !== 0;
  return enabled === undefined ? { serving: false } : { serving: enabled, enabled };
}

/** Parses a znode's data in any of the three formats, or says why it is not a service instance. */
export function decodeInstance(data: Buffer, facts: ZnodeFacts): ServiceInstance | { problem: string } {
  if (data.length === 0) return { problem: "it is empty" };
  let body: unknown;
  try {
    body = JSON.parse(data.toString("utf8"));
  } catch {
    return { problem: "its data is not JSON" };
  }
  if (!isObj(body)) return { problem: "its data is not a JSON object" };
  const base = { service: facts.service, path: facts.path, ephemeral: facts.ephemeral };
  if (isObj(body.serviceEndpoint)) {
    const ep = body.serviceEndpoint;
    if (typeof ep.host !== "string" || optPort(ep.port) === undefined)
      return { problem: "its serviceEndpoint has no valid host and port" };
    // Finagle counts a member without a status as UNKNOWN and routes only to ALIVE ones.
    const status = typeof body.status === "string" ? body.status : "UNKNOWN";
    return {
      ...base,
      id: facts.name,
      format: "serverset",
      address: ep.host,
      port: ep.port as number,
      registrationTimeUTC: facts.ctime,
      serving: status === "ALIVE",
      status,
      ...(typeof body.shard === "number" ? { shard: body.shard } : {}),
      additionalEndpoints: isObj(body.additionalEndpoints)
        ? (body.additionalEndpoints as Record<string, Endpoint>)
        : {},
      ...(isObj(body.metadata) ? { metadata: body.metadata as Record<string, string> } : {}),
    };
  }
  if (typeof body.address !== "string" || body.address === "") return { problem: "it has no address" };
  if ("registrationTimeUTC" in body || "serviceType" in body || "name" in body) {
    const port = optPort(body.port);
    const sslPort = optPort(body.sslPort);
    if (port === undefined && sslPort === undefined) return { problem: "it has neither port nor sslPort" };
    const { payload, payloadClass } = untypedPayload(body.payload);
    return {
      ...base,
      id: typeof body.id === "string" ? body.id : facts.name,
      format: "curator",
      address: body.address,
      port,
      ...enabledOf(body.enabled, "enabled" in body),
      ...(sslPort !== undefined ? { sslPort } : {}),
      ...(typeof body.registrationTimeUTC === "number"
        ? { registrationTimeUTC: body.registrationTimeUTC }
        : {}),
      ...(payload !== undefined && payload !== null ? { payload } : {}),
      ...(payloadClass ? { payloadClass } : {}),
    };
  }
  const port = optPort(body.port);
  if (port === undefined) return { problem: "it has no valid port" };
  const { address, port: _p, sslPort, timestamp, enabled, ...rest } = body;
  return {
    ...base,
    id: facts.name,
    format: "json",
    address,
    port,
    ...enabledOf(enabled, "enabled" in body),
    ...(optPort(sslPort) !== undefined ? { sslPort: sslPort as number } : {}),
    ...(typeof timestamp === "number" ? { registrationTimeUTC: timestamp } : {}),
    ...(Object.keys(rest).length > 0 ? { payload: rest } : {}),
  };
}

/** Orders instances by registration time, then path, so lookups are stable. */
export function sortInstances(instances: readonly ServiceInstance[]): ServiceInstance[] {
  return [...instances].sort((a, b) => {
    const ta = a.registrationTimeUTC ?? 0;
    const tb = b.registrationTimeUTC ?? 0;
    return ta !== tb ? ta - tb : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
}

/** Why an instance does not serve, in words for a log or an error; undefined when it serves. */
export function notServingReason(i: ServiceInstance): string | undefined {
  if (i.serving) return undefined;
  if (i.format === "serverset") return `ServerSet status ${i.status ?? "UNKNOWN"} (only ALIVE serves)`;
  if (i.enabled === false) return "drained (enabled is false)";
  return "its enabled field is neither a boolean nor something Curator reads as one";
}

/** `address:port` of an instance (`address:sslPort` when it has only a TLS port). */
export function endpointOf(i: ServiceInstance): string {
  return `${i.address}:${i.port ?? i.sslPort ?? "?"}`;
}
