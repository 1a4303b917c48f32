import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { zkServiceRegistration } from "../../provider/runtime/zkServiceRegistration";
import { type ZkClient } from "../../provider/zk/client";
import { type CuratorInstance, curator, kazoo, useInteropFixture } from "../support/interop";
import { PluginProcess } from "../support/plugin";
import { checkWith } from "../support/runtime";
import { connectString } from "../support/zk";

// What the provider plugin registers is what the TypeScript dynamic resources register: the same
// bytes in each format (the registration time aside, which is the moment of writing), and the
// consumers nobody here wrote (Curator 5, kazoo with Finagle's and the json style's rules) read
// the two the same way.

const fixture = useInteropFixture({ provider: true });
let raw: ZkClient;
let plugin: PluginProcess;
beforeAll(async () => {
  ({ raw } = fixture);
  plugin = await PluginProcess.start();
  await plugin.configure({ connectString: connectString() });
}, 600_000);
afterAll(async () => {
  await plugin?.stop();
});

type Props = Record<string, unknown>;

/** One registration of each format, with every field its format carries. */
const REGISTRATIONS: Props[] = [
  {
    service: "api",
    instanceId: "api-curator",
    address: "10.0.0.1",
    port: 8080,
    sslPort: 8443,
    format: "curator",
    payload: { zone: "eu-1", weight: 3 },
    uriSpec: "{scheme}://{address}:{port}/v1",
    metadata: { owner: "platform" },
  },
  {
    service: "api",
    address: "10.0.0.2",
    port: 8080,
    format: "serverset",
    shard: 2,
    additionalEndpoints: { admin: { host: "10.0.0.2", port: 9990 } },
    metadata: { version: "1.2" },
  },
  {
    service: "api",
    instanceId: "api-json",
    address: "10.0.0.3",
    port: 8080,
    format: "json",
    payload: { region: "eu" },
    metadata: { owner: "platform" },
  },
];

/**
 * Inputs as a dynamic provider receives them: the engine hands every provider its inputs as a
 * protobuf Struct, whose object keys arrive sorted. The plugin gets them the same way.
 */
function throughEngine(inputs: Props): Props {
  return Struct.fromJavaScript(inputs as Record<string, never>).toJavaScript();
}

/** Registers through the plugin under one base and through the dynamic runtime under another. */
async function registerBoth(
  pluginBase: string,
  dynamicBase: string,
): Promise<{ plugin: Props[]; dynamic: Props[] }> {
  const fromPlugin: Props[] = [];
  const fromDynamic: Props[] = [];
  for (const registration of REGISTRATIONS) {
    fromPlugin.push(
      (await plugin.create("ZkServiceRegistration", { ...registration, basePath: pluginBase })).outs,
    );
    const { inputs, failures } = await checkWith(
      zkServiceRegistration,
      {},
      throughEngine({ ...registration, basePath: dynamicBase }),
    );
    expect(failures).toEqual([]);
    fromDynamic.push((await zkServiceRegistration.create(inputs)).outs);
  }
  return { plugin: fromPlugin, dynamic: fromDynamic };
}

/** A znode's data with the registration time (the moment of writing; `timestamp` in the json format) set to 0. */
async function bytesWithoutTime(path: string): Promise<string> {
  const text = (await raw.getData(path)).data.toString("utf8");
  return text.replace(/"(registrationTimeUTC|timestamp)":\s*\d+/g, '"$1":0');
}

/** A consumer's view with what differs by construction (time, the base path, sequential names) left out. */
function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      ["registrationTimeUTC", "timestamp", "member", "path"].includes(key) ? undefined : v,
    ),
  ) as unknown;
}

describe("registrations by the plugin and by the dynamic resources", () => {
  it("are the same bytes in every format", async () => {
    const [pluginBase, dynamicBase] = [fixture.newRoot("plugin-reg"), fixture.newRoot("dynamic-reg")];
    const both = await registerBoth(pluginBase, dynamicBase);
    for (let i = 0; i < REGISTRATIONS.length; i++) {
      const [ours, theirs] = [String(both.plugin[i].path), String(both.dynamic[i].path)];
      expect(ours.slice(pluginBase.length)).toEqual(
        theirs.slice(dynamicBase.length).replace(/\d{10}$/, ours.slice(-10)),
      );
      const pluginBytes = await bytesWithoutTime(ours);
      expect({ format: REGISTRATIONS[i].format, bytes: pluginBytes }).toEqual({
        format: REGISTRATIONS[i].format,
        bytes: await bytesWithoutTime(theirs),
      });
      expect(pluginBytes.length).toBeGreaterThan(50);
    }
  });

  it("read the same to Curator's ServiceDiscovery and to kazoo's ServerSet and json readers", async () => {
    const [pluginBase, dynamicBase] = [fixture.newRoot("plugin-read"), fixture.newRoot("dynamic-read")];
    await registerBoth(pluginBase, dynamicBase);
    const query = async (base: string) =>
      (await curator(["query", connectString(), base, "api"])) as CuratorInstance[];
    const [curatorPlugin, curatorDynamic] = [await query(pluginBase), await query(dynamicBase)];
    // Curator reads every child as an instance (the other formats' with empty ids), ours in full.
    expect(curatorPlugin).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "api-curator", address: "10.0.0.1", sslPort: 8443 }),
      ]),
    );
    expect(comparable(curatorPlugin)).toEqual(comparable(curatorDynamic));

    const serverset = async (base: string) => kazoo("serverset", ["read", connectString(), `${base}/api`]);
    const [membersPlugin, membersDynamic] = [await serverset(pluginBase), await serverset(dynamicBase)];
    expect(membersPlugin).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          serviceEndpoint: { host: "10.0.0.2", port: 8080 },
          status: "ALIVE",
          shard: 2,
        }),
      ]),
    );
    expect(comparable(membersPlugin)).toEqual(comparable(membersDynamic));

    const json = async (base: string) => kazoo("jsonfmt", ["read", connectString(), `${base}/api`]);
    const [jsonPlugin, jsonDynamic] = [await json(pluginBase), await json(dynamicBase)];
    expect(JSON.stringify(jsonPlugin)).toContain("10.0.0.3");
    expect(comparable(jsonPlugin)).toEqual(comparable(jsonDynamic));
  });
});
