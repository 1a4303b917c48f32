/**
 * Scenario 3: the member the provider is connected to is paused (SIGSTOP) for longer than the
 * session timeout in the middle of a `pulumi up` of ServerSet members (sequential znodes, where
 * a blind retry would duplicate). The stack's connect string names only that member, so the
 * provider cannot fail over and its session expires. The deployment must complete on a new
 * session, or fail clearly and converge on the next up; no create may be duplicated.
 */
import * as fs from "fs";
import { type Ensemble, pauseMember, resumeMember, waitForQuorum } from "../../scripts/ensemble";
import {
  auditRegistrations,
  cleanAudit,
  memberAddress,
  memberConnections,
  mustSucceed,
  printed,
  parseState,
  recordFigures,
  registrationsStack,
  restoreEnsemble,
  since,
  sleep,
  stackTraceLines,
  tryUp,
  upUntilWritten,
  usePrivateEnsemble,
} from "../support/fault";
import { randomRoot } from "../support/zk";

jest.setTimeout(300_000);

const COUNT = 100;
const SESSION_TIMEOUT_MS = 4000;
const PAUSE_MS = SESSION_TIMEOUT_MS + 2000;

// A follower paused for 6 s stays in the quorum (syncLimit 20 ticks = 10 s) and serves again
// as soon as it resumes, so the test measures the client side, not a re-election.
const fixture = usePrivateEnsemble({ extraConfig: { syncLimit: "20" } });

it("a paused member expires the provider's session; the up completes on a new session without duplicates", async () => {
  const { ensemble } = fixture;
  const leader = await waitForQuorum(ensemble, 30_000);
  const paused = ensemble.members.find((m) => m.id !== leader) as Ensemble["members"][number];
  const root = randomRoot("expiry");
  const stack = await registrationsStack({
    connectString: memberAddress(ensemble, paused.id),
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    root,
    count: COUNT,
    format: "serverset",
  });
  try {
    const watched = ensemble.members.find((m) => m.id === leader)?.clientPort as number;
    const written = 10 + Math.floor(Math.random() * 60);
    const running = await upUntilWritten(stack, watched, written);
    const before = (await memberConnections(ensemble)).filter((c) => c.port === paused.clientPort);
    expect(before).toHaveLength(1);
    const oldSession = before[0]?.sessionId;

    await pauseMember(ensemble, paused.id);
    const pausedAt = Date.now();
    await sleep(PAUSE_MS);
    await resumeMember(ensemble, paused.id);

    // The provider's next session on the same member, seen while the up goes on.
    let newSession: string | undefined;
    let newSessionAfterMs: number | undefined;
    while (!running.finished() && newSession === undefined) {
      const now = (await memberConnections(ensemble)).find(
        (c) => c.port === paused.clientPort && c.sessionId !== oldSession,
      );
      if (now) [newSession, newSessionAfterMs] = [now.sessionId, since(pausedAt)];
      else await sleep(100);
    }
    const up = await running.result;
    const logs = ensemble.members.map((m) => fs.readFileSync(m.logFile, "utf8")).join("\n");
    const expired = logs.includes(`Expiring session 0x${oldSession}`);
    expect(expired).toBe(true);

    let convergeMs: number | undefined;
    if (up.code !== 0) {
      // Failing is allowed, but only clearly, and the next up must converge.
      expect(printed(up)).toContain("the ZooKeeper ensemble is unavailable");
      expect(stackTraceLines(printed(up))).toEqual([]);
      convergeMs = mustSucceed(await tryUp(stack), "pulumi up after the member resumed").elapsedMs;
    } else {
      expect(newSession).toBeDefined();
    }

    const state = parseState(await stack.exportState());
    const audit = await auditRegistrations(await fixture.client(), root, COUNT, "serverset", state);
    expect(audit).toEqual(cleanAudit(COUNT));
    recordFigures("3-session-expiry", {
      pausedAfterWritten: written,
      pausedMs: PAUSE_MS,
      sessionExpired: expired,
      newSessionAfterMs,
      upCode: up.code,
      upMs: up.elapsedMs,
      convergeMs,
      ...audit,
    });
  } finally {
    await resumeMember(ensemble, paused.id).catch(() => undefined);
    await restoreEnsemble(ensemble);
    await stack.discard();
  }
});
