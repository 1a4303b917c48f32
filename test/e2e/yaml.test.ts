import * as fs from "fs";
import { OPEN_ACL } from "../../provider/core/acl";
import { type ZkClient } from "../../provider/zk/client";
import { changeSummary, type Stack } from "../support/pulumi";
import { yamlStack } from "../support/yaml";
import { type Ensemble, startEnsemble, stopEnsemble } from "../../scripts/ensemble";
import { connectString, randomRoot, rawClient, snapshotTree } from "../support/zk";

jest.setTimeout(600_000);

// A second language end to end: examples/yaml, a Pulumi YAML program, through the real CLI, Pulumi
// YAML's language host and the provider plugin installed from its tarball with `pulumi plugin install`.

let raw: ZkClient;
let stack: Stack;
const root = randomRoot("yaml");
const DIGEST_PASSWORD = "s3cret-yaml-pw";

beforeAll(async () => {
  raw = await rawClient();
  stack = await yamlStack(
    { example: "yaml" },
    { "zkdiscovery:connectString": connectString(), "zk-yaml:root": root },
  );
  // Credentials as a secret: every session adds them; the state must never hold them in the clear.
  await stack.ok(["config", "set", "--secret", "zkdiscovery:digest", `yaml-user:${DIGEST_PASSWORD}`]);
});

afterAll(() => {
  raw?.close();
});

type Instance = { format: string; address: string; port: number; serving: boolean };

describe("examples/yaml through Pulumi YAML and the provider plugin", () => {
  it("previews without writing anything", async () => {
    const before = await snapshotTree(raw, "/");
    const preview = await stack.preview();
    // The stack, the chroot, three registrations, two znodes and the explicit provider.
    expect(changeSummary(preview.stdout)).toEqual({ create: 8 });
    expect(await snapshotTree(raw, "/")).toEqual(before);
  });

  it("primes the chroot, registers one instance per format, and looks them up with fn::invoke", async () => {
    const up = await stack.up();
    expect(changeSummary(up.stdout)).toEqual({ create: 8 });
    const outputs = await stack.outputs();
    expect(outputs.connectString).toBe(`${connectString()}${root}`);
    const instances = outputs.instances as Instance[];
    expect(instances.map((i) => [i.format, i.address, i.port, i.serving]).sort()).toEqual([
      ["curator", "10.0.0.1", 8080, true],
      ["json", "10.0.0.3", 8080, true],
      ["serverset", "10.0.0.2", 8080, true],
    ]);
    const curator = JSON.parse(
      (await raw.getData(`${root}/services/api/api-curator-1`)).data.toString(),
    ) as Record<string, unknown>;
    expect(curator).toMatchObject({ name: "api", id: "api-curator-1", address: "10.0.0.1", port: 8080 });
    expect((await raw.getData(`${root}/config/feature-flag`)).data.toString()).toBe("on");
    // Through the explicit provider, whose connect string is the chroot's.
    expect(outputs.ownerPath).toBe("/config/owner");
    expect((await raw.getData(`${root}/config/owner`)).data.toString()).toBe("platform-team");
  });

  it("keeps the provider's digest secret: not in the state, not in the output", async () => {
    expect(await stack.exportState()).not.toContain(DIGEST_PASSWORD);
    const preview = await stack.preview(["--diff"]);
    expect(preview.stdout + preview.stderr).not.toContain(DIGEST_PASSWORD);
  });

  it("changes nothing on a second up", async () => {
    const before = await snapshotTree(raw, root);
    const up = await stack.up();
    expect(changeSummary(up.stdout)).toEqual({ same: 8 });
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("refuses to overwrite a change made outside the stack, and keeps it", async () => {
    const flag = `${root}/config/feature-flag`;
    await raw.setData(flag, Buffer.from("set by an operator"), 0);
    await stack.ok(["config", "set", "flag", "off"]);
    const up = await stack.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]);
    expect(up.code).not.toBe(0);
    expect(up.stdout).toContain(
      `znode /config/feature-flag was changed outside this stack: expected version 0, found 1`,
    );
    expect((await raw.getData(flag)).data.toString()).toBe("set by an operator");
  });

  it("takes the outside change into state on refresh, then updates compare-and-set on the next up", async () => {
    await stack.refresh();
    const up = await stack.up();
    expect(changeSummary(up.stdout)).toMatchObject({ update: 1 });
    const flag = await raw.getData(`${root}/config/feature-flag`);
    expect([flag.data.toString(), flag.stat.version]).toEqual(["off", 2]);
  });

  it("removes everything it created on destroy", async () => {
    await stack.destroy();
    expect(await raw.exists(root)).toBeUndefined();
    await stack.remove();
  });
});

