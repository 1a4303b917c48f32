import type * as grpc from "@grpc/grpc-js";
import { OPEN_ACL } from "../../provider/core/acl";
import { PropertyDiff } from "@pulumi/pulumi/proto/provider_pb";
import {
  providerKeys,
  type ResourceDefinition,
  ZK_CHROOT,
  ZK_NODE,
  ZK_SERVICE_REGISTRATION,
} from "../../provider/core/definitions";
import { token } from "../../provider/plugin/names";
import { UNKNOWN } from "../../provider/core/validation";
import { type ZkClient } from "../../provider/zk/client";
import * as fc from "fast-check";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { zkServiceRegistration } from "../../provider/runtime/zkServiceRegistration";
import { PluginProcess } from "../support/plugin";
import { connectString, freshRootPerTest } from "../support/zk";

// The provider plugin (pulumi-resource-zkdiscovery) in its own process, driven over gRPC with the
// calls the engine makes, against the real ensemble. The e2e tier drives it through the CLI.

let raw: ZkClient;
let root: string;
const fixture = freshRootPerTest("plugin");
beforeEach(() => void ({ raw, root } = fixture));

let plugin: PluginProcess;
beforeAll(async () => {
  plugin = await PluginProcess.start();
  await plugin.configure({ connectString: connectString() });
});
afterAll(async () => {
  await plugin?.stop();
});

/** The message of a rejected gRPC call. */
async function failureOf(call: Promise<unknown>): Promise<string> {
  const err = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as grpc.ServiceError | undefined;
  if (!err) throw new Error("the call succeeded; it should have failed");
  return err.details;
}

describe("the plugin's schema", () => {
  type Property = { description?: string; replaceOnChanges?: boolean; type?: string; $ref?: string };
  type Resource = { inputProperties: Record<string, Property>; properties: Record<string, Property> };

  it.each([
    ["ZkNode", ZK_NODE],
    ["ZkChroot", ZK_CHROOT],
    ["ZkServiceRegistration", ZK_SERVICE_REGISTRATION],
  ] as [string, ResourceDefinition][])(
    "has every input of %s's definition, described, typed and marked when it replaces",
    async (name, definition) => {
      const schema = (await plugin.schema()) as { resources: Record<string, Resource> };
      const resource = schema.resources[token(name)];
      const inputs = providerKeys(definition.inputs);
      expect(Object.keys(resource.inputProperties).sort()).toEqual([...inputs].sort());
      for (const key of inputs) {
        const property = resource.inputProperties[key];
        expect({ key, described: (property.description ?? "").length > 10 }).toEqual({
          key,
          described: true,
        });
        expect({ key, typed: property.type !== undefined || property.$ref !== undefined }).toEqual({
          key,
          typed: true,
        });
        const replaces = providerKeys(definition.replaceOn).includes(key);
        expect({ key, replaces: property.replaceOnChanges === true }).toEqual({ key, replaces });
      }
      // Every input is an output too, and the znode's version is one.
      expect(Object.keys(resource.properties)).toEqual(
        expect.arrayContaining([...inputs, "version", "path"]),
      );
    },
  );

  it("has both lookups as functions and the provider config with its secrets marked", async () => {
    const schema = (await plugin.schema()) as {
      functions: Record<string, unknown>;
      config: { variables: Record<string, { secret?: boolean }> };
    };
    expect(Object.keys(schema.functions).sort()).toEqual([
      token("getEnsemble"),
      token("getServiceInstances"),
    ]);
    const secrets = Object.entries(schema.config.variables)
      .filter(([, v]) => v.secret)
      .map(([k]) => k);
    expect(secrets.sort()).toEqual(["digest", "tlsKey"]);
  });
});

