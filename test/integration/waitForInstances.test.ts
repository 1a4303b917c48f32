import { waitForServiceInstances, WaitTimeout } from "../../provider/lookups/waitForInstances";
import { type ZkClient } from "../../provider/zk/client";
import { fourLetter } from "../../scripts/ensemble";
import { connectString, freshRootPerTest } from "../support/zk";

// getServiceInstances' wait (docs/DESIGN.md §1): watches, not polling; progress; a listing on timeout.

const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];
const settings = () => ({ connectString: connectString(), sessionTimeoutMs: 6000 });
let raw: ZkClient;
let root: string;

const fixture = freshRootPerTest("wait");
beforeEach(() => void ({ raw, root } = fixture));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Curator-format instance as a running service registers itself: ephemeral, in its own session. */
function curator(id: string, port: number, enabled?: boolean): Buffer {
  const body = { name: "api", id, address: "10.0.0.1", port, registrationTimeUTC: Date.now() };
  return Buffer.from(JSON.stringify(enabled === undefined ? body : { ...body, enabled }));
}

/** Every path some session watches the data of, over all members (`wchp`: watches by path). */
async function watchedPaths(): Promise<Set<string>> {
  const out = new Set<string>();
  for (const hostPort of connectString().split(",")) {
    const [host, port] = hostPort.split(":") as [string, string];
    const text = await fourLetter(host, Number(port), "wchp");
    for (const line of text.split("\n")) if (line.startsWith("/")) out.add(line.trim());
  }
  return out;
}

function recorder() {
  const info: string[] = [];
  const warn: string[] = [];
  return { info, warn, log: { info: (m: string) => info.push(m), warn: (m: string) => warn.push(m) } };
}

describe("waiting for service instances", () => {
  it("returns once enough serving instances exist, woken by watches on the directory, the children and their data", async () => {
    const { info, log } = recorder();
    const query = { service: "api", basePath: `${root}/services` };
    const waiting = waitForServiceInstances(settings(), query, { minInstances: 2, timeoutSeconds: 30 }, log);
    let settled = false;
    void waiting.then(() => (settled = true));

    // Nothing there yet: not even the directory.
    await sleep(300);
    await raw.create(`${root}/services`, Buffer.alloc(0), OPEN);
    await raw.create(`${root}/services/api`, Buffer.alloc(0), OPEN);
    await raw.create(`${root}/services/api/a`, curator("a", 1), OPEN, "ephemeral");
    // A drained one does not count; enabling it (a data change, no child change) does.
    await raw.create(`${root}/services/api/b`, curator("b", 2, false), OPEN, "ephemeral");
    await sleep(300);
    expect(settled).toBe(false);
    // Waiting on watches the server holds on each child's data (`wchp` lists data watches only;
    // the child watch on the directory is what woke the wait for `a`).
    const watched = await watchedPaths();
    for (const p of ["/a", "/b"]) expect(watched).toContain(`${root}/services/api${p}`);
    await raw.setData(`${root}/services/api/b`, curator("b", 2, true), -1);
    const found = await waiting;

    expect(found.map((i) => i.id).sort()).toEqual(["a", "b"]);
    expect(found.every((i) => i.serving && i.ephemeral)).toBe(true);
    expect(info[0]).toContain("does not exist yet, so 0 of 2 serving instances");
    expect(
      info.some((m) => m.includes("1 of 2 serving instances") && m.includes("b (10.0.0.1:2): drained")),
    ).toBe(true);
  });

  it("fails at its deadline with everything it saw and why each instance did not count", async () => {
    const dir = `${root}/services/api`;
    await raw.create(`${root}/services`, Buffer.alloc(0), OPEN);
    await raw.create(dir, Buffer.alloc(0), OPEN);
    await raw.create(`${dir}/a`, curator("a", 1), OPEN);
    await raw.create(`${dir}/off`, curator("off", 2, false), OPEN);
    const member = {
      serviceEndpoint: { host: "10.0.0.9", port: 9 },
      additionalEndpoints: {},
      status: "DEAD",
    };
    await raw.create(`${dir}/member_0000000001`, Buffer.from(JSON.stringify(member)), OPEN);
    await raw.create(`${dir}/junk`, Buffer.from("{oops"), OPEN);
    const { warn, log } = recorder();
    const started = Date.now();
    const error = await waitForServiceInstances(
      settings(),
      { service: "api", basePath: `${root}/services` },
      { minInstances: 3, timeoutSeconds: 2 },
      log,
    ).catch((e: unknown) => e);
    const elapsed = Date.now() - started;

    // In registration order, as the lookup returns them.
    expect(error).toBeInstanceOf(WaitTimeout);
    expect((error as Error).message).toBe(
      `getServiceInstances waited 2 s for 3 serving instances and saw fewer: service api: 1 of 3 serving instances under ${dir}; ` +
        "serving: a (10.0.0.1:1); " +
        "not counted: off (10.0.0.1:2): drained (enabled is false); member_0000000001 (10.0.0.9:9): ServerSet status DEAD (only ALIVE serves); " +
        `not instances: ${dir}/junk (its data is not JSON). ` +
        "Start or enable more instances of api, or lower wait.minInstances or raise wait.timeoutSeconds.",
    );
    // It gave up at its deadline, not before and not long after.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(2000 + 5000);
    expect(warn).toEqual([`skipping ${dir}/junk: not a service instance, its data is not JSON`]);
  });

  it("counts only the formats asked for, and returns the others too with includeNotServing", async () => {
    const dir = `${root}/services/api`;
    await raw.create(`${root}/services`, Buffer.alloc(0), OPEN);
    await raw.create(dir, Buffer.alloc(0), OPEN);
    await raw.create(`${dir}/a`, curator("a", 1), OPEN);
    await raw.create(`${dir}/off`, curator("off", 2, false), OPEN);
    const { log } = recorder();
    const query = { service: "api", basePath: `${root}/services`, includeNotServing: true };
    const found = await waitForServiceInstances(
      settings(),
      query,
      { minInstances: 1, timeoutSeconds: 5 },
      log,
    );
    expect(found.map((i) => [i.id, i.serving])).toEqual([
      ["a", true],
      ["off", false],
    ]);
    const jsonOnly = waitForServiceInstances(
      settings(),
      { service: "api", basePath: `${root}/services`, formats: ["json"] },
      { minInstances: 1, timeoutSeconds: 1 },
      log,
    );
    await expect(jsonOnly).rejects.toThrow("0 of 1 serving instances");
  });
});
