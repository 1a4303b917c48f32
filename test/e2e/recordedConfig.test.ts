import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeCa } from "../../provider/zk/tls";
import { type Ensemble, startEnsemble, stopEnsemble } from "../../scripts/ensemble";
import { installExample, Stack } from "../support/pulumi";
import { makeTestCerts, removeTestCerts, type TestCerts, tlsServerConfig } from "../support/tlsCerts";
import { randomRoot } from "../support/zk";

// README "Configuration": destroy and refresh use the provider config the last update recorded.
// After a wrong zookeeper:tlsCa, the error names the CA it used, and the documented ways out work.

jest.setTimeout(600_000);

let certs: TestCerts;
let ensemble: Ensemble;
let stack: Stack;
const read = (file: string) => fs.readFileSync(file, "utf8");

beforeAll(async () => {
  certs = makeTestCerts();
  const [dir, started] = await Promise.all([
    installExample("znode-smoke"),
    startEnsemble({ size: 1, secureClientPort: true, extraConfig: tlsServerConfig(certs) }),
  ]);
  ensemble = started;
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
  stack = await Stack.create(
    dir,
    "dev",
    backend,
    {
      "zookeeper:connectString": ensemble.secureConnectString as string,
      "zookeeper:sessionTimeoutMs": "4000",
      "znode-smoke:root": randomRoot("recorded"),
    },
    { "zookeeper:tlsKey": certs.client.key },
  );
  await stack.ok(["config", "set", "zookeeper:tlsCert", certs.client.cert]);
  await stack.ok(["config", "set", "zookeeper:tlsCa", certs.ca]);
});

afterAll(async () => {
  await stack?.remove();
  if (ensemble) await stopEnsemble(ensemble);
  if (certs) removeTestCerts(certs);
});

const destroyArgs = ["destroy", "--yes", "--skip-preview", "--non-interactive"];

describe("a wrong zookeeper:tlsCa, fixed, then destroy", () => {
  it("fails with the recorded CA named, and the remedy; --run-program then destroys with the current config", async () => {
    await stack.up();
    // A wrong CA: the up fails, and the engine records that config with the provider.
    await stack.ok(["config", "set", "zookeeper:tlsCa", certs.otherCa]);
    await stack.ok(["config", "set", "znode-smoke:greeting", "changed"]);
    const failed = await stack.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]);
    expect(failed.code).not.toBe(0);
    // Fixed in the config, but destroy runs with what the last update recorded: the wrong CA.
    await stack.ok(["config", "set", "zookeeper:tlsCa", certs.ca]);
    const destroy = await stack.pulumi(destroyArgs);
    const out = destroy.stdout + destroy.stderr;
    expect(destroy.code).not.toBe(0);
    expect(out).toContain(`(this connection used ${describeCa(read(certs.otherCa))})`);
    expect(out).toContain("'pulumi destroy --run-program'");
    // The documented way out, with the CLI tested here.
    await stack.ok([...destroyArgs, "--run-program"]);
    const exported = JSON.parse((await stack.ok(["stack", "export"])).stdout) as {
      deployment: { resources?: unknown[] };
    };
    expect(exported.deployment.resources ?? []).toEqual([]);
  });
});
