import { execFileSync } from "child_process";
import { checkEnsembleArgs } from "../../provider/lookups/api";
import { lookUpEnsemble } from "../../provider/lookups/ensemble";
import { readServiceInstances } from "../../provider/lookups/serviceInstances";
import { zkServiceRegistration } from "../../provider/runtime/zkServiceRegistration";
import { ZkClient } from "../../provider/zk/client";
import {
  type Ensemble,
  type EnsembleMember,
  killMember,
  leaderId,
  startEnsemble,
  stopEnsemble,
} from "../../scripts/ensemble";
import { startFakeExhibitor } from "../support/fakeExhibitor";
import { checkWith } from "../support/runtime";
import { connectString, freshRootPerTest } from "../support/zk";

const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];
const settings = () => ({ connectString: connectString(), sessionTimeoutMs: 6000 });
const seedSettings = { sessionTimeoutMs: 6000 };
let raw: ZkClient;
let root: string;

const fixture = freshRootPerTest("lookup");
beforeEach(() => void ({ raw, root } = fixture));

describe("getServiceInstances against a real ensemble", () => {
  it("reads all three formats, ephemeral ones included, skips and names what is not an instance", async () => {
    const { inputs } = await checkWith(
      zkServiceRegistration,
      {},
      { basePath: root, service: "web", address: "10.0.0.1", port: 80, id: "cur-1" },
    );
    await zkServiceRegistration.create(inputs);
    const dir = `${root}/web`;
    await raw.create(
      `${dir}/member_`,
      Buffer.from(
        '{"serviceEndpoint":{"host":"10.0.0.2","port":81},"additionalEndpoints":{},"status":"ALIVE"}',
      ),
      OPEN,
      "ephemeralSequential",
    );
    await raw.create(
      `${dir}/json-1`,
      Buffer.from('{"address":"10.0.0.3","port":82,"timestamp":1,"zone":"eu"}'),
      OPEN,
    );
    await raw.create(
      `${dir}/member_`,
      Buffer.from(
        '{"serviceEndpoint":{"host":"10.0.0.4","port":83},"additionalEndpoints":{},"status":"DEAD"}',
      ),
      OPEN,
      "sequential",
    );
    await raw.create(`${dir}/broken`, Buffer.from("{oops"), OPEN);
    await raw.create(`${dir}/empty`, Buffer.alloc(0), OPEN);
    // Drained, as Curator 5 writes it.
    await raw.create(
      `${dir}/cur-2`,
      Buffer.from(
        '{"name":"web","id":"cur-2","address":"10.0.0.5","port":84,"sslPort":null,"payload":null,' +
          '"registrationTimeUTC":2,"serviceType":"DYNAMIC","uriSpec":null,"enabled":false}',
      ),
      OPEN,
    );

    const warnings: string[] = [];
    const found = await readServiceInstances(
      settings(),
      { service: "web", basePath: root, includeNotServing: true },
      (m) => warnings.push(m),
    );
    expect(found.map((i) => [i.format, i.address, i.port, i.ephemeral, i.status])).toEqual([
      ["json", "10.0.0.3", 82, false, undefined],
      ...found
        .filter((i) => i.format !== "json")
        .map((i) => [i.format, i.address, i.port, i.ephemeral, i.status]),
    ]);
    expect(found.map((i) => i.address).sort()).toEqual([
      "10.0.0.1",
      "10.0.0.2",
      "10.0.0.3",
      "10.0.0.4",
      "10.0.0.5",
    ]);
    expect(Object.fromEntries(found.map((i) => [i.address, i.serving]))).toEqual({
      "10.0.0.1": true,
      "10.0.0.2": true,
      "10.0.0.3": true,
      "10.0.0.4": false,
      "10.0.0.5": false,
    });
    expect(found.find((i) => i.address === "10.0.0.2")).toMatchObject({
      format: "serverset",
      ephemeral: true,
      status: "ALIVE",
    });
    expect(found.find((i) => i.address === "10.0.0.4")).toMatchObject({ status: "DEAD" });
    expect(found.find((i) => i.address === "10.0.0.1")).toMatchObject({
      format: "curator",
      id: "cur-1",
      path: `${dir}/cur-1`,
    });
    expect(warnings.sort()).toEqual([
      `skipping ${dir}/broken: not a service instance, its data is not JSON`,
      `skipping ${dir}/empty: not a service instance, it is empty`,
    ]);
    const times = found.map((i) => i.registrationTimeUTC ?? 0);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // By default only what serves: not the DEAD member, not the drained Curator instance.
    const serving = await readServiceInstances(
      settings(),
      { service: "web", basePath: root },
      () => undefined,
    );
    expect(serving).toEqual(found.filter((i) => i.serving));
    expect(serving.map((i) => i.address).sort()).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);

    const onlyCurator = await readServiceInstances(
      settings(),
      { service: "web", basePath: root, formats: ["curator"] },
      () => undefined,
    );
    expect(onlyCurator.map((i) => i.id)).toEqual(["cur-1"]);
  });

  it("returns an empty list for a service nobody registered", async () => {
    expect(
      await readServiceInstances(settings(), { service: "nobody", basePath: root }, () => undefined),
    ).toEqual([]);
  });
});

