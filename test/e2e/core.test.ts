import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defaultInstanceId } from "../../provider/core/formats";
import { type ZkClient } from "../../provider/zk/client";
import { changeSummary, installExample, Stack } from "../support/pulumi";
import { connectString, randomRoot, rawClient, snapshotTree } from "../support/zk";

jest.setTimeout(600_000);

const PASSWORD = "hunter2-e2e-secret";
let raw: ZkClient;
let stack: Stack;
let before: Record<string, string>;
let beforeWithoutChildVersions: Record<string, string>;
const root = randomRoot("core");
const outputText: string[] = [];

beforeAll(async () => {
  raw = await rawClient();
  const dir = await installExample("core-resources");
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
  stack = await Stack.create(
    dir,
    "dev",
    backend,
    { "zookeeper:connectString": connectString(), "core-resources:root": root },
    { "zookeeper:digest": `stack:${PASSWORD}` },
  );
  before = await snapshotTree(raw, "/");
  beforeWithoutChildVersions = await snapshotTree(raw, "/", false);
});

afterAll(() => {
  raw?.close();
});

const keep = <T extends { stdout: string; stderr: string }>(r: T): T => {
  outputText.push(r.stdout, r.stderr);
  return r;
};

describe("all three resources through the real Pulumi CLI", () => {
  it("previews without writing anything", async () => {
    const preview = keep(await stack.preview());
    expect(changeSummary(preview.stdout)).toEqual({ create: 5 });
    expect(await snapshotTree(raw, "/")).toEqual(before);
  });

  it("creates everything on up", async () => {
    keep(await stack.up());
    const out = await stack.outputs();
    const id = defaultInstanceId("10.0.0.5", 8080, undefined);
    // The znode and the chroot race to create the shared root; either may list it.
    expect((out.createdPaths as string[]).filter((p) => p !== root)).toEqual([
      `${root}/apps`,
      `${root}/apps/checkout`,
    ]);
    expect(out).toMatchObject({
      settingsPath: `${root}/settings`,
      chrootConnectString: `${connectString()}${root}/apps/checkout`,
      registrationPath: `${root}/services/checkout/${id}`,
      instanceId: id,
      lockedPath: `${root}/locked`,
    });
    expect((await raw.getData(`${root}/apps/checkout/config/db`)).data.toString()).toBe("postgres://db-1");
    expect(JSON.parse((await raw.getData(`${root}/services/checkout/${id}`)).data.toString())).toMatchObject({
      port: 8080,
      payload: { zone: "eu-1" },
    });
    await expect(raw.setData(`${root}/locked`, Buffer.from("intruder"), -1)).rejects.toThrow("NO_AUTH");
  });

  it("reports no changes on a second up", async () => {
    const up = keep(await stack.up());
    expect(changeSummary(up.stdout)).toEqual({ same: 5 });
  });

  it("previews an edit as exactly the expected updates and replace, writing nothing", async () => {
    await stack.ok(["config", "set", "variant", "v2"]);
    const snap = await snapshotTree(raw, "/");
    const preview = keep(await stack.preview(["--diff"]));
    expect(changeSummary(preview.stdout)).toEqual({ update: 2, replace: 1, same: 2 });
    expect(preview.stdout).toMatch(
      /~ pulumi-nodejs:dynamic\/zookeeper:ZkNode: \(update\)\s+\[id=[^\]]*\/settings\]/,
    );
    expect(preview.stdout).toMatch(
      /\+-pulumi-nodejs:dynamic\/zookeeper:ZkServiceRegistration: \(replace\)\s+\[id=[^\]]+\]\s+\[urn=[^\]]*::checkout-1\]/,
    );
    expect(await snapshotTree(raw, "/")).toEqual(snap);
    keep(await stack.up());
    expect((await raw.getData(`${root}/apps/checkout/config/cache`)).data.toString()).toBe("redis://cache");
    expect(await raw.exists(`${root}/apps/checkout/flags`)).toBeUndefined();
    expect(await raw.getChildren(`${root}/services/checkout`)).toEqual([
      defaultInstanceId("10.0.0.5", 8081, undefined),
    ]);
  });

  it("fails on a change made outside the stack, then converges after refresh", async () => {
    await raw.setData(`${root}/settings`, Buffer.from("edited by hand"), -1);
    await stack.ok(["config", "set", "variant", "v3"]);
    const failed = keep(await stack.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]));
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toContain(
      `znode ${root}/settings was changed outside this stack: expected version 1, found 2. Nothing was written; the other writer's change is kept.`,
    );
    expect((await raw.getData(`${root}/settings`)).data.toString()).toBe("edited by hand");
    keep(await stack.refresh());
    keep(await stack.up());
    expect((await raw.getData(`${root}/settings`)).data.toString()).toBe('{"variant":"v3"}');
    const state = await stack.exportState();
    // The serialized provider is a reference to the package's provider module, loaded by name, and
    // carries no connection or credential.
    expect(state).toContain('require(\\"pulumi-zookeeper/providers/zkNode\\")');
    expect(state).not.toContain(PASSWORD);
  });

  it("destroys back to the tree it found, and never lets the password out", async () => {
    keep(await stack.destroy());
    expect(await snapshotTree(raw, "/", false)).toEqual(beforeWithoutChildVersions);
    expect(await stack.exportState()).not.toContain(PASSWORD);
    expect(outputText.join("\n")).not.toContain(PASSWORD);
    await stack.remove();
  });
});
