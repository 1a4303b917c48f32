/** ZooKeeper path rules and helpers. Pure. */

/**
 * Why a path is invalid, or undefined when it is valid: exactly the paths ZooKeeper's
 * `PathUtils.validatePath` refuses (the server applies it to every create).
 */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return "must not be empty";
  if (!path.startsWith("/")) return "must start with '/'";
  if (path.length > 1 && path.endsWith("/")) return "must not end with '/' (except the root '/')";
  if (path === "/") return undefined;
  const parts = path.slice(1).split("/");
  for (const part of parts) {
    if (part === "") return "must not contain an empty component ('//')";
    if (part === "." || part === "..") return `must not contain a '${part}' component`;
  }
  // UTF-16 code units, as ZooKeeper's PathUtils.validatePath checks Java chars: an emoji is two
  // surrogates there, and surrogates are refused.
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return "must not contain the null character";
    if ((c > 0x00 && c < 0x20) || (c >= 0x7f && c <= 0x9f))
      return `must not contain control character U+${hex(c)}`;
    if (c >= 0xd800 && c <= 0xdfff) {
      const cp = path.codePointAt(i) ?? c;
      if (cp > 0xffff) {
        return (
          `must not contain U+${hex(cp)}: ZooKeeper refuses characters outside the Basic Multilingual Plane ` +
          "(emoji and other surrogate pairs); use characters up to U+FFEF"
        );
      }
      return `must not contain the lone surrogate U+${hex(c)}`;
    }
    if ((c >= 0xe000 && c <= 0xf8ff) || c >= 0xfff0) {
      return `must not contain private-use or reserved character U+${hex(c)}`;
    }
  }
  return undefined;
}

function hex(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, "0");
}

/** True when the path is ZooKeeper's reserved `/zookeeper` tree. */
export function isReserved(path: string): boolean {
  return path === "/zookeeper" || path.startsWith("/zookeeper/");
}

/** Joins path components onto a base, without doubling slashes. */
export function joinPath(base: string, ...parts: string[]): string {
  let out = base === "/" ? "" : base;
  for (const p of parts) out += "/" + p.replace(/^\/+|\/+$/g, "");
  return out === "" ? "/" : out;
}

/** The parent of a path; the root's parent is undefined. */
export function parentPath(path: string): string | undefined {
  if (path === "/") return undefined;
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Every ancestor of a path, from the top down, without the root and the path itself. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let p = parentPath(path); p !== undefined && p !== "/"; p = parentPath(p)) out.unshift(p);
  return out;
}

/** The last component of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Width of the sequence suffix ZooKeeper appends to sequential znodes. */
export const SEQUENCE_DIGITS = 10;
