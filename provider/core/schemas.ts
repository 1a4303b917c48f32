import { z } from "zod";
import { ACL_SCHEMES, type AclEntry, ipAclIdProblem, permsProblem } from "./acl";
import { parseConnectString } from "./connectString";
import {
  type COMMON_INPUTS,
  DELETE_POLICIES,
  REGISTRATION_FORMATS,
  ZK_CHROOT,
  ZK_NODE,
  ZK_SERVICE_REGISTRATION,
} from "./definitions";
import { defaultInstanceId, encodeRegistration, SERVERSET_PREFIX, uriSpecProblem } from "./formats";
import { ancestors, isReserved, joinPath, pathProblem } from "./paths";
import { MAX_DATA_BYTES, MAX_REQUEST_BYTES, multiBytes, PARENT_DATA_BYTES, type SizedOp } from "./requests";
import type { CheckFailure } from "./validation";
import { propertyName } from "./validation";

export { MAX_DATA_BYTES, MAX_REQUEST_BYTES } from "./requests";

/** A zod refinement from a function that says why a string breaks a rule, or undefined. */
export const rule = (problem: (v: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const p = problem(value);
  if (p) ctx.addIssue({ code: "custom", message: p });
};

/** A ZooKeeper path that a resource may manage. */
export const zkPath = z.string().superRefine(
  rule((v) => {
    const p = pathProblem(v);
    if (p) return `path '${printable(v)}' ${p}`;
    if (isReserved(v))
      return `path '${v}' is under /zookeeper, which ZooKeeper reserves for itself; choose another path`;
    return undefined;
  }),
);

/** Why a relative path such as a chroot child `config/db` is invalid, or undefined. */
export function relativePathProblem(v: string): string | undefined {
  if (v === "")
    return "child name '' must not be empty: name the child relative to the chroot, such as 'config'";
  if (v.startsWith("/")) return `relative path '${printable(v)}' must not start with '/'`;
  const p = pathProblem("/" + v);
  return p ? `relative path '${printable(v)}' ${p}` : undefined;
}

/** A single path component such as a service name or an instance id. */
export const pathComponent = (what: string) =>
  z.string().superRefine(
    rule((v) => {
      if (v === "") return `${what} must not be empty`;
      if (v.includes("/")) return `${what} '${printable(v)}' must be a single path component without '/'`;
      const p = pathProblem("/" + v);
      return p ? `${what} '${printable(v)}' ${p.replace(/component/g, "name")}` : undefined;
    }),
  );

/** A connect string `host:port[,host:port...][/chroot]`. */
export const connectString = z.string().superRefine(
  rule((v) => {
    const parsed = parseConnectString(v);
    return "problem" in parsed ? `connect string '${printable(v)}' ${parsed.problem}` : undefined;
  }),
);

/** A TCP port. */
export const port = z
  .number()
  .int("must be a whole number")
  .min(1, "must be a port from 1 to 65535")
  .max(65535, "must be a port from 1 to 65535");

/** One ACL entry. */
export const aclEntry = z.strictObject({
  scheme: z.enum(ACL_SCHEMES, { message: `scheme must be one of ${ACL_SCHEMES.join(", ")}` }),
  id: z.string().min(1, "id must not be empty"),
  perms: z
    .string()
    .superRefine(rule((v) => (permsProblem(v) ? `perms '${v}' ${permsProblem(v)}` : undefined))),
});

/** A non-empty ACL; entries checked against their scheme. */
export const acl = z
  .array(aclEntry)
  .min(1, "acl must have at least one entry; omit it to inherit the ACL of the closest existing ancestor")
  .superRefine((entries, ctx) => {
    entries.forEach((e, i) => {
      const problem = aclIdProblem(e);
      if (problem) ctx.addIssue({ code: "custom", path: [i, "id"], message: problem });
    });
  });

function aclIdProblem(e: AclEntry): string | undefined {
  if (e.scheme === "world" && e.id !== "anyone") return `world ACL id must be 'anyone', got '${e.id}'`;
  if (e.scheme === "digest" && !/^[^:]+:[A-Za-z0-9+/]{27}=$/.test(e.id)) {
    return "digest ACL id must be 'user:base64(sha1(user:password))'; build it with digestAclId(user, password)";
  }
  if (e.scheme === "ip") {
    const problem = ipAclIdProblem(e.id);
    if (problem) return `ip ACL id '${printable(e.id)}' ${problem}`;
  }
  return undefined;
}

/** Bytes of a UTF-8 string. */
export const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** Shows control characters and lone surrogates escaped and cuts long values, so an error message stays one readable line. */
export function printable(s: string): string {
  let shown = s.length > 120 ? s.slice(0, 117) : s;
  // Never cut an emoji in half.
  if (/[\ud800-\udbff]$/.test(shown) && shown.length < s.length) shown = shown.slice(0, -1);
  let out = "";
  for (const ch of shown) {
    const c = ch.charCodeAt(0);
    const lone = ch.length === 1 && c >= 0xd800 && c <= 0xdfff;
    out += c < 0x20 || (c >= 0x7f && c < 0xa0) || lone ? `\\u${c.toString(16).padStart(4, "0")}` : ch;
  }
  return shown.length < s.length ? `${out}... (${s.length} characters)` : out;
}

/** Why data of this many bytes cannot be stored in one znode, or undefined. */
export function sizeProblem(bytes: number, what = "data"): string | undefined {
  if (bytes <= MAX_DATA_BYTES) return undefined;
  return (
    `${what} is ${bytes} bytes, over the ${MAX_DATA_BYTES} bytes a znode can hold (jute.maxbuffer, ${MAX_REQUEST_BYTES} bytes, ` +
    "bounds every request and every reply a Java client reads, headers, path and ACL included); store less, or split it over several znodes"
  );
}

/** Why a request of this many bytes cannot be sent, or undefined. */
function requestProblem(bytes: number, what: string, remedy: string): string | undefined {
  if (bytes <= MAX_REQUEST_BYTES) return undefined;
  return (
    `${what} takes a request of ${bytes} bytes (the paths, data and ACLs of every znode written at once, with headers), ` +
    `over ZooKeeper's jute.maxbuffer of ${MAX_REQUEST_BYTES} bytes: the server would drop the connection; ${remedy}`
  );
}

/** The chroot of a connect string, or "" (none, or not known yet). */
export function chrootOf(connectString: string | undefined): string {
  if (connectString === undefined) return "";
  const parsed = parseConnectString(connectString);
  return "problem" in parsed ? "" : (parsed.chroot ?? "");
}

/** Where a resource's writes land besides its own paths: the chroot of the connect string it uses. */
interface Target {
  /** The chroot every path is under; "" for none. */
  readonly chroot: string;
  /** The connect string, named for messages: `connect string 'h:2181/x'` or the stack config key. */
  readonly source: string;
}

/** A broken rule at a property path, before it becomes a check failure. */
interface InputProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The problem of a chroot under `/zookeeper`, which ZooKeeper reserves; reads may go there, writes may not. */
function reservedChrootProblem(target: Target, writes: string): InputProblem[] {
  if (!isReserved(target.chroot)) return [];
  const message =
    `${target.source} has the chroot '${printable(target.chroot)}', under /zookeeper, which ZooKeeper reserves for itself: ` +
    `this resource would write ${printable(target.chroot + writes)}. Use a connect string without that chroot (the resource's connectString, or zookeeper:connectString)`;
  return [{ path: ["connectString"], message }];
}

/** An ACL given as a list; anything else (not known yet during preview) counts as inherited. */
const listedAcl = (acl: unknown): { acl?: AclEntry[] } =>
  Array.isArray(acl) ? { acl: acl as AclEntry[] } : {};

/** The property among `sizes` that contributes most bytes (the first on a tie). */
function largest(sizes: [string, number][]): string {
  return sizes.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

const jsonBytes = (v: unknown) => (v === undefined ? 0 : utf8Bytes(JSON.stringify(v) ?? ""));

/** Creates of the parents of `path` that may be missing, as `createParents` writes them: a marker, the inherited ACL. */
function parentCreates(path: string): SizedOp[] {
  return ancestors(path).map((p) => ({ op: "create", path: p, dataBytes: PARENT_DATA_BYTES }));
}

const base64 = z
  .string()
  .superRefine(
    rule((v) =>
      /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v)
        ? undefined
        : "dataBase64 must be standard base64 (A-Z, a-z, 0-9, +, /, '=' padding)",
    ),
  );

/** Inputs every resource shares. */
/**
 * A schema's shape with exactly the inputs its definition lists (`definitions.ts`): `satisfies`
 * on the shape fails to compile on a missing input, or on one the definition does not list.
 */
type InputShape<Keys extends readonly string[]> = Record<Keys[number], z.ZodType>;

const common = {
  connectString: connectString.optional(),
  profile: z.string().min(1, "profile must not be empty").optional(),
  acl: acl.optional(),
  adopt: z.boolean().optional(),
} satisfies InputShape<typeof COMMON_INPUTS>;

/** Checks the data fields of a znode: one of `data`/`dataBase64`, within the size limit. */
function dataRules(v: { data?: string; dataBase64?: string }, ctx: z.RefinementCtx): void {
  if (v.data !== undefined && v.dataBase64 !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["dataBase64"],
      message: "give either data or dataBase64, not both",
    });
  }
  const bytes =
    v.dataBase64 !== undefined ? Buffer.from(v.dataBase64, "base64").length : utf8Bytes(v.data ?? "");
  const problem = sizeProblem(bytes);
  if (problem)
    ctx.addIssue({
      code: "custom",
      path: [v.dataBase64 !== undefined ? "dataBase64" : "data"],
      message: problem,
    });
}

