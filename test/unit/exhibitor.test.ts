import { exhibitorUrl, normalizeRestPath, parseExhibitorList } from "../../provider/core/exhibitor";

function problemOf(result: ReturnType<typeof parseExhibitorList>): string {
  if (!("problem" in result)) throw new Error(`expected a problem, got ${JSON.stringify(result)}`);
  return result.problem;
}

describe("exhibitorUrl", () => {
  it.each([
    ["zk-ex", 8080, "/", false, "http://zk-ex:8080/exhibitor/v1/cluster/list"],
    ["zk-ex", 8443, "/", true, "https://zk-ex:8443/exhibitor/v1/cluster/list"],
    ["zk-ex", 80, "ops", false, "http://zk-ex:80/ops/exhibitor/v1/cluster/list"],
    ["zk-ex", 80, "/ops/api", false, "http://zk-ex:80/ops/api/exhibitor/v1/cluster/list"],
    ["zk-ex", 80, "/ops/", false, "http://zk-ex:80/ops/exhibitor/v1/cluster/list"],
    ["zk-ex", 80, "", false, "http://zk-ex:80/exhibitor/v1/cluster/list"],
    ["2001:db8::7", 8080, "/", false, "http://[2001:db8::7]:8080/exhibitor/v1/cluster/list"],
    ["[::1]", 8080, "/", false, "http://[::1]:8080/exhibitor/v1/cluster/list"],
  ])("%s:%d restPath %j https=%s → %s", (host, port, restPath, https, url) => {
    expect(exhibitorUrl(host, port, restPath, https)).toBe(url);
  });

  it("normalises rest paths idempotently", () => {
    for (const p of ["", "/", "a", "/a", "a/", "/a/b/"]) {
      const once = normalizeRestPath(p);
      expect(once.startsWith("/") && once.endsWith("/")).toBe(true);
      expect(normalizeRestPath(once)).toBe(once);
    }
  });
});

describe("parseExhibitorList", () => {
  const zk = (host: string, port = 2181) => ({ host, port });

  it("reads the JSON encoding, sorted", () => {
    expect(parseExhibitorList('{"servers":["zk3","zk1","zk2"],"port":2181}', "application/json")).toEqual({
      servers: [zk("zk1"), zk("zk2"), zk("zk3")],
    });
  });

  it("reads the form encoding with URL-decoding, sorted", () => {
    expect(
      parseExhibitorList(
        "count=3&server0=zk2.example&server1=zk%2D1.example&server2=zk3.example&port=2182",
        "application/x-www-form-urlencoded",
      ),
    ).toEqual({ servers: [zk("zk-1.example", 2182), zk("zk2.example", 2182), zk("zk3.example", 2182)] });
  });

  it("detects the encoding from the body, not the content type", () => {
    const json = '{"servers":["b","a"],"port":2181}';
    const form = "count=2&server0=b&server1=a&port=2181";
    const expected = { servers: [zk("a"), zk("b")] };
    expect(parseExhibitorList(json, "text/plain")).toEqual(expected);
    expect(parseExhibitorList(form, "application/json")).toEqual(expected);
    expect(parseExhibitorList(`\n  ${json}\n`)).toEqual(expected);
    expect(parseExhibitorList(`${form}\n`)).toEqual(expected);
  });

  it("drops duplicates", () => {
    expect(parseExhibitorList('{"servers":["a","b","a"],"port":2181}')).toEqual({
      servers: [zk("a"), zk("b")],
    });
    expect(parseExhibitorList("count=2&server0=a&server1=a&port=2181")).toEqual({ servers: [zk("a")] });
  });

  it("takes IPv6 hosts bare or bracketed, in either encoding", () => {
    const expected = { servers: [zk("2001:db8::1"), zk("2001:db8::2")] };
    expect(parseExhibitorList('{"servers":["2001:db8::2","[2001:db8::1]"],"port":2181}')).toEqual(expected);
    expect(
      parseExhibitorList("count=2&server0=2001%3Adb8%3A%3A2&server1=%5B2001%3Adb8%3A%3A1%5D&port=2181"),
    ).toEqual(expected);
  });

  it("reports an empty server list in both encodings", () => {
    expect(problemOf(parseExhibitorList('{"servers":[],"port":2181}'))).toBe("Exhibitor reported no servers");
    expect(problemOf(parseExhibitorList("count=0&port=2181"))).toBe("Exhibitor reported no servers");
  });

  it.each([
    ['{"servers":["zk1",', "malformed JSON from Exhibitor"],
    ["<html><body>502 Bad Gateway</body></html>", "neither JSON nor form-encoded"],
    ["", "empty body"],
    ["   \n", "empty body"],
    ["[]", "must be an object"],
    ['{"port":2181}', "no 'servers' array (got nothing)"],
    ['{"servers":"zk1","port":2181}', "no 'servers' array (got 'zk1')"],
    ['{"servers":["zk1"]}', "has no 'port'"],
    ['{"servers":["zk1"],"port":0}', "'port' must be a whole number from 1 to 65535, got number 0"],
    ['{"servers":["zk1"],"port":"2181"}', "got '2181'"],
    ['{"servers":["zk1"],"port":70000}', "from 1 to 65535"],
    ['{"servers":["zk1",7],"port":2181}', "servers[1] must be a host name string, got number 7"],
    ['{"servers":["zk1",null],"port":2181}', "servers[1] must be a host name string, got null"],
    ['{"servers":["zk 1"],"port":2181}', "host 'zk 1' that contains whitespace"],
    ['{"servers":[""],"port":2181}', "empty host name"],
    ['{"servers":["zk1:2181"],"port":2181}', "with a port"],
    [
      "count=2&server0=zk1&port=2181",
      "count=2 does not match its server entries (expected server0..server1, found server0)",
    ],
    ["count=1&server0=zk1&server1=zk2&port=2181", "count=1 does not match"],
    ["count=2&server0=zk1&server2=zk2&port=2181", "found server0, server2"],
    ["count=1&port=2181", "found none"],
    ["server0=zk1&port=2181", "'count' must be a whole number, got nothing"],
    ["count=x&server0=zk1&port=2181", "'count' must be a whole number, got 'x'"],
    ["count=1&server0=zk1", "has no 'port'"],
    ["count=1&server0=zk1&port=abc", "got 'abc'"],
    ["count=1&server0=zk+1&port=2181", "host 'zk 1' that contains whitespace"],
    ["count=1&server0=zk%ZZ&port=2181", "'server0' has malformed percent-encoding"],
    ["count=1&count=1&server0=zk1&port=2181", "repeats 'count'"],
  ])("rejects %j: %s", (body, why) => {
    expect(problemOf(parseExhibitorList(body))).toContain(why);
  });

  it("names the content type when a body fits no encoding", () => {
    expect(problemOf(parseExhibitorList("oops", "application/json"))).toContain("malformed JSON");
    expect(problemOf(parseExhibitorList("oops", "text/html"))).toContain("(content type text/html)");
  });

  it("keeps every problem on one line", () => {
    const problem = problemOf(parseExhibitorList("not\nexhibitor\u0001 at all"));
    expect(problem).not.toContain("\n");
    expect(problem).not.toContain("\u0001");
    expect(problem).toContain("\\u0001");
  });
});
