import { isTransient, ZkError } from "./errors";

/** How long and how often to retry a request whose outcome is unknown. */
export interface RetryPolicy {
  /** Give up once this much time has passed since the first attempt. */
  readonly deadlineMs: number;
  /** First pause between attempts. */
  readonly baseDelayMs: number;
  /** Longest pause between attempts. */
  readonly maxDelayMs: number;
}

/** Pause before attempt `attempt` (1 = first retry): exponential, capped, without jitter below 1.5x. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (1 + random() * 0.5));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `attempt` until it succeeds, fails with a non-transient error, or the deadline passes.
 * Only call it with attempts written to be repeatable: after a transient failure the previous
 * attempt may have taken effect.
 */
export async function withRetry<T>(
  what: string,
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  pause: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  const started = Date.now();
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isTransient(err)) throw err;
      const delay = backoffDelay(n + 1, policy);
      if (Date.now() - started + delay > policy.deadlineMs) throw unavailable(what, policy, err as ZkError);
      await pause(delay);
    }
  }
}

/** The error a user sees when the ensemble did not serve a request before the deadline. */
export function unavailable(what: string, policy: RetryPolicy, last: ZkError): ZkError {
  return new ZkError(
    last.code,
    what,
    undefined,
    `the ZooKeeper ensemble is unavailable: no success within ${(policy.deadlineMs / 1000).toFixed(1)} s ` +
      `(last error: ${last.detail}). Check that a majority of the ensemble's members are running, then run the command again`,
  );
}