describe("the plugin's provider config", () => {
  it("accepts a valid config and names each broken rule by its zkdiscovery key, never echoing a secret", async () => {
    expect(await plugin.checkConfig({ connectString: connectString(), sessionTimeoutMs: 10000 })).toEqual([]);
    const bad = await plugin.checkConfig({ digest: "no-colon-secret", sessionTimeoutMs: 5, colour: "red" });
    expect(bad.map((f) => f.property).sort()).toEqual(["colour", "sessionTimeoutMs"].sort());
    const all = JSON.stringify(bad);
    expect(all).toContain("zkdiscovery:sessionTimeoutMs");
    expect(all).not.toContain("zookeeper:");
    const digest = await plugin.checkConfig({ digest: "no-colon-secret" });
    expect(digest).toEqual([
      { property: "digest", reason: expect.stringContaining("zkdiscovery:digest") as string },
    ]);
    expect(JSON.stringify(digest)).not.toContain("no-colon-secret");
  });

  it("reports keys it does not know, also names every object has (toString, constructor)", async () => {
    const odd = await plugin.checkConfig({ connectString: connectString(), toString: "x", constructor: "y" });
    expect(odd.map((f) => f.property).sort()).toEqual(["constructor", "toString"]);
    expect(odd[0].reason).toMatch(
      /unknown zkdiscovery config key '(toString|constructor)'; known: connectString/,
    );
  });

  it("replaces its resources only when they move to another ensemble, and updates in place otherwise", async () => {
    const profiles = { a: { connectString: "a:2181" }, b: { connectString: "b:2181" } };
    const before = { connectString: "h1:2181,h2:2181/app", digest: "u:p", profiles };
    const diff = (news: Record<string, unknown>) => plugin.diffConfig(before, { ...before, ...news });
    // Another ensemble, or another chroot: every resource moves.
    expect(await diff({ connectString: "h3:2181/app" })).toEqual({
      diffs: ["connectString"],
      replaces: ["connectString"],
    });
    expect(await diff({ connectString: "h1:2181,h2:2181/other" })).toEqual({
      diffs: ["connectString"],
      replaces: ["connectString"],
    });
    // The same ensemble spelled another way, credentials, a new profile: an update.
    expect(await diff({ connectString: "H2:2181,h1:2181/app" })).toEqual({
      diffs: ["connectString"],
      replaces: [],
    });
    expect(await diff({ digest: "u:q" })).toEqual({ diffs: ["digest"], replaces: [] });
    expect(await diff({ profiles: { ...profiles, c: { connectString: "c:2181" } } })).toEqual({
      diffs: ["profiles"],
      replaces: [],
    });
    expect(await diff({ profiles: { ...profiles, a: { connectString: "a:2181", digest: "x:y" } } })).toEqual({
      diffs: ["profiles"],
      replaces: [],
    });
    // A profile removed, or pointed elsewhere: its resources move.
    expect(await diff({ profiles: { b: profiles.b } })).toEqual({
      diffs: ["profiles"],
      replaces: ["profiles"],
    });
    expect(await diff({ profiles: { ...profiles, a: { connectString: "z:2181" } } })).toEqual({
      diffs: ["profiles"],
      replaces: ["profiles"],
    });
    // Not known yet (a preview): a change; the up decides on the value.
    expect(await diff({ connectString: UNKNOWN })).toEqual({ diffs: ["connectString"], replaces: [] });
    expect(await plugin.diffConfig(before, before)).toEqual({ diffs: [], replaces: [] });
  });

  it("does not judge config values that are not known yet, nested or grouped", async () => {
    expect(
      await plugin.checkConfig({
        connectString: UNKNOWN,
        tlsCert: UNKNOWN,
        tlsKey: "/no/such/key.pem",
        profiles: { p: { connectString: "a:1", tlsCa: UNKNOWN, sessionTimeoutMs: UNKNOWN } },
      }),
    ).toEqual([]);
    // What is known is still judged.
    expect(await plugin.checkConfig({ connectString: UNKNOWN, sessionTimeoutMs: 5 })).toEqual([
      {
        property: "sessionTimeoutMs",
        reason: expect.stringContaining("zkdiscovery:sessionTimeoutMs") as string,
      },
    ]);
  });

  it("answers a Configure it cannot apply with the rule, not an unknown error", async () => {
    const bare = await PluginProcess.start();
    try {
      const err = (await bare.configure({ tlsKey: "/no/such/dir/client.key" }).catch((e: unknown) => e)) as {
        details?: string;
      };
      expect(err.details).toMatch(/zkdiscovery:tlsKey/);
      expect(err.details).not.toMatch(/Unknown error/);
    } finally {
      await bare.stop();
    }
  });

  it("without a connect string anywhere, fails the write naming the plugin's config key", async () => {
    const bare = await PluginProcess.start();
    try {
      await bare.configure({});
      const message = await failureOf(bare.create("ZkNode", { path: `${root}/x`, data: "d" }));
      expect(message).toContain("pulumi config set zkdiscovery:connectString");
      expect(message).not.toContain("zookeeper:");
      expect(await raw.exists(`${root}/x`)).toBeUndefined();
    } finally {
      await bare.stop();
    }
  });
});

