import { sameEnsembleTarget } from "./connectString";
import { UNKNOWN } from "./validation";

/** What the engine needs to know about a change. */
export interface DiffPlan {
  /** True when anything differs. */
  readonly changes: boolean;
  /** Properties whose change forces a replacement. */
  readonly replaces: string[];
  /** True when the replacement must delete first because the new resource would take the same znode. */
  readonly deleteBeforeReplace: boolean;
  /** Every property that differs, for tests and messages. */
  readonly changed: string[];
}

/** Deep equality of JSON-like values; an unknown value never equals anything. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === UNKNOWN || b === UNKNOWN) return false;
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
    );
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

/** Equality of one input: connect strings naming the same members and chroot are equal. */
function sameProperty(name: string, a: unknown, b: unknown): boolean {
  if (
    name === "connectString" &&
    typeof a === "string" &&
    typeof b === "string" &&
    a !== UNKNOWN &&
    b !== UNKNOWN
  )
    return sameEnsembleTarget(a, b);
  return sameValue(a, b);
}

/**
 * Compares recorded inputs with new ones, property by property. Pure: no connection needed, so
 * previews work offline.
 */
export function planDiff(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  properties: readonly string[],
  replaceOn: readonly string[],
  deleteBeforeReplace: (replaces: string[]) => boolean = () => false,
): DiffPlan {
  const changed = properties.filter((p) => !sameProperty(p, olds[p], news[p]));
  const replaces = changed.filter((p) => replaceOn.includes(p));
  return {
    changes: changed.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && deleteBeforeReplace(replaces),
    changed,
  };
}
