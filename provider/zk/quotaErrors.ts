import { ProviderError } from "../core/messages";
import { ancestors } from "../core/paths";
import { describeQuota, parseLimits, quotaOfLimits, quotaPaths } from "../core/quota";

import { type ZkClient } from "./client";
import { isQuotaExceeded, ZkError } from "./errors";

/**
 * The error for a write ZooKeeper refused with `QuotaExceeded`: names the chroot whose hard quota
 * it hit, the quota and the usage. Other errors come back as they are.
 */
export async function explainQuotaExceeded(client: ZkClient, err: unknown): Promise<unknown> {
  if (!(err instanceof ZkError) || !isQuotaExceeded(err) || err.path === undefined) return err;
  const path = err.path;
  for (const a of [...ancestors(path), path].reverse()) {
    const paths = quotaPaths(a);
    const limits = await client.getData(paths.limits).catch(() => undefined);
    if (!limits) continue;
    const parsed = parseLimits(limits.data.toString("utf8"));
    const stats = await client.getData(paths.stats).catch(() => undefined);
    const used = stats ? parseLimits(stats.data.toString("utf8")) : undefined;
    const quota = parsed ? describeQuota(quotaOfLimits(parsed)) : "a quota";
    const usage = used ? ` (in use: ${used.count} znodes, ${used.bytes} bytes)` : "";
    return new ProviderError(
      `ZooKeeper refused to write ${path}: the ${quota} on ${a}${usage} would be exceeded. Nothing was written. ` +
        `Raise the quota (a ZkChroot's quota input, or zkCli.sh setquota), or remove znodes under ${a}.`,
    );
  }
  return err;
}
