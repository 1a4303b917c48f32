/**
 * Scenario 1: one member of three is SIGKILLed at a random moment of a `pulumi up` of 200
 * registrations, once a follower and once the leader. A quorum remains, so the up must succeed
 * with every znode written exactly once, the state matching the tree, and nothing left to do.
 */
import { type Ensemble, killMember, leaderId, waitForQuorum } from "../../scripts/ensemble";
import { type ZkClient } from "../../provider/zk/client";
import {
  auditRegistrations,
  checkingClient,
  faultStack,
  mustSucceed,
  parseState,
  recordFigures,
  restoreEnsemble,
  since,
  startPrivateEnsemble,
  stopEnsemble,
  tryUp,
  waitForZnodeCount,
  znodeCount,
} from "../support/fault";
import { changeSummary } from "../support/pulumi";
import { randomRoot } from "../support/zk";

jest.setTimeout(300_000);

const COUNT = 200;
const SESSION_TIMEOUT_MS = 4000;

let ensemble: Ensemble;
let client: ZkClient;

beforeAll(async () => {
  ensemble = await startPrivateEnsemble();
  client = await checkingClient(ensemble.connectString);
});

afterAll(async () => {
  client?.close();
  if (ensemble) await stopEnsemble(ensemble);
});

describe.each(["follower", "leader"] as const)("the %s killed during pulumi up", (role) => {
  it(`completes the up with all ${COUNT} registrations exactly once and nothing left to do`, async () => {
    const root = randomRoot(`killed-${role}`);
    const stack = await faultStack("many-registrations", {
      "zookeeper:connectString": ensemble.connectString,
      "zookeeper:sessionTimeoutMs": String(SESSION_TIMEOUT_MS),
      "many-registrations:root": root,
      "many-registrations:count": String(COUNT),
    });
    try {
      const leader = await waitForQuorum(ensemble, 30_000);
      const victim =
        role === "leader" ? leader : (ensemble.members.find((m) => m.id !== leader)?.id as number);
      const watched = ensemble.members.find((m) => m.id !== victim)?.clientPort as number;
      // A random moment well inside the deployment: after 20 to 150 of the 200 registrations.
      const written = 20 + Math.floor(Math.random() * 131);
      const baseline = (await znodeCount(watched)) as number;

      let finished = false;
      const started = Date.now();
      const running = tryUp(stack).finally(() => (finished = true));
      await waitForZnodeCount(watched, baseline + 12 + written, Date.now() + 120_000, () => finished);
      const killedAfterMs = since(started);
      await killMember(ensemble, victim);
      const up = mustSucceed(await running, "pulumi up");
      expect(await leaderId(ensemble)).toBeDefined();

      const state = parseState(await stack.exportState());
      expect(state.pendingOperations).toEqual([]);
      const audit = await auditRegistrations(client, root, COUNT, "curator", state);
      expect(audit).toEqual({
        znodes: COUNT,
        missing: 0,
        duplicated: 0,
        orphaned: 0,
        lost: 0,
        wrong: 0,
        problems: [],
      });

      const preview = mustSucceed(await stack.pulumi(["preview", "--non-interactive"]), "pulumi preview");
      expect(changeSummary(preview.stdout)).toEqual({ same: COUNT + 1 });

      const rejoinMs = await restoreEnsemble(ensemble);
      recordFigures("1-member-killed", {
        role,
        victim,
        killedAfterWritten: written,
        killedAfterMs,
        upMs: up.elapsedMs,
        rejoinMs,
        ...audit,
      });
    } finally {
      await restoreEnsemble(ensemble);
      await stack.discard();
    }
  });
});
