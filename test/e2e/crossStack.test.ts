import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type ZkClient } from "../../provider/zk/client";
import { changeSummary, installExample, run, Stack } from "../support/pulumi";
import { connectString, randomRoot, rawClient, snapshotTree } from "../support/zk";

jest.setTimeout(600_000);

const yaml = require("js-yaml") as { load(text: string): unknown };
const ROOT = path.resolve(__dirname, "../..");
const WRITER = "writer:w-secret-pw";
const READER = "reader:r-secret-pw";
const root = randomRoot("xstack");
const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
let raw: ZkClient;
let platform: Stack;
let service: Stack;
let consumer: Stack;

beforeAll(async () => {
  // The platform protects the chroot with digest ACLs, so checks read as the writer.
  raw = await rawClient(WRITER);
  const [p, s, c] = await Promise.all([
    installExample("platform"),
    installExample("service"),
    installExample("consumer"),
  ]);
  const seed = connectString().split(",")[1];
  platform = await Stack.create(
    p,
    "dev",
    backend,
    { "platform:root": root, "platform:seed": seed, "platform:readerUser": "reader" },
    {
      "zookeeper:digest": WRITER,
      "platform:readerPassword": "r-secret-pw",
    },
  );
  service = await Stack.create(
    s,
    "dev",
    backend,
    {
      "service:platformStack": "organization/platform/dev",
      "service:instances": '["10.0.0.1:8080","10.0.0.2:8080"]',
    },
    { "zookeeper:digest": WRITER },
  );
  consumer = await Stack.create(
    c,
    "dev",
    backend,
    {
      "consumer:platformStack": "organization/platform/dev",
      "consumer:serviceStack": "organization/service/dev",
    },
    { "zookeeper:digest": READER },
  );
});

afterAll(() => {
  raw?.close();
});

describe("platform, service and consumer stacks", () => {
  it("deploys the three stacks in order, passing outputs by stack reference", async () => {
    await platform.up();
    const p = await platform.outputs();
    const sorted = connectString().split(",").sort().join(",");
    expect(p).toMatchObject({
      connectString: sorted,
      chrootConnectString: `${sorted}${root}/checkout`,
      servicesBasePath: `${root}/checkout/services`,
    });
    expect(p.servers).toHaveLength(3);

    await service.up();
    expect(await raw.getChildren(`${root}/checkout/services/checkout`)).toHaveLength(2);

    await consumer.up();
    // Both were registered in the same up, so their registration times may come in either order.
    expect(((await consumer.outputs()).backends as string[]).sort()).toEqual([
      "10.0.0.1:8080",
      "10.0.0.2:8080",
    ]);
  });

  it("previews a service change with the read-only identity, writing nothing; up with it is refused", async () => {
    await service.ok(["config", "set", "instances", '["10.0.0.2:8080","10.0.0.3:8080"]']);
    await service.ok(["config", "set", "--secret", "zookeeper:digest", READER]);
    const before = await snapshotTree(raw, root);
    const preview = await service.preview(["--diff"]);
    expect(changeSummary(preview.stdout)).toEqual({ create: 1, delete: 1, same: 2 });
    expect(preview.stdout).toContain("10.0.0.3");
    expect(await snapshotTree(raw, root)).toEqual(before);

    const refused = await service.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]);
    expect(refused.code).not.toBe(0);
    // The read-only identity may not even read the ACL it would have to copy: refused before any write.
    expect(refused.stdout).toContain("error: permission denied: this identity may not read the full ACL of");
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("runs the shipped pull-request workflow's identity step and the preview its action posts", async () => {
    const workflow = yaml.load(
      fs.readFileSync(path.join(ROOT, "examples/ci/.github/workflows/pulumi-preview.yml"), "utf8"),
    ) as {
      permissions: Record<string, string>;
      jobs: {
        preview: { steps: { name?: string; run?: string; uses?: string; with?: Record<string, unknown> }[] };
      };
    };
    const steps = workflow.jobs.preview.steps;
    const identity = steps.find((s) => s.name === "Use the read-only identity");
    const action = steps.find((s) => s.name === "Preview");
    expect(identity?.run).toBeDefined();
    // The preview is posted to the pull request by pulumi/actions, which may write comments only.
    expect(action?.uses).toMatch(/^pulumi\/actions@v\d+$/);
    expect(action).toMatchObject({
      with: { command: "preview", "stack-name": "dev", diff: true, "comment-on-pr": true },
    });
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const before = await snapshotTree(raw, root);
    const selected = await run("bash", ["-euo", "pipefail", "-c", identity?.run as string], {
      cwd: service.dir,
      env: { ...service.env, ZK_READONLY_DIGEST: READER, STACK: "dev" },
    });
    expect(selected.code).toBe(0);
    // What the action runs for these inputs: `pulumi preview --diff` of the named stack.
    const stackName = action?.with?.["stack-name"] as string;
    const result = await run("pulumi", ["preview", "--diff", "--non-interactive", "--stack", stackName], {
      cwd: service.dir,
      env: service.env,
    });
    expect(result.code).toBe(0);
    expect(changeSummary(result.stdout)).toEqual({ create: 1, delete: 1, same: 2 });
    expect(await snapshotTree(raw, root)).toEqual(before);
  });

  it("shows exactly the change in the consumer's next preview and up", async () => {
    await service.ok(["config", "set", "--secret", "zookeeper:digest", WRITER]);
    await service.up();
    const preview = await consumer.preview(["--diff"]);
    expect(changeSummary(preview.stdout)).toEqual({ same: 1 });
    expect(preview.stdout).toMatch(/~ backends\s*: \[/);
    expect(preview.stdout).toContain("10.0.0.3:8080");
    await consumer.up();
    expect((await consumer.outputs()).backends).toEqual(["10.0.0.2:8080", "10.0.0.3:8080"]);
  });

  it("fails fast with a clear message when ZooKeeper is unreachable", async () => {
    await consumer.ok(["config", "set", "connectString", "127.0.0.1:1"]);
    await consumer.ok(["config", "set", "zookeeper:sessionTimeoutMs", "2000"]);
    const started = Date.now();
    const failed = await consumer.pulumi(["preview", "--non-interactive"]);
    const seconds = (Date.now() - started) / 1000;
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toContain("the ZooKeeper ensemble is unavailable");
    expect(seconds).toBeLessThan(30);
    await consumer.ok(["config", "rm", "connectString"]);
    await consumer.ok(["config", "rm", "zookeeper:sessionTimeoutMs"]);
  });

  it("destroys the three stacks, leaving nothing behind", async () => {
    await consumer.destroy();
    await service.destroy();
    await platform.destroy();
    expect(await raw.exists(root)).toBeUndefined();
    execFileSync("true");
  });
});