/** Defaults of `ZkNode` inputs. */
export const ZK_NODE_DEFAULTS = ZK_NODE.defaults;

/** Inputs of `ZkNode`. */
export const zkNodeInputs = z
  .strictObject({
    ...common,
    path: zkPath,
    data: z.string().optional(),
    dataBase64: base64.optional(),
    sequential: z.boolean().default(ZK_NODE.defaults.sequential),
    createParents: z.boolean().default(ZK_NODE.defaults.createParents),
  } satisfies InputShape<typeof ZK_NODE.inputs>)
  .superRefine(dataRules)
  .superRefine((v, ctx) => addProblems(ctx, nodeWriteProblems(v, inputTarget(v.connectString))))
  .transform((v) => ({ ...v, adopt: v.adopt ?? false }));

/** Adds each problem to a zod refinement as an issue at its property. */
function addProblems(ctx: z.RefinementCtx, problems: readonly InputProblem[]): void {
  for (const p of problems) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
}

/** The target of a resource's own `connectString` input. */
function inputTarget(connectString: string | undefined): Target {
  return { chroot: chrootOf(connectString), source: `connect string '${printable(connectString ?? "")}'` };
}

/** What a `ZkNode`'s writes depend on. */
interface NodeShape {
  readonly path: string;
  readonly data?: string;
  readonly dataBase64?: string;
  readonly acl?: AclEntry[];
  readonly createParents?: boolean;
}

