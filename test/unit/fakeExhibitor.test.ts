import { parseExhibitorList } from "../../provider/core/exhibitor";
import { type FakeExhibitor, startFakeExhibitor } from "../support/fakeExhibitor";

const JSON_ACCEPT = { accept: "application/json" };
const FORM_ACCEPT = { accept: "application/x-www-form-urlencoded" };

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

describe("fake Exhibitor", () => {
  let exhibitor: FakeExhibitor;

  beforeEach(async () => {
    exhibitor = await startFakeExhibitor({ servers: ["zk2", "zk1"], clientPort: 2182 });
  });

  afterEach(async () => {
    await exhibitor.close();
  });

  it("listens on loopback and serves the cluster list under the rest path", () => {
    expect(exhibitor.host).toBe("127.0.0.1");
    expect(exhibitor.port).toBeGreaterThan(0);
    expect(exhibitor.url).toBe(`http://127.0.0.1:${exhibitor.port}/exhibitor/v1/cluster/list`);
  });

  it("answers JSON for Accept: application/json and by default", async () => {
    for (const headers of [JSON_ACCEPT, {}, { accept: "*/*" }]) {
      const res = await get(exhibitor.url, headers);
      expect(res).toEqual({
        status: 200,
        type: "application/json",
        body: '{"servers":["zk2","zk1"],"port":2182}',
      });
    }
  });

  it("answers the form encoding when the client asks for it", async () => {
    const res = await get(exhibitor.url, FORM_ACCEPT);
    expect(res).toEqual({
      status: 200,
      type: "application/x-www-form-urlencoded",
      body: "count=2&server0=zk2&server1=zk1&port=2182",
    });
    const preferred = await get(exhibitor.url, {
      accept: "application/x-www-form-urlencoded, application/json;q=0.5",
    });
    expect(preferred.body).toBe("count=2&server0=zk2&server1=zk1&port=2182");
  });

  it("refuses types it cannot produce with 406", async () => {
    expect((await get(exhibitor.url, { accept: "text/plain" })).status).toBe(406);
  });

  it("produces bodies the parser reads, in both encodings", async () => {
    for (const headers of [JSON_ACCEPT, FORM_ACCEPT]) {
      const res = await get(exhibitor.url, headers);
      expect(parseExhibitorList(res.body, res.type)).toEqual({
        servers: [
          { host: "zk1", port: 2182 },
          { host: "zk2", port: 2182 },
        ],
      });
    }
  });

  it("reports new servers after setServers", async () => {
    exhibitor.setServers(["zk9"]);
    expect((await get(exhibitor.url, JSON_ACCEPT)).body).toBe('{"servers":["zk9"],"port":2182}');
    exhibitor.setServers(["zk9", "zk8"], 2181);
    expect((await get(exhibitor.url, FORM_ACCEPT)).body).toBe("count=2&server0=zk9&server1=zk8&port=2181");
  });

  it("serves malformed bodies that the parser rejects", async () => {
    exhibitor.setMode("malformed");
    for (const [headers, why] of [
      [JSON_ACCEPT, "malformed JSON"],
      [FORM_ACCEPT, "count=3 does not match"],
    ] as const) {
      const res = await get(exhibitor.url, headers);
      expect(res.status).toBe(200);
      const parsed = parseExhibitorList(res.body, res.type);
      expect("problem" in parsed && parsed.problem).toContain(why);
    }
  });

  it("serves an empty server list", async () => {
    exhibitor.setMode("empty");
    expect((await get(exhibitor.url, JSON_ACCEPT)).body).toBe('{"servers":[],"port":2182}');
    const form = await get(exhibitor.url, FORM_ACCEPT);
    expect(form.body).toBe("count=0&port=2182");
    expect(parseExhibitorList(form.body)).toEqual({ problem: "Exhibitor reported no servers" });
  });

  it("answers HTTP 500", async () => {
    exhibitor.setMode("http500");
    expect((await get(exhibitor.url, JSON_ACCEPT)).status).toBe(500);
  });

  it("hangs until the client gives up, and still closes", async () => {
    exhibitor.setMode("hang");
    const started = Date.now();
    await expect(fetch(exhibitor.url, { signal: AbortSignal.timeout(200) })).rejects.toThrow(
      /timeout|aborted/i,
    );
    expect(Date.now() - started).toBeLessThan(4000);
    exhibitor.setMode("normal");
    expect((await get(exhibitor.url)).status).toBe(200);
  });

  it("answers 404 elsewhere and counts every request", async () => {
    expect(exhibitor.requests()).toBe(0);
    expect((await get(exhibitor.url.replace("/list", "/status"))).status).toBe(404);
    await get(exhibitor.url);
    expect(exhibitor.requests()).toBe(2);
  });

  it("serves under a custom rest path", async () => {
    const other = await startFakeExhibitor({ restPath: "ops", servers: ["zk1"] });
    try {
      expect(other.restPath).toBe("/ops/");
      expect(other.url).toBe(`http://127.0.0.1:${other.port}/ops/exhibitor/v1/cluster/list`);
      expect((await get(other.url)).body).toBe('{"servers":["zk1"],"port":2181}');
      expect((await get(`http://127.0.0.1:${other.port}/exhibitor/v1/cluster/list`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
