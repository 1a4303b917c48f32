import fc from "fast-check";
import {
  curatorJson,
  decodeInstance,
  defaultInstanceId,
  enabledOf,
  encodeRegistration,
  plainJson,
  type Registration,
  serversetJson,
  sortInstances,
  uriSpecParts,
} from "../../provider/core/formats";

const base: Registration = {
  service: "checkout",
  id: "i-1",
  address: "10.0.0.5",
  port: 8080,
  registrationTimeUTC: 1700000000000,
};
const facts = {
  service: "checkout",
  name: "i-1",
  path: "/services/checkout/i-1",
  ephemeral: false,
  ctime: 5,
};

describe("wire formats", () => {
  it("writes Curator's ServiceInstance JSON with nulls and uriSpec parts", () => {
    expect(encodeRegistration("curator", { ...base, uriSpec: "{scheme}://{address}:{port}/api" })).toBe(
      '{"name":"checkout","id":"i-1","address":"10.0.0.5","port":8080,"sslPort":null,"payload":null,' +
        '"registrationTimeUTC":1700000000000,"serviceType":"PERMANENT","uriSpec":{"parts":[' +
        '{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},' +
        '{"value":":","variable":false},{"value":"port","variable":true},{"value":"/api","variable":false}]}}',
    );
  });

  it("types payloads as Curator's Jackson mapper does", () => {
    // Byte for byte what Curator 5.4's registerService wrote for a Map payload.
    const map = { ...base, id: "m1", service: "map-svc", payload: { zone: "a", weight: 3 } };
    expect(encodeRegistration("curator", map)).toBe(
      '{"name":"map-svc","id":"m1","address":"10.0.0.5","port":8080,"sslPort":null,' +
        '"payload":{"@class":"java.util.LinkedHashMap","zone":"a","weight":3},"registrationTimeUTC":1700000000000,' +
        '"serviceType":"PERMANENT","uriSpec":null}',
    );
    const typed = { ...base, payload: { zone: "a" }, payloadClass: "com.example.Details" };
    expect(curatorJson(typed).payload).toEqual({ "@class": "com.example.Details", zone: "a" });
    expect(curatorJson({ ...base, payload: [1, "a"] }).payload).toEqual(["java.util.ArrayList", [1, "a"]]);
    expect(curatorJson({ ...base, payload: "plain" }).payload).toBe("plain");
  });

  it("writes ServerSet members with additionalEndpoints always present", () => {
    expect(encodeRegistration("serverset", base)).toBe(
      '{"serviceEndpoint":{"host":"10.0.0.5","port":8080},"additionalEndpoints":{},"status":"ALIVE"}',
    );
    expect(
      serversetJson({
        ...base,
        shard: 3,
        metadata: { dc: "eu" },
        additionalEndpoints: { admin: { host: "h", port: 9 } },
      }),
    ).toEqual({
      serviceEndpoint: { host: "10.0.0.5", port: 8080 },
      additionalEndpoints: { admin: { host: "h", port: 9 } },
      status: "ALIVE",
      shard: 3,
      metadata: { dc: "eu" },
    });
  });

  it("writes the plain JSON style with payload fields that cannot override its own", () => {
    expect(encodeRegistration("json", { ...base, payload: { zone: "a", port: 1 } })).toBe(
      '{"address":"10.0.0.5","port":8080,"timestamp":1700000000000,"zone":"a"}',
    );
    expect(plainJson({ ...base, sslPort: 8443 })).toMatchObject({ sslPort: 8443 });
  });

  it("writes enabled only when given: Curator's field last, ServerSet's STOPPING, json's field", () => {
    for (const enabled of [undefined, true, false]) {
      const r = { ...base, payload: { zone: "a" }, ...(enabled === undefined ? {} : { enabled }) };
      const curator = curatorJson(r);
      expect(Object.keys(curator).at(-1)).toBe(enabled === undefined ? "uriSpec" : "enabled");
      expect(curator.enabled).toBe(enabled);
      expect(serversetJson(r).status).toBe(enabled === false ? "STOPPING" : "ALIVE");
      expect(plainJson(r).enabled).toBe(enabled);
      for (const format of ["curator", "serverset", "json"] as const) {
        const got = decodeInstance(Buffer.from(encodeRegistration(format, r)), facts);
        expect(got).toMatchObject({ serving: enabled !== false });
      }
    }
  });

  it("derives stable UUID-shaped ids from address and ports", () => {
    const id = defaultInstanceId("10.0.0.5", 8080, undefined);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(defaultInstanceId("10.0.0.5", 8080, undefined)).toBe(id);
    expect(defaultInstanceId("10.0.0.5", 8081, undefined)).not.toBe(id);
  });

  it("splits URI templates", () => {
    expect(uriSpecParts("{a}{b}")).toEqual([
      { value: "a", variable: true },
      { value: "b", variable: true },
    ]);
    expect(uriSpecParts("static")).toEqual([{ value: "static", variable: false }]);
  });
});