/** Rules on where and how much a `ZkNode` writes: outside /zookeeper, its create (with parents) within jute.maxbuffer. */
function nodeWriteProblems(v: NodeShape, target: Target): InputProblem[] {
  if (typeof v.path !== "string") return [];
  const reserved = reservedChrootProblem(target, v.path);
  if (reserved.length > 0) return reserved;
  const dataField = v.dataBase64 !== undefined ? "dataBase64" : "data";
  const dataBytes =
    v.dataBase64 !== undefined ? Buffer.from(v.dataBase64, "base64").length : utf8Bytes(v.data ?? "");
  // Data over a znode's limit has its own failure already.
  if (dataBytes > MAX_DATA_BYTES) return [];
  const parents = v.createParents ? parentCreates(v.path) : [];
  const create: SizedOp = { op: "create", path: v.path, dataBytes, ...listedAcl(v.acl) };
  const bytes = multiBytes([...parents, create], target.chroot);
  const property = largest([
    [dataField, dataBytes],
    ["path", utf8Bytes(target.chroot + v.path) * (parents.length + 1)],
    ["acl", jsonBytes(v.acl)],
  ]);
  const remedy =
    property === "path"
      ? "use a shorter path, or create its parents separately"
      : property === "acl"
        ? "give the ACL fewer or shorter entries"
        : "store less, or split it over several znodes";
  const problem = requestProblem(bytes, `creating '${printable(v.path)}'`, remedy);
  return problem ? [{ path: [property], message: problem }] : [];
}