describe("lookups against a member in read-only mode", () => {
  it("reads from a member cut off from its quorum, with a staleness warning, while writes are refused", async () => {
    // Read-only mode is a JVM system property; a read-only member only opens sessions when local
    // sessions are enabled (ZooKeeper 3.5+).
    const ensemble = await startEnsemble({
      size: 3,
      jvmFlags: ["-Dreadonlymode.enabled=true"],
      extraConfig: { localSessionsEnabled: "true", localSessionsUpgradingEnabled: "true" },
    });
    try {
      const all = { connectString: ensemble.connectString, sessionTimeoutMs: 4000 };
      const writer = await ZkClient.connect({ ...all, connectTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
      await writer.create("/ro", Buffer.alloc(0), OPEN);
      await writer.create("/ro/web", Buffer.alloc(0), OPEN);
      await writer.create("/ro/web/i-1", Buffer.from('{"address":"10.0.0.9","port":80,"timestamp":1}'), OPEN);
      writer.close();
      const survivor = ensemble.members[0];
      await killMember(ensemble, 2);
      await killMember(ensemble, 3);
      const alone = { connectString: `127.0.0.1:${survivor.clientPort}`, sessionTimeoutMs: 2000 };
      // The survivor switches to read-only mode once it notices it lost its quorum.
      let warnings: string[] = [];
      let found: Awaited<ReturnType<typeof readServiceInstances>> = [];
      for (let i = 0; i < 30 && found.length === 0; i++) {
        warnings = [];
        found = await readServiceInstances(alone, { service: "web", basePath: "/ro" }, (m) =>
          warnings.push(m),
        ).catch(() => []);
        if (found.length === 0) await new Promise((r) => setTimeout(r, 1000));
      }
      expect(found.map((i) => i.address)).toEqual(["10.0.0.9"]);
      expect(warnings).toEqual([
        "the ZooKeeper member serving this lookup is in read-only mode (cut off from its quorum); what it returns may be stale",
      ]);
      // A writer's session is refused by the read-only member and fails clearly.
      await expect(
        ZkClient.connect({ ...alone, connectTimeoutMs: 3000, requestTimeoutMs: 3000 }),
      ).rejects.toThrow("the ensemble is unavailable or has lost its quorum");
    } finally {
      await stopEnsemble(ensemble);
    }
    // Starts an ensemble of its own (three JVMs): minutes on a loaded two-core machine.
  }, 180_000);
});

describe("ensemble lookups against real servers", () => {
  it("reads the membership from a seed's /zookeeper/config, sorted, with the chroot variant", async () => {
    const first = connectString().split(",")[0];
    const result = await lookUpEnsemble(
      checkEnsembleArgs({ seed: first, chroot: "/apps/x" }),
      seedSettings,
      () => undefined,
    );
    const sorted = connectString().split(",").sort().join(",");
    expect(result).toMatchObject({
      source: "seed",
      connectString: sorted,
      chrootedConnectString: `${sorted}/apps/x`,
    });
    expect(result.servers).toHaveLength(3);
  });

  it("reflects a reconfiguration that removes a member", async () => {
    let ensemble: Ensemble | undefined;
    try {
      // Reconfiguration needs a super user; this ensemble of its own skips ACLs instead.
      ensemble = await startEnsemble({ size: 3, extraConfig: { skipACL: "yes" } });
      // Remove a follower, and ask a member that stays.
      const leader = await leaderId(ensemble);
      const target = [1, 2, 3].find((id) => id !== leader) as number;
      const seedMember = ensemble.members.find((m) => m.id !== target) as EnsembleMember;
      const seed = `127.0.0.1:${seedMember.clientPort}`;
      const before = await lookUpEnsemble(checkEnsembleArgs({ seed }), seedSettings, () => undefined);
      expect(before.servers).toHaveLength(3);
      execFileSync(
        "/usr/share/zookeeper/bin/zkCli.sh",
        ["-server", seed, "reconfig", "-remove", String(target)],
        {
          stdio: "ignore",
          timeout: 60_000,
        },
      );
      const removedPort = ensemble.members.find((m) => m.id === target)?.clientPort;
      const after = await lookUpEnsemble(checkEnsembleArgs({ seed }), seedSettings, () => undefined);
      expect(after.servers).toHaveLength(2);
      expect(after.servers.map((s) => s.port)).not.toContain(removedPort);
    } finally {
      if (ensemble) await stopEnsemble(ensemble);
    }
    // Starts an ensemble of its own and runs zkCli.sh: three JVMs and a fourth.
  }, 180_000);

  it("asks Exhibitor hosts in turn, skips a dead one, and falls back to the backup connect string", async () => {
    const dead = await startFakeExhibitor({ mode: "http500" });
    const live = await startFakeExhibitor({ servers: ["zk2", "zk1"], clientPort: 2181 });
    try {
      const args = { exhibitor: { hosts: ["127.0.0.1"], port: dead.port, retries: 0, timeoutMs: 500 } };
      await expect(lookUpEnsemble(checkEnsembleArgs(args), seedSettings, () => undefined)).rejects.toThrow(
        `no Exhibitor host answered with a usable server list (${dead.url}: HTTP 500)`,
      );
      const viaLive = { exhibitor: { hosts: ["127.0.0.1"], port: live.port, retries: 0 } };
      expect(await lookUpEnsemble(checkEnsembleArgs(viaLive), seedSettings, () => undefined)).toMatchObject({
        source: "exhibitor",
        connectString: "zk1:2181,zk2:2181",
      });
      live.setMode("empty");
      const warnings: string[] = [];
      const backup = { exhibitor: { ...viaLive.exhibitor, backupConnectString: "b2:2181,b1:2181" } };
      expect(
        await lookUpEnsemble(checkEnsembleArgs(backup), seedSettings, (m) => warnings.push(m)),
      ).toMatchObject({
        source: "backup",
        connectString: "b1:2181,b2:2181",
      });
      expect(warnings[0]).toContain("Exhibitor reported no servers");
      live.setMode("malformed");
      await expect(lookUpEnsemble(checkEnsembleArgs(viaLive), seedSettings, () => undefined)).rejects.toThrow(
        live.url,
      );
      live.setMode("hang");
      const started = Date.now();
      await expect(
        lookUpEnsemble(
          checkEnsembleArgs({ exhibitor: { ...viaLive.exhibitor, timeoutMs: 300 } }),
          seedSettings,
          () => undefined,
        ),
      ).rejects.toThrow("no answer within 300 ms");
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await dead.close();
      await live.close();
    }
  });

  it("validates a static list and rejects two sources at once", async () => {
    expect(
      (await lookUpEnsemble(checkEnsembleArgs({ servers: ["b:2", "a:1"] }), seedSettings, () => undefined))
        .connectString,
    ).toBe("a:1,b:2");
    expect(() => checkEnsembleArgs({ servers: ["a:1"], seed: "a:1" })).toThrow(
      "exactly one of exhibitor, seed or servers",
    );
  });
});