describe("ZkNode through the plugin", () => {
  it("creates, updates compare-and-set, refuses a foreign change, reads it back, and deletes", async () => {
    const path = `${root}/flag`;
    const { id, outs } = await plugin.create("ZkNode", { path, data: "on" });
    expect(id).toBe(path);
    expect(outs).toMatchObject({ path, data: "on", version: 0 });
    const updated = await plugin.update("ZkNode", id, outs, { path, data: "off" });
    expect(updated).toMatchObject({ data: "off", version: 1 });
    expect((await raw.getData(path)).data.toString()).toBe("off");

    await raw.setData(path, Buffer.from("someone else"), 1);
    const message = await failureOf(plugin.update("ZkNode", id, updated, { path, data: "on" }));
    expect(message).toMatch(/changed outside this stack: expected version 1, found 2/);
    expect((await raw.getData(path)).data.toString()).toBe("someone else");

    const refreshed = await plugin.read("ZkNode", id, updated);
    expect(refreshed.outs).toMatchObject({ data: "someone else", version: 2 });
    await plugin.delete("ZkNode", id, refreshed.outs);
    expect(await raw.exists(path)).toBeUndefined();
  });

  it("refuses to write to a znode deleted and created again by someone else, even at the same version", async () => {
    const path = `${root}/recreated`;
    const { id, outs } = await plugin.create("ZkNode", { path, data: "ours" });
    await raw.remove(path, 0);
    await raw.create(path, Buffer.from("theirs"), OPEN_ACL);
    expect((await raw.getData(path)).stat.version).toBe(0);
    expect(await failureOf(plugin.update("ZkNode", id, outs, { path, data: "ours again" }))).toMatch(
      /was deleted and re-created outside this stack: expected creation zxid \d+, found \d+\. Nothing was written/,
    );
    expect(await failureOf(plugin.delete("ZkNode", id, outs))).toMatch(
      /was deleted and re-created outside this stack: expected creation zxid \d+, found \d+\. Nothing was written/,
    );
    expect((await raw.getData(path)).data.toString()).toBe("theirs");
  });

  it("refuses data over ZooKeeper's request limit in check, with the size and the limit", async () => {
    const { failures } = await plugin.check("ZkNode", { path: `${root}/big`, data: "x".repeat(1_100_000) });
    expect(failures).toEqual([
      {
        property: "data",
        reason: expect.stringMatching(/data is 1100000 bytes, over the \d+ bytes a znode can hold/) as string,
      },
    ]);
  });

  it("details a diff: data updates in place, a new path replaces", async () => {
    const path = `${root}/d`;
    const { id, outs } = await plugin.create("ZkNode", { path, data: "1" });
    const data = await plugin.diff(
      "ZkNode",
      id,
      outs,
      (await plugin.check("ZkNode", { path, data: "2" })).inputs,
    );
    expect(data).toEqual({ diffs: ["data"], replaces: [], detailed: { data: PropertyDiff.Kind.UPDATE } });
    const moved = (await plugin.check("ZkNode", { path: `${root}/e`, data: "1" })).inputs;
    const move = await plugin.diff("ZkNode", id, outs, moved);
    expect(move).toEqual({
      diffs: ["path"],
      replaces: ["path"],
      detailed: { path: PropertyDiff.Kind.UPDATE_REPLACE },
    });
    await plugin.delete("ZkNode", id, outs);
  });

  it("writes nothing when asked to preview a create", async () => {
    const path = `${root}/previewed`;
    const { id, outs } = await plugin.create("ZkNode", { path, data: "x" }, true);
    expect(id).toBe("");
    expect(outs).toMatchObject({ path, data: "x" });
    expect(await raw.exists(path)).toBeUndefined();
  });

  it("reports invalid inputs as check failures before anything is written", async () => {
    const { failures } = await plugin.check("ZkNode", {
      path: "relative/path",
      data: "x",
      sequential: "yes",
    });
    expect(failures.map((f) => f.property).sort()).toEqual(["path", "sequential"]);
  });
});

