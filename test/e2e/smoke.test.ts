import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type ZkClient } from "../../provider/zk/client";
import { changeSummary, installExample, Stack } from "../support/pulumi";
import { connectString, randomRoot, rawClient, snapshotTree } from "../support/zk";

jest.setTimeout(600_000);

let raw: ZkClient;
let stack: Stack;
const root = randomRoot("smoke");

beforeAll(async () => {
  raw = await rawClient();
  const dir = await installExample("znode-smoke");
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
  stack = await Stack.create(dir, "dev", backend, {
    "zookeeper:connectString": connectString(),
    "znode-smoke:root": root,
  });
});

afterAll(() => {
  raw?.close();
});

describe("znode-smoke example through the real Pulumi CLI", () => {
  it("previews without writing anything", async () => {
    const before = await snapshotTree(raw, "/");
    const preview = await stack.preview();
    expect(changeSummary(preview.stdout)).toMatchObject({ create: 2 });
    expect(await snapshotTree(raw, "/")).toEqual(before);
  });

  it("creates the znode on up", async () => {
    const up = await stack.up();
    expect(changeSummary(up.stdout)).toMatchObject({ create: 2 });
    const got = await raw.getData(`${root}/greeting`);
    expect(got.data.toString()).toBe("hello");
    expect(await stack.outputs()).toEqual({ path: `${root}/greeting`, version: 0 });
  });

  it("reports no changes on a second up", async () => {
    const up = await stack.up();
    expect(changeSummary(up.stdout)).toEqual({ same: 2 });
    expect((await raw.getData(`${root}/greeting`)).stat.version).toBe(0);
  });

  it("removes the znode and the parent it created on destroy", async () => {
    await stack.destroy();
    expect(await raw.exists(`${root}/greeting`)).toBeUndefined();
    expect(await raw.exists(root)).toBeUndefined();
    await stack.remove();
  });
});