/** Normalised `ZkNode` inputs. */
export type ZkNodeInputs = z.output<typeof zkNodeInputs>;

/** What to do with a chroot's subtree on destroy. */
export { DELETE_POLICIES };

/** Defaults of `ZkChroot` inputs. */
export const ZK_CHROOT_DEFAULTS = ZK_CHROOT.defaults;

/** Inputs of `ZkChroot`. */
export const zkChrootInputs = z
  .strictObject({
    ...common,
    path: zkPath.refine((p) => p !== "/", "a chroot cannot be the root '/'"),
    data: z.string().default(ZK_CHROOT.defaults.data),
    children: z
      .record(z.string(), z.string())
      .superRefine((children, ctx) => {
        for (const key of Object.keys(children)) {
          const problem = relativePathProblem(key);
          if (problem) ctx.addIssue({ code: "custom", path: key === "" ? [] : [key], message: problem });
        }
      })
      .default(ZK_CHROOT.defaults.children),
    deletePolicy: z
      .enum(DELETE_POLICIES, { message: "deletePolicy must be refuse, recursive or retain" })
      .default(ZK_CHROOT.defaults.deletePolicy),
    quota: z
      .strictObject({
        maxNodes: z
          .number()
          .int()
          .min(1, "quota.maxNodes must be 1 or more (it counts the chroot)")
          .optional(),
        maxBytes: z.number().int().min(0, "quota.maxBytes must be 0 or more").optional(),
        hard: z.boolean().optional(),
      })
      .refine(
        (q) => q.maxNodes !== undefined || q.maxBytes !== undefined,
        "quota needs maxNodes or maxBytes (or both); remove quota for none",
      )
      .optional(),
  } satisfies InputShape<typeof ZK_CHROOT.inputs>)
  .superRefine((v, ctx) => addProblems(ctx, chrootWriteProblems(v, inputTarget(v.connectString))))
  .transform((v) => ({
    ...v,
    adopt: v.adopt ?? false,
    children: withImplicitParents(v.children),
  }));

/** What a `ZkChroot`'s writes depend on. */
interface ChrootShape {
  readonly path: string;
  readonly data: string;
  readonly acl?: AclEntry[];
  readonly children: Record<string, string>;
}

/**
 * Rules on where and how much a `ZkChroot` writes: outside /zookeeper; an ACL that lets the
 * children be created under it; and the transaction creating its parents, itself and every child
 * within jute.maxbuffer (an update writes each child at most once too, besides removing old ones).
 */
