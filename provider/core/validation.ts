import { type z } from "zod";

/** What the Pulumi engine sends for a value not yet known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A property that broke a rule: the shape of Pulumi's `CheckFailure`. */
export interface CheckFailure {
  /** The property path, e.g. `acl[0].perms`. */
  readonly property: string;
  /** The rule broken, with the offending value where it is safe to show. */
  readonly reason: string;
}

/** The result of validating resource inputs. */
export interface Checked<T> {
  /** Normalised inputs (defaults applied) when valid; the raw inputs with defaults when values are unknown. */
  readonly inputs: T;
  /** Every rule broken; empty when valid. */
  readonly failures: CheckFailure[];
}

/** True when a value, or any value nested in it, is not known yet. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** True when the value at the path, or at any prefix of it, is unknown: its rule cannot be judged yet. */
function unknownAlongPath(root: unknown, path: readonly PropertyKey[]): boolean {
  for (let i = 0; i <= path.length; i++) if (valueAt(root, path.slice(0, i)) === UNKNOWN) return true;
  return false;
}

/** Formats a property path the way Pulumi users write it: `a.b[0].c`. */
export function propertyName(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Validates raw inputs against a schema. Rules that touch an unknown value are not judged, so
 * previews with values computed by other resources pass.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  raw: Record<string, unknown>,
  defaults: Readonly<Record<string, unknown>>,
): Checked<z.output<S>> {
  const input = withoutInternalKeys(raw);
  const result = schema.safeParse(input);
  if (result.success) return { inputs: result.data, failures: [] };
  const failures = result.error.issues
    .filter((issue) => !unknownAlongPath(input, issue.path))
    .map((issue) => toFailure(issue, input));
  const merged = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(input)) if (v !== undefined) merged[k] = v;
  return { inputs: merged as z.output<S>, failures: dedupe(failures) };
}

function toFailure(issue: z.core.$ZodIssue, input: unknown): CheckFailure {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    return {
      property: propertyName(issue.path) || issue.keys[0] || "",
      reason: `unknown property ${keys}: remove it or check its spelling`,
    };
  }
  const property = propertyName(issue.path);
  if (issue.code === "invalid_type" && issue.expected === "int")
    return { property, reason: "must be a whole number" };
  if (issue.code === "invalid_type") {
    const value = valueAt(input, issue.path);
    const found = value === undefined ? "nothing" : Array.isArray(value) ? "an array" : typeof value;
    const reason =
      value === undefined ? `${property} is required` : `must be ${issue.expected}, got ${found}`;
    return { property, reason };
  }
  return { property, reason: issue.message };
}

function dedupe(failures: CheckFailure[]): CheckFailure[] {
  const seen = new Set<string>();
  return failures.filter((f) => {
    const key = `${f.property}\0${f.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Drops keys the engine adds (`__provider`) and undefined values. */
export function withoutInternalKeys(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!k.startsWith("__") && v !== undefined) out[k] = v;
  return out;
}