describe("reading instances back", () => {
  it.each(["curator", "serverset", "json"] as const)("round-trips the %s format", (format) => {
    const data = Buffer.from(
      encodeRegistration(format, { ...base, payload: format === "serverset" ? undefined : { zone: "a" } }),
    );
    const got = decodeInstance(data, facts);
    expect(got).toMatchObject({
      format,
      address: "10.0.0.5",
      port: 8080,
      service: "checkout",
      path: facts.path,
    });
    if (format !== "serverset")
      expect(got).toMatchObject({ payload: { zone: "a" }, registrationTimeUTC: 1700000000000 });
    else expect(got).toMatchObject({ status: "ALIVE", registrationTimeUTC: 5, id: "i-1" });
  });

  it("strips Jackson's type ids from typed payloads and reports the class", () => {
    const typed = { ...base, payload: { zone: "a" }, payloadClass: "x.Y" };
    const data = Buffer.from(encodeRegistration("curator", typed));
    expect(decodeInstance(data, facts)).toMatchObject({ payload: { zone: "a" }, payloadClass: "x.Y" });
    const list = Buffer.from(encodeRegistration("curator", { ...base, payload: [1] }));
    expect(decodeInstance(list, facts)).toMatchObject({ payload: [1], payloadClass: "java.util.ArrayList" });
  });

  it.each([
    ["", "it is empty"],
    ["{not json", "not JSON"],
    ["[1,2]", "not a JSON object"],
    ['{"serviceEndpoint":{"host":"h"}}', "no valid host and port"],
    ['{"name":"x","id":"1","address":"h","port":null,"sslPort":null}', "neither port nor sslPort"],
    ['{"port":80}', "no address"],
    ['{"address":"h","port":"80"}', "no valid port"],
  ])("explains why %j is not an instance", (text, why) => {
    // The matcher is typed `any` by @types/jest; as `unknown` it is only compared.
    expect(decodeInstance(Buffer.from(text), facts)).toEqual({
      problem: expect.stringContaining(why) as unknown,
    });
  });

  it.each([
    // Curator 5 reads its primitive `enabled` with Jackson: absent is true, null is false, strings
    // and integers are coerced. test/interop checks the same cases against Curator itself.
    [{}, true, true],
    [{ enabled: true }, true, true],
    [{ enabled: false }, false, false],
    [{ enabled: null }, false, false],
    [{ enabled: "false" }, false, false],
    [{ enabled: "TRUE" }, true, true],
    [{ enabled: 0 }, false, false],
    [{ enabled: 2 }, true, true],
    [{ enabled: "no" }, false, undefined],
    [{ enabled: { x: 1 } }, false, undefined],
  ])("reads a curator instance with %j as serving %s", (extra, serving, enabled) => {
    const data = Buffer.from(JSON.stringify({ ...curatorJson(base), ...extra }));
    const got = decodeInstance(data, facts);
    expect(got).toMatchObject({ format: "curator", serving });
    expect("enabled" in got ? got.enabled : undefined).toBe(enabled);
  });

  it("serves a ServerSet member only when its status is ALIVE, as Finagle routes", () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), (status) => {
        const body = { ...serversetJson(base), status };
        const got = decodeInstance(Buffer.from(JSON.stringify(body)), facts);
        expect(got).toMatchObject({ format: "serverset", serving: status === "ALIVE" });
      }),
    );
  });

  it("reads json's enabled as Curator's and keeps it out of the payload", () => {
    fc.assert(
      fc.property(fc.option(fc.jsonValue(), { nil: undefined }), (enabled) => {
        const body = {
          ...plainJson({ ...base, payload: { zone: "a" } }),
          ...(enabled === undefined ? {} : { enabled }),
        };
        const got = decodeInstance(Buffer.from(JSON.stringify(body)), facts);
        expect(got).toMatchObject({
          format: "json",
          payload: { zone: "a" },
          serving: enabledOf(enabled, enabled !== undefined).serving,
        });
      }),
    );
  });

  it("sorts by registration time, then path", () => {
    const mk = (path: string, t?: number) => ({
      ...facts,
      id: path,
      address: "a",
      port: 1,
      format: "json" as const,
      path,
      registrationTimeUTC: t,
      serving: true,
    });
    expect(sortInstances([mk("/b", 2), mk("/a", 2), mk("/c", 1)]).map((i) => i.path)).toEqual([
      "/c",
      "/a",
      "/b",
    ]);
  });
});