function chrootWriteProblems(v: ChrootShape, target: Target): InputProblem[] {
  if (typeof v.path !== "string" || typeof v.data !== "string") return [];
  if (typeof v.children !== "object" || v.children === null) return [];
  const reserved = reservedChrootProblem(target, v.path);
  if (reserved.length > 0) return reserved;
  const keys = Object.keys(v.children);
  const problems: InputProblem[] = [];
  const listed = listedAcl(v.acl).acl;
  if (
    listed &&
    keys.length > 0 &&
    !listed.some((e) => typeof e.perms === "string" && e.perms.includes("c"))
  ) {
    problems.push({
      path: ["acl"],
      message:
        `acl gives no entry the 'c' (create) permission, so the ${keys.length} children cannot be created under the chroot ` +
        "(ZooKeeper would answer NO_AUTH): add 'c' to the entry that identifies this stack (perms 'rwcda'), or prime no children",
    });
  }
  if (keys.some((k) => relativePathProblem(k) !== undefined || typeof v.children[k] !== "string"))
    return problems;
  const acl = listedAcl(v.acl);
  const children = Object.entries(withImplicitParents(v.children)).map(([rel, data]): SizedOp => ({
    op: "create",
    path: joinPath(v.path, rel),
    dataBytes: utf8Bytes(data),
    ...acl,
  }));
  const root: SizedOp = { op: "create", path: v.path, dataBytes: utf8Bytes(v.data), ...acl };
  const parents = parentCreates(v.path);
  const bytes = multiBytes([...parents, root, ...children], target.chroot);
  const childBytes = multiBytes(children, target.chroot);
  const property = largest([
    ["children", childBytes],
    ["data", utf8Bytes(v.data)],
    ["path", utf8Bytes(target.chroot + v.path) * (parents.length + 1)],
  ]);
  const remedy =
    property === "children"
      ? `prime fewer or smaller children (${children.length} with implicit parents, ${childBytes} bytes), ` +
        "or manage the large ones as ZkNode resources"
      : property === "data"
        ? "store less in the chroot znode"
        : "use a shorter chroot path";
  const problem = requestProblem(bytes, `creating chroot '${printable(v.path)}' with its children`, remedy);
  if (problem) problems.push({ path: [property], message: problem });
  return problems;
}

/** Normalised `ZkChroot` inputs. */
export type ZkChrootInputs = z.output<typeof zkChrootInputs>;

/** Adds empty entries for intermediate children (`a` for `a/b`), so every primed znode has a parent. */
export function withImplicitParents(children: Record<string, string>): Record<string, string> {
  // A Map, not an object: child names such as `toString` must not meet inherited properties.
  const given = new Map(Object.entries(children));
  const out = new Map<string, string>();
  for (const key of [...given.keys()].sort()) {
    const parts = key.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!given.has(parent)) out.set(parent, "");
    }
    out.set(key, given.get(key) as string);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Chroot child names that JavaScript objects cannot carry: `__proto__`, alone or as the first
 * component (its implicit parent). Pulumi's SDK turns maps into objects, where that key sets the
 * prototype instead of holding a value, so such a child would be dropped without a word.
 */
export function unrepresentableChildKeys(children: unknown): string[] {
  if (!children || typeof children !== "object") return [];
  return Object.keys(children).filter((k) => k.split("/")[0] === "__proto__");
}

/** The check failure for {@link unrepresentableChildKeys}, or undefined. */
export function unrepresentableChildProblem(
  children: unknown,
): { property: string; reason: string } | undefined {
  const keys = unrepresentableChildKeys(children);
  if (keys.length === 0) return undefined;
  return {
    property: "children",
    reason:
      `child '${keys[0]}' cannot be primed: '__proto__' is a reserved name in JavaScript objects, so Pulumi cannot ` +
      "carry it through a program's inputs and state. Rename the child, or create that znode with ZkNode.",
  };
}

/** Wire formats of a registration. */
export { REGISTRATION_FORMATS };
/** One of the wire formats. */
export type RegistrationFormat = (typeof REGISTRATION_FORMATS)[number];

const endpoint = z.strictObject({ host: z.string().min(1, "host must not be empty"), port });

/** Defaults of `ZkServiceRegistration` inputs. */
export const ZK_SERVICE_REGISTRATION_DEFAULTS = ZK_SERVICE_REGISTRATION.defaults;