describe("map keys named __proto__, which other languages can send", () => {
  // JSON.parse makes `__proto__` an own key, as a program in Python, Go or YAML has it.
  const withProto = (json: string) => JSON.parse(json) as Record<string, unknown>;

  it("are refused by check, not dropped, wherever a user names the keys", async () => {
    const cases: [string, Record<string, unknown>][] = [
      [
        "ZkServiceRegistration",
        {
          service: "api",
          address: "h",
          port: 1,
          basePath: `${root}/s`,
          metadata: withProto('{"__proto__":"x","a":"b"}'),
        },
      ],
      [
        "ZkServiceRegistration",
        {
          service: "api",
          address: "h",
          port: 1,
          basePath: `${root}/s`,
          payload: withProto('{"k":{"__proto__":1}}'),
        },
      ],
      ["ZkChroot", { path: `${root}/c`, children: withProto('{"__proto__":"","ok":""}') }],
    ];
    for (const [type, news] of cases) {
      const failures = await plugin.checkEncoded(type, news);
      expect({ type, news, failures }).toEqual({
        type,
        news,
        failures: [{ property: "", reason: expect.stringContaining("map key '__proto__'") as string }],
      });
    }
    expect(await raw.exists(`${root}/c`)).toBeUndefined();
    expect(
      await plugin.invokeEncoded("getServiceInstances", {
        service: "api",
        formats: withProto('{"__proto__":1}'),
      }),
    ).toEqual([{ property: "", reason: expect.stringContaining("map key '__proto__'") as string }]);
    const config = {
      connectString: connectString(),
      profiles: withProto('{"__proto__":{"connectString":"a:1"}}'),
    };
    expect(await plugin.checkEncoded("provider", config)).toEqual([
      { property: "", reason: expect.stringContaining("map key '__proto__'") as string },
    ]);
  });

  it("are no reason to refuse the name as a value, a path or other odd keys", async () => {
    const news = {
      service: "api",
      address: "__proto__",
      port: 1,
      basePath: `${root}/__proto__`,
      metadata: withProto('{"toString":"__proto__","constructor":"x","hasOwnProperty":"y"}'),
    };
    expect(await plugin.checkEncoded("ZkServiceRegistration", news)).toEqual([]);
  });
});

