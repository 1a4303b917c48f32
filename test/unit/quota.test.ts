import fc from "fast-check";
import {
  describeQuota,
  formatLimits,
  limitsOf,
  parseLimits,
  quotaOfLimits,
  quotaPaths,
} from "../../provider/core/quota";
import { zkChrootInputs } from "../../provider/core/schemas";

describe("quota limits as ZooKeeper's StatsTrack writes them", () => {
  it.each([
    // What zkCli.sh setquota wrote on ZooKeeper 3.8.0 for each flag.
    [{ maxNodes: 5 }, "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1"],
    [{ maxBytes: 100 }, "count=-1,bytes=100=;byteHardLimit=-1;countHardLimit=-1"],
    [{ maxNodes: 7, hard: true }, "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=7"],
    [{ maxBytes: 900, hard: true }, "count=-1,bytes=-1=;byteHardLimit=900;countHardLimit=-1"],
  ])("writes %j as zkCli does: %s", (quota, text) => {
    expect(formatLimits(limitsOf(quota))).toBe(text);
  });

  it("reads back what it writes, and the pre-3.7 form", () => {
    const quota = fc.record(
      {
        maxNodes: fc.integer({ min: 1, max: 2 ** 31 }),
        maxBytes: fc.integer({ min: 0, max: 2 ** 40 }),
        hard: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(quota, (q) => {
        fc.pre(q.maxNodes !== undefined || q.maxBytes !== undefined);
        const back = quotaOfLimits(parseLimits(formatLimits(limitsOf(q))) as ReturnType<typeof limitsOf>);
        expect(back).toEqual({ ...q, ...(q.hard ? { hard: true } : { hard: undefined }) });
      }),
    );
    expect(parseLimits("count=9,bytes=-1")).toEqual({
      count: 9,
      bytes: -1,
      countHardLimit: -1,
      byteHardLimit: -1,
    });
    for (const junk of ["", "oops", "count=x,bytes=1", "bytes"]) expect(parseLimits(junk)).toBeUndefined();
  });

  it("names the znodes and describes a quota", () => {
    expect(quotaPaths("/apps/x")).toEqual({
      node: "/zookeeper/quota/apps/x",
      limits: "/zookeeper/quota/apps/x/zookeeper_limits",
      stats: "/zookeeper/quota/apps/x/zookeeper_stats",
    });
    expect(describeQuota({ maxNodes: 5, maxBytes: 10, hard: true })).toBe(
      "hard quota of 5 znodes and 10 bytes",
    );
  });

  it.each([
    [{}, "needs maxNodes or maxBytes"],
    [{ maxNodes: 0 }, "1 or more"],
    [{ maxBytes: -1 }, "0 or more"],
    [{ maxNodes: 2, soft: true }, "soft"],
  ])("refuses the quota %j in check", (quota, why) => {
    const result = zkChrootInputs.safeParse({ path: "/apps/x", quota });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(why);
  });
});
