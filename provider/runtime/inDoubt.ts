/**
 * Creates whose outcome is unknown (a lost reply): the bound that proves a znode ours, and the
 * error that keeps such a resource in state until the next `up` or `refresh` settles it.
 */
import { ProviderError } from "../core/messages";
import type { ZnodeStat } from "../zk/client";

/**
 * A create whose outcome is unknown: its request may have been applied with the reply lost, and
 * the ensemble stayed out of reach until the retry deadline. See {@link keepInDoubt}.
 */
export class CreateInDoubt extends ProviderError {
  constructor(
    cause: Error,
    /** The bound taken before the first attempt (see {@link provesOwnCreate}). */
    readonly createdAfter: string | undefined,
  ) {
    super(
      `${cause.message}. The create may have taken effect: the next 'pulumi up' or 'pulumi refresh' finds out and finishes it`,
    );
  }
}

/** What state records of a create in doubt, to settle it later. */
export interface InDoubt {
  /** The bound taken before the first attempt (see {@link provesOwnCreate}); null when none was. */
  readonly createdAfter?: string | null;
  /** In states of earlier versions, for sequential creates only: the parent's pzxid before the first attempt. */
  readonly parentPzxid?: string | null;
}

/** The bound a create in doubt recorded (see {@link provesOwnCreate}), if any. */
export function boundOf(inDoubt: InDoubt, sequential: boolean): string | undefined {
  if (inDoubt.createdAfter !== undefined) return inDoubt.createdAfter ?? undefined;
  // Earlier versions recorded one for sequential creates only; null meant the parent did not exist yet.
  return sequential ? (inDoubt.parentPzxid ?? "0") : undefined;
}

/**
 * True when a znode's creation zxid proves it was created after `bound` was taken. `bound` is
 * what `ZkClient.sync` returned before a create's first request was sent: every znode that
 * existed then has a creation zxid of at most `bound`, and every create sent afterwards commits
 * under a larger one. So a retry that finds its path taken by a znode created after the bound,
 * with the data and ACL its request wrote, found its own create; anything older was someone
 * else's. Without a bound, nothing is proven. One limit: a session on the leader gets its sync
 * answered like a read, ahead of commits the leader has queued but not applied, so a foreign
 * create another member had already acknowledged can sit just above the bound. It is taken for
 * ours only if it also has the same path, data and ACL, and only after a lost reply.
 */
export function provesOwnCreate(stat: Pick<ZnodeStat, "czxid">, bound: string | undefined): boolean {
  return bound !== undefined && BigInt(stat.czxid) > BigInt(bound);
}

/**
 * Turns a create in doubt into the error that makes the engine keep the resource in state (an
 * initialization failure, which the engine updates on the next `up`), with `inDoubt` set and
 * placeholder versions. Any other error is returned as it is.
 */
export function keepInDoubt(err: unknown, id: string, props: Record<string, unknown>): unknown {
  if (!(err instanceof CreateInDoubt)) return err;
  const inDoubt: InDoubt = { createdAfter: err.createdAfter ?? null };
  const record = { version: -1, aversion: -1, czxid: "0", mzxid: "0", createdParents: [] };
  return partialFailure(err, id, { ...props, ...record, inDoubt });
}

/**
 * An error that still hands the engine the resource's state (the SDK turns `id` and `properties`
 * into an initialization failure, which the engine records): what was written is not forgotten.
 */
export function partialFailure(err: unknown, id: string, state: object): unknown {
  if (!(err instanceof Error)) return err;
  // Through JSON: the engine's protobuf Struct cannot carry undefined values.
  const properties = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
  return Object.assign(err, { id, properties, reasons: [err.message] });
}