describe("import through the plugin (Read by id)", () => {
  it("imports an existing znode with inputs that reproduce it, then updates it compare-and-set", async () => {
    const path = `${root}/legacy`;
    await raw.create(path, Buffer.from("hello"), OPEN_ACL);
    const imported = await plugin.read("ZkNode", path);
    expect(imported.id).toBe(path);
    expect(imported.inputs).toEqual({
      path,
      data: "hello",
      acl: [{ scheme: "world", id: "anyone", perms: "rwcda" }],
      adopt: false,
      createParents: false,
      sequential: false,
    });
    expect(imported.outs).toMatchObject({ path, version: 0, data: "hello" });
    // What the engine does after an import: check the program's inputs, diff them against the state.
    const same = await plugin.diff(
      "ZkNode",
      path,
      imported.outs,
      (await plugin.check("ZkNode", { path, data: "hello" })).inputs,
    );
    expect(same.diffs).toEqual([]);
    const updated = await plugin.update("ZkNode", path, imported.outs, { path, data: "bye" });
    expect(updated).toMatchObject({ version: 1 });
    await raw.setData(path, Buffer.from("theirs"), 1);
    expect(await failureOf(plugin.update("ZkNode", path, updated, { path, data: "ours" }))).toMatch(
      /changed outside this stack/,
    );
    expect((await raw.getData(path)).data.toString()).toBe("theirs");
  });

  it("refuses to import what is not there, and types that cannot be imported, saying what to do", async () => {
    expect(await failureOf(plugin.read("ZkNode", `${root}/missing`))).toMatch(/no znode at that path/);
    await raw.create(`${root}/chroot`, Buffer.alloc(0), OPEN_ACL);
    expect(await failureOf(plugin.read("ZkChroot", `${root}/chroot`))).toMatch(
      /cannot be imported.*adopt: true/,
    );
  });
});

describe("functions through the plugin (Invoke)", () => {
  it("looks up the instances the plugin registered, and reports bad arguments as failures", async () => {
    const basePath = `${root}/services`;
    const created = await plugin.create("ZkServiceRegistration", {
      service: "api",
      basePath,
      instanceId: "api-1",
      address: "10.0.0.1",
      port: 8080,
    });
    const found = await plugin.invoke("getServiceInstances", { service: "api", basePath });
    expect(found.failures).toEqual([]);
    expect(found.result.instances).toEqual([
      expect.objectContaining({
        id: "api-1",
        address: "10.0.0.1",
        port: 8080,
        format: "curator",
        serving: true,
      }),
    ]);
    const bad = await plugin.invoke("getServiceInstances", { service: "a/b", basePath });
    expect(bad.failures).toEqual([
      { property: "", reason: expect.stringContaining("invalid getServiceInstances arguments") as string },
    ]);
    await plugin.delete("ZkServiceRegistration", created.id, created.outs);
  });

  it("waits for instances only outside a preview: a preview answers at once, an up fails at its deadline with the listing", async () => {
    const basePath = `${root}/waiting`;
    const wait = { minInstances: 2, timeoutSeconds: 30 };
    const started = Date.now();
    const preview = await plugin.invoke("getServiceInstances", { service: "web", basePath, wait }, true);
    expect(preview.failures).toEqual([]);
    expect(preview.result.instances).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
    const up = await plugin.invoke("getServiceInstances", {
      service: "web",
      basePath,
      wait: { ...wait, timeoutSeconds: 1 },
    });
    expect(up.failures).toEqual([
      { property: "", reason: expect.stringMatching(/0 of 2 serving instances/) as string },
    ]);
  });

  it("looks an ensemble up from a static list", async () => {
    const { result, failures } = await plugin.invoke("getEnsemble", {
      servers: ["b:2181", "a:2181"],
      chroot: "/app",
    });
    expect(failures).toEqual([]);
    expect(result).toMatchObject({
      connectString: "a:2181,b:2181",
      chrootedConnectString: "a:2181,b:2181/app",
      source: "servers",
    });
  });
});

describe("ZkEnsembleLookup through the plugin", () => {
  it("looks the ensemble up in check, records it on create, and shows a membership change as a diff", async () => {
    const members = connectString().split(",").sort();
    const seeded = await plugin.check("ZkEnsembleLookup", { seed: connectString(), chroot: "/app" });
    expect(seeded.failures).toEqual([]);
    expect(seeded.inputs).toMatchObject({
      source: "seed",
      connectString: members.join(","),
      chrootedConnectString: `${members.join(",")}/app`,
    });
    const { id, outs } = await plugin.create("ZkEnsembleLookup", { seed: connectString(), chroot: "/app" });
    expect(id).toBe(members.join(","));
    const same = await plugin.diff("ZkEnsembleLookup", id, outs, seeded.inputs);
    expect(same.diffs).toEqual([]);
    const fewer = (await plugin.check("ZkEnsembleLookup", { servers: members.slice(1), chroot: "/app" }))
      .inputs;
    const changed = await plugin.diff("ZkEnsembleLookup", id, outs, fewer);
    expect(changed.diffs.sort()).toEqual(["chrootedConnectString", "connectString", "servers", "source"]);
    expect(changed.replaces).toEqual([]);
  });

  it("reports a lookup with two sources as a check failure", async () => {
    const { failures } = await plugin.check("ZkEnsembleLookup", { seed: connectString(), servers: ["a:1"] });
    expect(failures).toEqual([
      { property: "", reason: expect.stringContaining("invalid ensemble lookup arguments") as string },
    ]);
  });
});

