import { ancestors, isReserved, joinPath, parentPath, pathProblem } from "../../provider/core/paths";

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
