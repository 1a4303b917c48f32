import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type Ensemble, fourLetter, startEnsemble, stopEnsemble } from "../../scripts/ensemble";
import { changeSummary, installExample, Stack } from "../support/pulumi";
import { randomRoot } from "../support/zk";

jest.setTimeout(600_000);

let ensemble: Ensemble;

beforeAll(async () => {
  // An ensemble of its own, so that the only sessions on it are the deployment's.
  ensemble = await startEnsemble({ size: 3 });
});

afterAll(async () => {
  if (ensemble) await stopEnsemble(ensemble);
});

/** Session ids connected to any member right now, from the 4-letter `cons` command. */
async function connectedSessions(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const m of ensemble.members) {
    const text = await fourLetter("127.0.0.1", m.clientPort, "cons").catch(() => "");
    for (const match of text.matchAll(/sid=(0x[0-9a-f]+)/g)) ids.add(match[1]);
  }
  return ids;
}

describe("ZooKeeper sessions of a deployment", () => {
  it("opens at most 2 sessions for a 100-resource pulumi up", async () => {
    const dir = await installExample("many-registrations");
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
    const stack = await Stack.create(dir, "dev", backend, {
      "zookeeper:connectString": ensemble.connectString,
      "many-registrations:root": randomRoot("sessions"),
      "many-registrations:count": "100",
    });
    const seen = new Set<string>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const id of await connectedSessions()) seen.add(id);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const up = await stack.up();
    polling = false;
    await poller;
    expect(changeSummary(up.stdout)).toEqual({ create: 101 });
    process.stderr.write(`sessions opened by a 100-resource up: ${seen.size}\n`);
    expect(seen.size).toBeGreaterThanOrEqual(1);
    expect(seen.size).toBeLessThanOrEqual(2);
    await stack.destroy();
  });
});
