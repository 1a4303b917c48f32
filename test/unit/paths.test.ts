import { ancestors, isReserved, joinPath, parentPath, pathProblem } from "../../provider/core/paths";
import { seededRandom } from "../support/random";

describe("pathProblem", () => {
  it.each(["/", "/a", "/a/b-c_d.e", "/services/web/instance-1", "/ünïcode/名前"])("accepts %s", (p) => {
    expect(pathProblem(p)).toBeUndefined();
  });

  it.each([
    ["", "must not be empty"],
    ["a/b", "must start with '/'"],
    ["/a/", "must not end with '/'"],
    ["/a//b", "empty component"],
    ["/a/./b", "'.' component"],
    ["/a/..", "'..' component"],
    ["/a\u0000b", "null character"],
    ["/a\u0007b", "control character U+0007"],
    ["/a\u0085b", "control character U+0085"],
    ["/a\ue000b", "private-use or reserved character U+E000"],
    ["/a\ud800", "U+D800"],
    ["/a\ufff5", "U+FFF5"],
  ])("rejects %j (%s)", (p, why) => {
    expect(pathProblem(p)).toContain(why);
  });
});

describe("path helpers", () => {
  it("knows the reserved tree", () => {
    expect(isReserved("/zookeeper")).toBe(true);
    expect(isReserved("/zookeeper/config")).toBe(true);
    expect(isReserved("/zookeeperish")).toBe(false);
  });

  it("joins, splits and lists ancestors", () => {
    expect(joinPath("/", "a")).toBe("/a");
    expect(joinPath("/services", "web", "id-1")).toBe("/services/web/id-1");
    expect(parentPath("/a/b")).toBe("/a");
    expect(parentPath("/a")).toBe("/");
    expect(parentPath("/")).toBeUndefined();
    expect(ancestors("/a/b/c")).toEqual(["/a", "/a/b"]);
    expect(ancestors("/a")).toEqual([]);
  });
});

/**
 * ZooKeeper's `PathUtils.validatePath` (3.8), transcribed char for char: Java chars are UTF-16
 * code units, like a JavaScript string's.
 */
function zookeeperAccepts(path: string): boolean {
  if (path.length === 0 || path.charAt(0) !== "/") return false;
  if (path.length === 1) return true;
  if (path.charAt(path.length - 1) === "/") return false;
  let lastc = "/";
  for (let i = 1; i < path.length; lastc = path.charAt(i), i++) {
    const ch = path.charAt(i);
    const c = path.charCodeAt(i);
    if (c === 0) return false;
    else if (ch === "/" && lastc === "/") return false;
    else if (ch === "." && lastc === ".") {
      if (path.charAt(i - 2) === "/" && (i + 1 === path.length || path.charAt(i + 1) === "/")) return false;
    } else if (ch === ".") {
      if (path.charAt(i - 1) === "/" && (i + 1 === path.length || path.charAt(i + 1) === "/")) return false;
    } else if (
      (c > 0x0000 && c <= 0x001f) ||
      (c >= 0x007f && c <= 0x009f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return false;
    }
  }
  return true;
}

describe("pathProblem matches ZooKeeper's PathUtils.validatePath", () => {
  it("for every UTF-16 code unit 0..0xFFFF, alone, first, last and between others", () => {
    const mismatches: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const path of [`/${ch}`, `/a${ch}b`, `/a/${ch}`, `/${ch}/b`]) {
        if ((pathProblem(path) === undefined) !== zookeeperAccepts(path)) mismatches.push(path);
      }
    }
    expect(mismatches.map((p) => [...p].map((x) => x.charCodeAt(0).toString(16)).join(" "))).toEqual([]);
  });

  it("for code points outside the Basic Multilingual Plane (surrogate pairs)", () => {
    const next = seededRandom(3);
    const samples = [0x10000, 0x1f600, 0x1f4a9, 0x10ffff, 0x20000, 0xe0001];
    for (let i = 0; i < 2000; i++) samples.push(0x10000 + Math.floor(next() * 0x100000));
    for (const cp of samples) {
      const path = `/a${String.fromCodePoint(cp)}b`;
      expect(zookeeperAccepts(path)).toBe(false);
      expect(pathProblem(path)).toContain(`U+${cp.toString(16).toUpperCase()}`);
    }
  });

  it("for generated paths of slashes, dots and characters of every class", () => {
    const alphabet = [
      "/",
      "/",
      ".",
      ".",
      "a",
      "é",
      "名",
      "\u0000",
      "\u001f",
      "\u007f",
      "\u00a0",
      "\ud83d\ude00",
      "\ue000",
      "\ufff0",
      "\uffef",
    ];
    const next = seededRandom(11);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(next() * 9);
      let path = next() < 0.9 ? "/" : "";
      for (let j = 0; j < length; j++) path += alphabet[Math.floor(next() * alphabet.length)];
      const ours = pathProblem(path) === undefined;
      if (ours !== zookeeperAccepts(path))
        throw new Error(`disagree on ${JSON.stringify(path)}: ours ${ours}`);
      if (ours) accepted++;
    }
    // Both outcomes were exercised.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19_000);
  });
});
