/**
 * Scenario 1: one member of three is SIGKILLed at a random moment of a `pulumi up` of 200
 * registrations, once a follower and once the leader. A quorum remains, so the up must succeed
 * with every znode written exactly once, the state matching the tree, and nothing left to do.
 */
import { killMember, leaderId, waitForQuorum } from "../../scripts/ensemble";
import {
  auditRegistrations,
  cleanAudit,
  mustSucceed,
  parseState,
  recordFigures,
  registrationsStack,
  restoreEnsemble,
  since,
  upUntilWritten,
  usePrivateEnsemble,
} from "../support/fault";
import { changeSummary } from "../support/pulumi";
import { randomRoot } from "../support/zk";

jest.setTimeout(300_000);

const COUNT = 200;
const SESSION_TIMEOUT_MS = 4000;

const fixture = usePrivateEnsemble();
// The checking session is opened while every member runs.
beforeAll(() => fixture.client());

describe.each(["follower", "leader"] as const)("the %s killed during pulumi up", (role) => {
  it(`completes the up with all ${COUNT} registrations exactly once and nothing left to do`, async () => {
    const { ensemble } = fixture;
    const root = randomRoot(`killed-${role}`);
    const stack = await registrationsStack({
      connectString: ensemble.connectString,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      root,
      count: COUNT,
    });
    try {
      const leader = await waitForQuorum(ensemble, 30_000);
      const victim =
        role === "leader" ? leader : (ensemble.members.find((m) => m.id !== leader)?.id as number);
      const watched = ensemble.members.find((m) => m.id !== victim)?.clientPort as number;
      // A random moment well inside the deployment: after 20 to 150 of the 200 registrations.
      const written = 20 + Math.floor(Math.random() * 131);
      const running = await upUntilWritten(stack, watched, written);
      const killedAfterMs = since(running.startedAt);
      await killMember(ensemble, victim);
      const up = mustSucceed(await running.result, "pulumi up");
      expect(await leaderId(ensemble)).toBeDefined();

      const state = parseState(await stack.exportState());
      expect(state.pendingOperations).toEqual([]);
      const audit = await auditRegistrations(await fixture.client(), root, COUNT, "curator", state);
      expect(audit).toEqual(cleanAudit(COUNT));

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
