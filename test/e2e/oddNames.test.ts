/**
 * Keys that every JavaScript object already answers to (`toString`, `constructor`, ...) as chroot
 * children and payload fields, through the real CLI: the program, the engine's state and the
 * provider must all carry them, and `__proto__`, which no JavaScript object can carry as a key,
 * is refused before anything is written.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type ZkClient } from "../../provider/zk/client";
import { changeSummary, installExample, Stack } from "../support/pulumi";
import { connectString, randomRoot, rawClient, snapshotTree } from "../support/zk";

jest.setTimeout(600_000);

let raw: ZkClient;
let stack: Stack;
const root = randomRoot("odd-names");
let before: Record<string, string>;

beforeAll(async () => {
  raw = await rawClient();
  const dir = await installExample("odd-names");
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
  stack = await Stack.create(dir, "dev", backend, {
    "zookeeper:connectString": connectString(),
    "odd-names:ensemble": connectString(),
    "odd-names:root": root,
  });
  before = await snapshotTree(raw, "/", false);
});

afterAll(() => {
  raw?.close();
});

const text = async (p: string) => (await raw.getData(p)).data.toString();

describe("odd names through the real Pulumi CLI", () => {
  it("creates children named toString, constructor and x/valueOf, and a payload with such fields", async () => {
    await stack.up();
    expect(await raw.getChildren(`${root}/odd`)).toEqual(["a", "constructor", "toString", "x"]);
    expect(await text(`${root}/odd/toString`)).toBe("mine");
    expect(await text(`${root}/odd/x/valueOf`)).toBe("v");
    const out = await stack.outputs();
    expect(out.recordedChildren).toEqual({
      a: "1",
      constructor: "c",
      toString: "mine",
      x: "",
      "x/valueOf": "v",
    });
    expect(JSON.parse(out.registrationData as string)).toMatchObject({
      toString: "payload",
      constructor: "fields",
    });
  });

  it("changes, adds and drops such children in place", async () => {
    await stack.ok(["config", "set", "variant", "v2"]);
    const up = await stack.up();
    expect(changeSummary(up.stdout)).toMatchObject({ update: 1 });
    expect(await raw.getChildren(`${root}/odd`)).toEqual(["a", "hasOwnProperty", "toString", "x"]);
    expect(await text(`${root}/odd/toString`)).toBe("mine, changed");
  });

  it("treats the same members in another order as no change", async () => {
    const reordered = connectString().split(",").reverse().join(",");
    await stack.ok(["config", "set", "ensemble", reordered]);
    const preview = await stack.preview();
    expect(changeSummary(preview.stdout)).toEqual({ same: 3 });
    const snapshot = await snapshotTree(raw, root);
    await stack.up();
    expect(await snapshotTree(raw, root)).toEqual(snapshot);
  });

  it("refuses a child named __proto__ with a message, writing nothing", async () => {
    await stack.ok(["config", "set", "variant", "proto"]);
    const snapshot = await snapshotTree(raw, root);
    const up = await stack.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]);
    expect(up.code).not.toBe(0);
    expect(`${up.stdout}\n${up.stderr}`).toContain(
      "children has the key '__proto__', which JavaScript objects reserve",
    );
    expect(await snapshotTree(raw, root)).toEqual(snapshot);
    await stack.ok(["config", "set", "variant", "v2"]);
  });

  it("destroys everything it created", async () => {
    await stack.destroy();
    expect(await snapshotTree(raw, "/", false)).toEqual(before);
  });
});