describe("pulumi import through the provider plugin", () => {
  const path = randomRoot("import");
  let imported: Stack;

  it("imports an existing znode into a YAML program, and generates the program's code for it", async () => {
    await raw.create(path, Buffer.from("legacy value"), OPEN_ACL);
    imported = await yamlStack(
      { text: "name: zk-import\nruntime: yaml\n" },
      { "zkdiscovery:connectString": connectString() },
    );
    const out = `${imported.dir}/imported.yaml`;
    await imported.ok([
      "import",
      "zkdiscovery:index:ZkNode",
      "legacy",
      path,
      "--yes",
      "--protect=false",
      "--non-interactive",
      "--out",
      out,
    ]);
    const generated = fs.readFileSync(out, "utf8");
    expect(generated).toContain(`path: ${path}`);
    expect(generated).toContain("data: legacy value");
    // The program now declares what was imported: the generated code, as a user pastes it in.
    fs.writeFileSync(`${imported.dir}/Pulumi.yaml`, `name: zk-import\nruntime: yaml\n${generated}`);
    const up = await imported.up();
    expect(changeSummary(up.stdout)).toEqual({ same: 2 });
    expect((await raw.getData(path)).stat.version).toBe(0);
  });

  it("updates the imported znode compare-and-set, and refuses when someone else changed it", async () => {
    const program = `${imported.dir}/Pulumi.yaml`;
    fs.writeFileSync(
      program,
      fs.readFileSync(program, "utf8").replace("data: legacy value", "data: managed value"),
    );
    expect(changeSummary((await imported.up()).stdout)).toMatchObject({ update: 1 });
    expect((await raw.getData(path)).data.toString()).toBe("managed value");

    await raw.setData(path, Buffer.from("hot fix"), 1);
    fs.writeFileSync(
      program,
      fs.readFileSync(program, "utf8").replace("data: managed value", "data: next value"),
    );
    const up = await imported.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]);
    expect(up.code).not.toBe(0);
    expect(up.stdout).toContain("was changed outside this stack: expected version 1, found 2");
    expect((await raw.getData(path)).data.toString()).toBe("hot fix");
    await imported.refresh();
    await imported.destroy();
    expect(await raw.exists(path)).toBeUndefined();
    await imported.remove();
  });
});

describe("explicit providers: one YAML program, two ensembles", () => {
  let second: Ensemble;
  let other: ZkClient;
  let twoEnsembles: Stack;
  const path = randomRoot("two");

  beforeAll(async () => {
    second = await startEnsemble({ size: 1 });
    other = await rawClient(undefined, second.connectString);
  }, 120_000);
  afterAll(async () => {
    other?.close();
    if (second) await stopEnsemble(second);
  });

  it("writes each resource to its own provider's ensemble, and removes both on destroy", async () => {
    const program = [
      "name: zk-two",
      "runtime: yaml",
      "config:",
      "  otherEnsemble: { type: string }",
      "resources:",
      "  other:",
      "    type: pulumi:providers:zkdiscovery",
      "    properties:",
      "      connectString: ${otherEnsemble}",
      "  here:",
      "    type: zkdiscovery:index:ZkNode",
      `    properties: { path: "${path}", data: first ensemble }`,
      "  there:",
      "    type: zkdiscovery:index:ZkNode",
      `    properties: { path: "${path}", data: second ensemble }`,
      "    options:",
      "      provider: ${other}",
    ].join("\n");
    twoEnsembles = await yamlStack(
      { text: `${program}\n` },
      { "zkdiscovery:connectString": connectString(), "zk-two:otherEnsemble": second.connectString },
    );
    await twoEnsembles.up();
    expect((await raw.getData(path)).data.toString()).toBe("first ensemble");
    expect((await other.getData(path)).data.toString()).toBe("second ensemble");
    await twoEnsembles.destroy();
    expect(await raw.exists(path)).toBeUndefined();
    expect(await other.exists(path)).toBeUndefined();
    await twoEnsembles.remove();
  });
});
