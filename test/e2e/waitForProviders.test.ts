import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type ZkClient } from "../../provider/zk/client";
import { compileCurator, type RunningConsumer, startCuratorRegistration } from "../support/interop";
import { installExample, Stack } from "../support/pulumi";
import { connectString, randomRoot, rawClient, removeTree } from "../support/zk";

// examples/wait-for-providers: `pulumi up` waits for providers that register themselves
// (docs/DESIGN.md §1 getServiceInstances, wait); a preview does not.

jest.setTimeout(600_000);

const root = randomRoot("wait");
const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
const started: RunningConsumer[] = [];
let raw: ZkClient;
let stack: Stack;

beforeAll(async () => {
  raw = await rawClient();
  const [dir] = await Promise.all([installExample("wait-for-providers"), compileCurator()]);
  stack = await Stack.create(dir, "dev", backend, {
    "zookeeper:connectString": connectString(),
    "wait-for-providers:basePath": root,
    "wait-for-providers:service": "web",
    "wait-for-providers:minInstances": "2",
    "wait-for-providers:timeoutSeconds": "90",
  });
});

afterAll(async () => {
  await Promise.all(started.map((c) => c.stop()));
  await stack?.remove();
  await removeTree(raw, root);
  raw.close();
});

/** A separate Java process registering an ephemeral (DYNAMIC) Curator instance of `web`. */
async function curatorInstance(id: string, port: number): Promise<RunningConsumer> {
  const c = await startCuratorRegistration({
    connectString: connectString(),
    basePath: root,
    service: "web",
    id,
    address: "10.0.5.1",
    port,
    serviceType: "DYNAMIC",
  });
  started.push(c);
  return c;
}

describe("waiting for providers at deploy time", () => {
  it("a preview does not wait: it warns with the current count and returns promptly", async () => {
    const t0 = Date.now();
    const preview = await stack.preview();
    expect(preview.stdout).toContain("preview does not wait: service web: 0 of 2 serving instances");
    expect(preview.stdout).toContain("'pulumi up' waits up to 90 s for 2.");
    // Well under the 90 s the up would wait: the preview did not wait at all.
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it("an up waits until a separate process has registered 2 ephemeral Curator instances, then goes on", async () => {
    const up = stack.up();
    // The up is running (and waiting) when the providers start, a few seconds later.
    await new Promise((r) => setTimeout(r, 5000));
    await curatorInstance("web-1", 8081);
    await curatorInstance("web-2", 8082);
    const result = await up;
    expect(result.stdout).toMatch(/waiting: service web: [01] of 2 serving instances/);
    expect((await stack.outputs()).backends).toEqual(["10.0.5.1:8081", "10.0.5.1:8082"]);
  });

  it("a wait that cannot be met fails within its timeout, listing what it saw and why", async () => {
    await stack.ok(["config", "set", "minInstances", "3"]);
    await stack.ok(["config", "set", "timeoutSeconds", "5"]);
    const t0 = Date.now();
    const failed = await stack.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]);
    const elapsed = Date.now() - t0;
    expect(failed.code).not.toBe(0);
    const out = failed.stdout + failed.stderr;
    expect(out).toContain("getServiceInstances waited 5 s for 3 serving instances and saw fewer");
    expect(out).toContain("serving: web-1 (10.0.5.1:8081); web-2 (10.0.5.1:8082)");
    expect(out).toContain("Start or enable more instances of web");
    // The program's own run, the CLI's start-up and the engine's: well under 5 s + a minute.
    expect(elapsed).toBeLessThan(65_000);
  });
});