/** Inputs of `ZkServiceRegistration`. */
export const zkServiceRegistrationInputs = z
  .strictObject({
    ...common,
    service: pathComponent("service name"),
    address: z.string().min(1, "address must not be empty").regex(/^\S+$/, "address must not contain spaces"),
    port: port.optional(),
    sslPort: port.optional(),
    id: pathComponent("id").optional(),
    basePath: zkPath.default(ZK_SERVICE_REGISTRATION.defaults.basePath),
    format: z
      .enum(REGISTRATION_FORMATS, { message: "format must be curator, serverset or json" })
      .default(ZK_SERVICE_REGISTRATION.defaults.format),
    payload: z.unknown().optional(),
    payloadClass: z.string().min(1).optional(),
    uriSpec: z.string().optional(),
    additionalEndpoints: z
      .record(z.string().min(1), endpoint)
      .default(ZK_SERVICE_REGISTRATION.defaults.additionalEndpoints),
    shard: z.number().int().min(0, "shard must be 0 or more").optional(),
    metadata: z.record(z.string(), z.string()).default(ZK_SERVICE_REGISTRATION.defaults.metadata),
    enabled: z.boolean().optional(),
  } satisfies InputShape<typeof ZK_SERVICE_REGISTRATION.inputs>)
  .superRefine((v, ctx) => {
    addProblems(ctx, registrationShapeProblems(v));
    addProblems(ctx, registrationWriteProblems(v, inputTarget(v.connectString)));
  })
  .transform((v) => ({ ...v, adopt: v.adopt ?? false }));

/** What a registration's writes depend on: its checked inputs, with the user's instance id as `id`. */
type RegistrationShape = Omit<z.input<typeof zkServiceRegistrationInputs>, "format" | "basePath"> & {
  readonly format: RegistrationFormat;
  readonly basePath: string;
};

/**
 * Rules between a registration's fields: a port (curator accepts sslPort alone), a json payload an
 * object without an `enabled` field, payloadClass for a curator object payload only, a valid uriSpec.
 */
function registrationShapeProblems(v: RegistrationShape): InputProblem[] {
  const problems: InputProblem[] = [];
  const objectPayload = typeof v.payload === "object" && v.payload !== null && !Array.isArray(v.payload);
  if (v.port === undefined && (v.format !== "curator" || v.sslPort === undefined)) {
    problems.push({ path: ["port"], message: "port is required (curator accepts sslPort alone)" });
  }
  if (v.format === "json" && v.payload !== undefined && !objectPayload) {
    problems.push({
      path: ["payload"],
      message: "json format merges payload fields into the znode, so payload must be an object",
    });
  }
  if (
    v.format === "json" &&
    typeof v.payload === "object" &&
    v.payload !== null &&
    Object.prototype.hasOwnProperty.call(v.payload, "enabled")
  ) {
    problems.push({
      path: ["payload"],
      message:
        "payload field 'enabled' is the json format's drain flag, which readers follow; set the enabled input instead, or rename the field",
    });
  }
  if (v.format !== "curator" && v.payloadClass !== undefined) {
    problems.push({ path: ["payloadClass"], message: "payloadClass applies to the curator format only" });
  }
  if (v.payloadClass !== undefined && !objectPayload) {
    problems.push({
      path: ["payloadClass"],
      message: "payloadClass types an object payload; give payload as an object",
    });
  }
  if (typeof v.uriSpec === "string") {
    const problem = uriSpecProblem(v.uriSpec, v.payload);
    if (problem)
      problems.push({ path: ["uriSpec"], message: `uriSpec '${printable(v.uriSpec)}' ${problem}` });
  }
  return problems;
}

/** The largest registration time a znode can carry (the latest `Date`): its digits are counted in the data. */
const MAX_REGISTRATION_TIME = 8.64e15;

/**
 * Rules on where and how much a registration writes: outside /zookeeper (basePath and service
 * together, and the chroot), its znode data readable within jute.maxbuffer, and its create (with
 * parents) within it too. The data is encoded exactly as the runtime will, with the longest time.
 */
