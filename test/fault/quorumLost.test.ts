/**
 * Scenario 2: two members of three are SIGKILLed in the middle of a `pulumi up` of 200
 * registrations, so the ensemble has no quorum. The up must fail within a bounded time with a
 * message that says the ensemble is unavailable, no stack trace; once the members are back, the
 * next up converges: nothing duplicated (ServerSet `member_` sequential znodes included),
 * nothing orphaned, and a refresh finds nothing changed.
 */
import { killMember, waitForQuorum } from "../../scripts/ensemble";
import {
  auditRegistrations,
  cleanAudit,
  mustSucceed,
  parseState,
  printed,
  recordFigures,
  registrationsStack,
  restoreEnsemble,
  since,
  stackTraceLines,
  tryUp,
  upUntilWritten,
  usePrivateEnsemble,
} from "../support/fault";
import { changeSummary } from "../support/pulumi";
import { randomRoot } from "../support/zk";

jest.setTimeout(300_000);

const COUNT = 200;
const SESSION_TIMEOUT_MS = 4000;
/**
 * The promised bound: requests are retried for twice the session timeout; an attempt already
 * under way may take one more session timeout; the engine needs a moment to wind down.
 */
const FAIL_BOUND_MS = 3 * SESSION_TIMEOUT_MS + 5000;

const fixture = usePrivateEnsemble();

describe.each(["curator", "serverset"] as const)("quorum lost during pulumi up (%s)", (format) => {
  it("fails in bounded time saying the ensemble is unavailable, then converges", async () => {
    const { ensemble } = fixture;
    const root = randomRoot(`quorum-${format}`);
    const stack = await registrationsStack({
      connectString: ensemble.connectString,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      root,
      count: COUNT,
      format,
    });
    try {
      await waitForQuorum(ensemble, 30_000);
      const survivor = ensemble.members[Math.floor(Math.random() * ensemble.members.length)]?.id;
      const victims = ensemble.members.map((m) => m.id).filter((id) => id !== survivor);
      const watched = ensemble.members.find((m) => m.id === survivor)?.clientPort as number;
      const written = 20 + Math.floor(Math.random() * 131);
      const running = await upUntilWritten(stack, watched, written);
      await Promise.all(victims.map((id) => killMember(ensemble, id)));
      const killedAt = Date.now();
      const failed = await running.result;
      const failMs = since(killedAt);

      const output = printed(failed);
      expect(failed.code).not.toBe(0);
      expect(output).toContain("the ZooKeeper ensemble is unavailable");
      expect(stackTraceLines(output)).toEqual([]);
      expect(failMs).toBeLessThanOrEqual(FAIL_BOUND_MS);

      const rejoinMs = await restoreEnsemble(ensemble);
      const converged = mustSucceed(await tryUp(stack), "pulumi up after the quorum returned");

      const client = await fixture.client();
      const state = parseState(await stack.exportState());
      expect(state.pendingOperations).toEqual([]);
      const audit = await auditRegistrations(client, root, COUNT, format, state);
      expect(audit).toEqual(cleanAudit(COUNT));

      const refresh = mustSucceed(await stack.refresh(), "pulumi refresh");
      expect(changeSummary(refresh.stdout)).toEqual({ same: COUNT + 1 });
      const preview = mustSucceed(await stack.pulumi(["preview", "--non-interactive"]), "pulumi preview");
      expect(changeSummary(preview.stdout)).toEqual({ same: COUNT + 1 });

      recordFigures("2-quorum-lost", {
        format,
        survivor,
        killedAfterWritten: written,
        failMs,
        failBoundMs: FAIL_BOUND_MS,
        rejoinMs,
        convergeMs: converged.elapsedMs,
        createdOnConverge: changeSummary(converged.stdout).create ?? 0,
        ...audit,
      });
    } finally {
      await restoreEnsemble(ensemble);
      await stack.discard();
    }
  });
});
