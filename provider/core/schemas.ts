import { z } from "zod";
import { ACL_SCHEMES, AclEntry, permsProblem } from "./acl";
import { parseConnectString } from "./connectString";
import { isReserved, pathProblem } from "./paths";

/** ZooKeeper's default `jute.maxbuffer`: the largest request a server accepts, in bytes. */
export const MAX_REQUEST_BYTES = 1_048_575;
/** Room left in a request for the header, path, ACL and lengths, besides the data. */
const REQUEST_OVERHEAD_BYTES = 1024;

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
  if (e.scheme === "auth" && e.id !== "") return undefined;
  return undefined;
}

/** Bytes of a UTF-8 string. */
export const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** Shows control characters escaped, so an error message stays one readable line. */
export function printable(s: string): string {
  const shown = s.length > 120 ? s.slice(0, 117) + "..." : s;
  let out = "";
  for (const ch of shown) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 || (c >= 0x7f && c < 0xa0) ? `\\u${c.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}

/** Why data of this many bytes cannot be written in one request, or undefined. */
export function sizeProblem(bytes: number, what = "data"): string | undefined {
  const max = MAX_REQUEST_BYTES - REQUEST_OVERHEAD_BYTES;
  if (bytes <= max) return undefined;
  return (
    `${what} is ${bytes} bytes, over the ${max} bytes that fit in one ZooKeeper request ` +
    `(jute.maxbuffer is ${MAX_REQUEST_BYTES} bytes including path and ACL); store less, or split it over several znodes`
  );
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
const common = {
  connectString: connectString.optional(),
  acl: acl.optional(),
  adopt: z.boolean().optional(),
};

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
export const ZK_NODE_DEFAULTS = { sequential: false, createParents: false, adopt: false };

/** Inputs of `ZkNode`. */
export const zkNodeInputs = z
  .strictObject({
    ...common,
    path: zkPath,
    data: z.string().optional(),
    dataBase64: base64.optional(),
    sequential: z.boolean().default(false),
    createParents: z.boolean().default(false),
  })
  .superRefine(dataRules)
  .transform((v) => ({ ...v, adopt: v.adopt ?? false }));

/** Normalised `ZkNode` inputs. */
export type ZkNodeInputs = z.output<typeof zkNodeInputs>;

/** What to do with a chroot's subtree on destroy. */
export const DELETE_POLICIES = ["refuse", "recursive", "retain"] as const;

/** Defaults of `ZkChroot` inputs. */
export const ZK_CHROOT_DEFAULTS = {
  data: "",
  children: {},
  deletePolicy: "refuse",
  adopt: false,
};

/** Inputs of `ZkChroot`. */
export const zkChrootInputs = z
  .strictObject({
    ...common,
    path: zkPath.refine((p) => p !== "/", "a chroot cannot be the root '/'"),
    data: z.string().default(""),
    children: z
      .record(z.string(), z.string())
      .superRefine((children, ctx) => {
        for (const key of Object.keys(children)) {
          const problem = relativePathProblem(key);
          if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
        }
      })
      .default({}),
    deletePolicy: z
      .enum(DELETE_POLICIES, { message: "deletePolicy must be refuse, recursive or retain" })
      .default("refuse"),
  })
  .superRefine((v, ctx) => {
    const bytes =
      utf8Bytes(v.data) +
      Object.entries(v.children).reduce((n, [k, d]) => n + utf8Bytes(k) + utf8Bytes(d) + 64, 0);
    const problem = sizeProblem(bytes, "the chroot with its children");
    if (problem) ctx.addIssue({ code: "custom", path: ["children"], message: problem });
  })
  .transform((v) => ({
    ...v,
    adopt: v.adopt ?? false,
    children: withImplicitParents(v.children),
  }));

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
export const REGISTRATION_FORMATS = ["curator", "serverset", "json"] as const;
/** One of the wire formats. */
export type RegistrationFormat = (typeof REGISTRATION_FORMATS)[number];

const endpoint = z.strictObject({ host: z.string().min(1, "host must not be empty"), port });

/** Defaults of `ZkServiceRegistration` inputs. */
export const ZK_SERVICE_REGISTRATION_DEFAULTS = {
  basePath: "/services",
  format: "curator",
  additionalEndpoints: {},
  metadata: {},
  adopt: false,
};

/** Inputs of `ZkServiceRegistration`. */
export const zkServiceRegistrationInputs = z
  .strictObject({
    ...common,
    service: pathComponent("service name"),
    address: z.string().min(1, "address must not be empty").regex(/^\S+$/, "address must not contain spaces"),
    port: port.optional(),
    sslPort: port.optional(),
    id: pathComponent("id").optional(),
    basePath: zkPath.default("/services"),
    format: z
      .enum(REGISTRATION_FORMATS, { message: "format must be curator, serverset or json" })
      .default("curator"),
    payload: z.unknown().optional(),
    payloadClass: z.string().min(1).optional(),
    uriSpec: z.string().optional(),
    additionalEndpoints: z.record(z.string().min(1), endpoint).default({}),
    shard: z.number().int().min(0, "shard must be 0 or more").optional(),
    metadata: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((v, ctx) => {
    if (v.port === undefined && (v.format !== "curator" || v.sslPort === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["port"],
        message: "port is required (curator accepts sslPort alone)",
      });
    }
    if (
      v.format === "json" &&
      v.payload !== undefined &&
      (typeof v.payload !== "object" || v.payload === null || Array.isArray(v.payload))
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["payload"],
        message: "json format merges payload fields into the znode, so payload must be an object",
      });
    }
    if (v.format !== "curator" && v.payloadClass !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["payloadClass"],
        message: "payloadClass applies to the curator format only",
      });
    }
    const objectPayload = typeof v.payload === "object" && v.payload !== null && !Array.isArray(v.payload);
    if (v.payloadClass !== undefined && !objectPayload) {
      ctx.addIssue({
        code: "custom",
        path: ["payloadClass"],
        message: "payloadClass types an object payload; give payload as an object",
      });
    }
    const problem = sizeProblem(
      utf8Bytes(JSON.stringify(v.payload ?? null)) + utf8Bytes(JSON.stringify(v.metadata)),
      "payload",
    );
    if (problem) ctx.addIssue({ code: "custom", path: ["payload"], message: problem });
  })
  .transform((v) => ({ ...v, adopt: v.adopt ?? false }));

/** Normalised `ZkServiceRegistration` inputs. */
export type ZkServiceRegistrationInputs = z.output<typeof zkServiceRegistrationInputs>;
