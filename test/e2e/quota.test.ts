import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ZkClient } from "../../provider/zk/client";
import { type Ensemble, startEnsemble, stopEnsemble } from "../../scripts/ensemble";
import { installExample, Stack } from "../support/pulumi";
import { randomRoot } from "../support/zk";

// examples/quota on an ensemble that enforces hard quotas (docs/DESIGN.md §1 ZkChroot, quota).

jest.setTimeout(600_000);

const chroot = `${randomRoot("quota")}/team`;
const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
let ensemble: Ensemble;
let raw: ZkClient;
let stack: Stack;

beforeAll(async () => {
  const [dir, started] = await Promise.all([
    installExample("quota"),
    startEnsemble({ size: 1, jvmFlags: ["-Dzookeeper.enforceQuota=true"] }),
  ]);
  ensemble = started;
  raw = await ZkClient.connect({
    connectString: ensemble.connectString,
    sessionTimeoutMs: 6000,
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
  });
  stack = await Stack.create(dir, "dev", backend, {
    "zookeeper:connectString": ensemble.connectString,
    "quota:path": chroot,
    "quota:maxNodes": "5",
    "quota:instances": "2",
  });
});

afterAll(async () => {
  await stack?.remove();
  raw?.close();
  if (ensemble) await stopEnsemble(ensemble);
});

describe("a chroot with a hard quota", () => {
  it("holds as many registrations as the quota allows", async () => {
    await stack.up();
    expect(await raw.getChildren(`${chroot}/services/web`)).toEqual(["web-1", "web-2"]);
    const limits = await raw.getData(`/zookeeper/quota${chroot}/zookeeper_limits`);
    expect(limits.data.toString()).toBe("count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=5");
  });

  it("refuses the next registration with a message naming the chroot and its quota", async () => {
    await stack.ok(["config", "set", "instances", "3"]);
    const failed = await stack.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"]);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toContain(
      `ZooKeeper refused to write ${chroot}/services/web/web-3: the hard quota of 5 znodes on ${chroot} (in use: 5 znodes`,
    );
    expect(await raw.getChildren(`${chroot}/services/web`)).toEqual(["web-1", "web-2"]);
  });

  it("leaves no quota behind after destroy", async () => {
    await stack.ok(["config", "set", "instances", "2"]);
    await stack.destroy();
    expect(await raw.exists(chroot)).toBeUndefined();
    expect(await raw.exists(`/zookeeper/quota${chroot}`)).toBeUndefined();
    expect(await raw.getChildren("/zookeeper/quota")).toEqual([]);
  });
});