describe("the plugin and the dynamic resources agree, on generated inputs", () => {
  /** Inputs as the engine hands them to either provider: through a protobuf Struct. */
  const throughEngine = (inputs: Record<string, unknown>) =>
    Struct.fromJavaScript(JSON.parse(JSON.stringify(inputs)) as Record<string, never>).toJavaScript();
  const key = fc.oneof(
    fc.constantFrom("toString", "constructor", "hasOwnProperty", "valueOf", "zone", "ünïcode", "a.b", ""),
    fc.string({ maxLength: 6 }),
  );
  /** Mostly valid values, sometimes invalid ones: both providers must judge both alike. */
  const mostly = <T>(valid: T[], invalid: T[]) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...valid) },
      { weight: 1, arbitrary: fc.constantFrom(...invalid) },
    );
  const registration = fc.record(
    {
      service: mostly(["api", "web", "toString"], ["a b", "x/y"]),
      address: mostly(["10.0.0.1", "host.example"], ["", "a b"]),
      port: mostly([1, 8080, 65535], [0, 70000, 1.5]),
      sslPort: mostly([8443], [-1]),
      instanceId: mostly(["i-1", "toString"], ["a/b"]),
      format: mostly(["curator", "serverset", "json"], ["xml"]),
      payload: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.dictionary(key, fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 4 }),
        },
        { weight: 1, arbitrary: fc.string() },
      ),
      metadata: fc.dictionary(key, fc.string({ maxLength: 8 }), { maxKeys: 4 }),
      shard: mostly([0, 3], [-1]),
      enabled: fc.boolean(),
      uriSpec: mostly(["{scheme}://{address}:{port}", "/plain"], ["{unclosed"]),
    },
    { requiredKeys: ["service", "address", "port", "format"] },
  );

  it("same check failures, and for valid inputs the same bytes in ZooKeeper", async () => {
    let written = 0;
    await fc.assert(
      fc.asyncProperty(registration, async (generated) => {
        const [pluginBase, dynamicBase] = [`${root}/p${written}`, `${root}/d${written}`];
        const viaPlugin = await plugin.check("ZkServiceRegistration", { ...generated, basePath: pluginBase });
        const viaDynamic = await zkServiceRegistration.check(
          {},
          throughEngine({ ...generated, basePath: dynamicBase }),
        );
        const reasons = (failures: { property: string; reason: string }[], base: string) =>
          failures.map((f) => `${f.property}: ${f.reason.split(base).join("<base>")}`).sort();
        expect(reasons(viaPlugin.failures, pluginBase)).toEqual(reasons(viaDynamic.failures, dynamicBase));
        if (viaPlugin.failures.length > 0) return;
        written++;
        const ours = await plugin.create("ZkServiceRegistration", { ...generated, basePath: pluginBase });
        const theirs = await zkServiceRegistration.create(viaDynamic.inputs);
        const bytes = async (path: unknown) =>
          (await raw.getData(String(path))).data
            .toString("utf8")
            .replace(/"(registrationTimeUTC|timestamp)":\s*\d+/g, '"$1":0');
        expect(await bytes(ours.outs.path)).toEqual(await bytes(theirs.outs.path));
      }),
      { numRuns: 80 },
    );
    // Enough of the runs were valid for the byte comparison to mean something.
    expect(written).toBeGreaterThan(5);
  });
});