function registrationWriteProblems(v: RegistrationShape, target: Target): InputProblem[] {
  if (typeof v.service !== "string" || typeof v.basePath !== "string" || typeof v.address !== "string")
    return [];
  const dir = joinPath(v.basePath, v.service);
  if (isReserved(dir)) {
    const message =
      `service '${printable(v.service)}' under basePath '${printable(v.basePath)}' is ${dir}, which ZooKeeper reserves for itself; ` +
      "choose another service name or basePath";
    return [{ path: ["service"], message }];
  }
  const reserved = reservedChrootProblem(target, dir);
  if (reserved.length > 0) return reserved;
  const id = v.id ?? defaultInstanceId(v.address, v.port, v.sslPort);
  const path = joinPath(dir, v.format === "serverset" ? SERVERSET_PREFIX : id);
  const data = encodeRegistration(v.format, { ...v, id, registrationTimeUTC: MAX_REGISTRATION_TIME });
  const dataBytes = utf8Bytes(data);
  const property = largest([
    ["address", utf8Bytes(v.address)],
    ["uriSpec", utf8Bytes(v.uriSpec ?? "")],
    ["payload", jsonBytes(v.payload)],
    ["payloadClass", utf8Bytes(v.payloadClass ?? "")],
    ["metadata", jsonBytes(v.metadata)],
    ["additionalEndpoints", jsonBytes(v.additionalEndpoints)],
    ["service", utf8Bytes(v.service) * 2],
    ["id", utf8Bytes(id) * 2],
    ["basePath", utf8Bytes(v.basePath) * (ancestors(path).length + 1)],
    ["acl", jsonBytes(v.acl)],
  ]);
  const tooBig = sizeProblem(dataBytes, `the registration's znode data (${v.format} format)`);
  if (tooBig) return [{ path: [property], message: `${tooBig}; ${property} is its largest part` }];
  const create: SizedOp = { op: "create", path, dataBytes, ...listedAcl(v.acl) };
  const bytes = multiBytes([...parentCreates(path), create], target.chroot);
  const problem = requestProblem(
    bytes,
    `registering '${printable(path)}'`,
    `make ${property} smaller: it is the largest part of the request`,
  );
  return problem ? [{ path: [property], message: problem }] : [];
}

/** The resources whose writes a connect string's chroot redirects. */
export type WritingResource = "ZkNode" | "ZkChroot" | "ZkServiceRegistration";

/**
 * The rules that depend on where writes land (the /zookeeper tree, request sizes with the chroot),
 * judged against the stack's `zookeeper:connectString` for a resource without a connect string of
 * its own; the schemas judge a resource's own one. For `check` in the provider, which knows the
 * stack config. `inputs` are a schema's valid output (a registration's id as `id` or `instanceId`).
 */
export function stackTargetFailures(
  kind: WritingResource,
  inputs: Record<string, unknown>,
  stackConnectString: string | undefined,
): CheckFailure[] {
  if (inputs.connectString !== undefined || stackConnectString === undefined) return [];
  const target: Target = {
    chroot: chrootOf(stackConnectString),
    source: `the stack config zookeeper:connectString '${printable(stackConnectString)}'`,
  };
  if (target.chroot === "") return [];
  const problems =
    kind === "ZkNode"
      ? nodeWriteProblems(inputs as unknown as NodeShape, target)
      : kind === "ZkChroot"
        ? chrootWriteProblems(inputs as unknown as ChrootShape, target)
        : registrationWriteProblems(
            { ...inputs, id: inputs.id ?? inputs.instanceId } as unknown as RegistrationShape,
            target,
          );
  return problems.map((p) => ({ property: propertyName(p.path), reason: p.message }));
}

/** Normalised `ZkServiceRegistration` inputs. */
export type ZkServiceRegistrationInputs = z.output<typeof zkServiceRegistrationInputs>;
