import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type ZkClient } from "../../provider/zk/client";
import { builtTarball, changeSummary, installExample, run, Stack } from "../support/pulumi";
import { connectString, randomRoot, rawClient, statTree, type ZnodeSnapshot } from "../support/zk";

jest.setTimeout(900_000);

// The package as released at 0.1.0 (packed from commit 5e08efc), when every class was the SDK's
// generic `pulumi-nodejs:dynamic:Resource`. docs/DESIGN.md "State compatibility".
const RELEASED = path.resolve(__dirname, "../fixtures/pulumi-zookeeper-0.1.0.tgz");
const LEGACY_TYPE = "pulumi-nodejs:dynamic:Resource";
const CLASSES = ["ZkNode", "ZkChroot", "ZkServiceRegistration", "ZkEnsembleLookup"];

let raw: ZkClient;
let stack: Stack;
const root = randomRoot("upgrade");

/** Resource types in the stack's state, by URN name, without the stack and its provider. */
async function typesInState(): Promise<Map<string, string>> {
  const state = JSON.parse(await stack.exportState()) as {
    deployment: { resources?: { urn: string; type: string }[] };
  };
  const out = new Map<string, string>();
  for (const r of state.deployment.resources ?? []) {
    if (r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:")) continue;
    out.set(r.urn.slice(r.urn.lastIndexOf("::") + 2), r.type);
  }
  return out;
}

/** What tells whether a znode was written or re-created: everything but the data bytes' identity. */
function identities(tree: Map<string, ZnodeSnapshot>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, s] of tree) out[p] = `${s.czxid}/${s.mzxid}/${s.version}/${s.aversion}`;
  return out;
}

beforeAll(async () => {
  raw = await rawClient();
  const dir = await installExample("upgrade", RELEASED);
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
  stack = await Stack.create(dir, "dev", backend, {
    "zookeeper:connectString": connectString(),
    "upgrade:root": root,
  });
});

afterAll(() => {
  raw?.close();
});

describe("a stack created by 0.1.0, upgraded to this version", () => {
  let before: Record<string, string>;

  it("is created by the released 0.1.0 package with the generic dynamic type", async () => {
    const up = await stack.up();
    expect(changeSummary(up.stdout)).toEqual({ create: 6 });
    const types = await typesInState();
    expect([...types.values()]).toEqual(Array(5).fill(LEGACY_TYPE));
    before = identities(await statTree(raw, root));
    expect(Object.keys(before).length).toBeGreaterThan(5);
  });

  it("previews after the upgrade with no create, delete or replace", async () => {
    const reinstalled = await run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--loglevel=error", `pulumi-zookeeper@file:${builtTarball()}`],
      { cwd: stack.dir },
    );
    expect(reinstalled).toMatchObject({ code: 0 });
    const preview = await stack.preview(["--diff"]);
    const summary = changeSummary(preview.stdout);
    expect(summary).not.toHaveProperty("create");
    expect(summary).not.toHaveProperty("delete");
    expect(summary).not.toHaveProperty("replace");
    expect(summary.same ?? 0).toBeGreaterThanOrEqual(1);
    expect(identities(await statTree(raw, root))).toEqual(before);
  });

  it("ups with no create, delete or replace, writes nothing, and records each class's own type", async () => {
    const up = await stack.up();
    const summary = changeSummary(up.stdout);
    expect(summary).not.toHaveProperty("create");
    expect(summary).not.toHaveProperty("delete");
    expect(summary).not.toHaveProperty("replace");
    expect(identities(await statTree(raw, root))).toEqual(before);
    const types = [...(await typesInState()).values()].sort();
    expect(types).not.toContain(LEGACY_TYPE);
    expect(new Set(types)).toEqual(new Set(CLASSES.map((c) => `pulumi-nodejs:dynamic/zookeeper:${c}`)));
  });

  it("destroys what 0.1.0 created", async () => {
    await stack.destroy();
    expect(await raw.exists(root)).toBeUndefined();
    await stack.remove();
  });
});
