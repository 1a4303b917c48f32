import * as msg from "../../provider/core/messages";
import { codeName } from "../../provider/core/zkCodes";
import * as errors from "../../provider/zk/errors";
import { isTransient, toZkError, ZkError } from "../../provider/zk/errors";
import { backoffDelay, withRetry } from "../../provider/zk/retry";

describe("error mapping", () => {
  it.each([
    [-101, "NO_NODE", "does not exist"],
    [-102, "NO_AUTH", "zookeeper:digest"],
    [-118, "SESSION_MOVED", "moved"],
    [-119, "NOT_READ_ONLY", "read-only"],
    [-124, "SESSION_CLOSED_REQUIRE_SASL_AUTH", "SASL"],
    [-125, "QUOTA_EXCEEDED", "quota"],
    [-127, "THROTTLED_OP", "throttled"],
    [-130, "UNKNOWN(-130)", "unknown to this client"],
  ])("maps code %i to %s with a readable message", (code, name, text) => {
    const err = toZkError({ code, name: "x" }, "create", "/a/b") as ZkError;
    expect(err).toBeInstanceOf(ZkError);
    expect(err.codeName).toBe(name);
    expect(err.message).toContain("ZooKeeper create /a/b failed");
    expect(err.message).toContain(text);
    expect(err.stack).toBe("");
  });

  it("has one predicate per condition, true for its code only, on our errors and the library's alike", () => {
    const predicates = {
      isNoNode: -101,
      isNodeExists: -110,
      isBadVersion: -103,
      isNotEmpty: -111,
      isNotReadOnly: -119,
      isQuotaExceeded: -125,
    } as const;
    for (const [name, code] of Object.entries(predicates)) {
      const is = errors[name as keyof typeof predicates];
      for (const other of [...Object.values(predicates), -4, -102, -112])
        for (const err of [new ZkError(other, "op", "/p"), { code: other, name: "library exception" }])
          expect([name, other, is(err)]).toEqual([name, other, other === code]);
      expect(is(new Error("boom"))).toBe(false);
      expect(is(undefined)).toBe(false);
    }
  });

  it("builds its message from its fields, and keeps the detail apart from them", () => {
    const err = new ZkError(-4, "connect", undefined, "no member answered");
    expect(err).toMatchObject({
      code: -4,
      op: "connect",
      codeName: "CONNECTION_LOSS",
      detail: "no member answered",
    });
    expect(err.message).toBe("ZooKeeper connect failed: no member answered (CONNECTION_LOSS)");
    expect(new ZkError(-101, "getData", "/a").detail).toBe("the znode does not exist");
  });

  it("classifies retryable codes", () => {
    expect(isTransient(new ZkError(-4, "x"))).toBe(true);
    expect(isTransient(new ZkError(-112, "x"))).toBe(true);
    expect(isTransient(new ZkError(-127, "x"))).toBe(true);
    expect(isTransient(new ZkError(-103, "x"))).toBe(false);
    expect(isTransient(new Error("boom"))).toBe(false);
    expect(codeName(-103)).toBe("BAD_VERSION");
  });

  it("states conflicts with path, versions and remedy", () => {
    expect(msg.versionConflict("/a", "data", 3, 5)).toBe(
      "znode /a was changed outside this stack: expected version 3, found 5. Nothing was written; the other writer's change is kept. " +
        "Run 'pulumi refresh' to accept the change into the stack's state, then 'pulumi up' again.",
    );
    expect(msg.recreatedConflict("/a", "10", "42")).toContain("expected creation zxid 10, found 42");
    expect(msg.foreignChildren("/c", ["x", "y"], "Remedy.")).toBe(
      "znode /c has children this stack does not manage: x, y. Remedy.",
    );
  });
});

describe("retry", () => {
  const policy = { deadlineMs: 1000, baseDelayMs: 100, maxDelayMs: 400 };

  it("backs off exponentially up to the cap", () => {
    const zero = () => 0;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, zero))).toEqual([100, 200, 400, 400, 400]);
    expect(backoffDelay(1, policy, () => 1)).toBe(150);
  });

  it("retries transient failures only, then succeeds", async () => {
    let calls = 0;
    const result = await withRetry(
      "op",
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new ZkError(-4, "op")) : Promise.resolve("done");
      },
      policy,
      () => Promise.resolve(),
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    await expect(
      withRetry(
        "op",
        () => Promise.reject(new ZkError(-103, "op", "/a")),
        policy,
        () => Promise.resolve(),
      ),
    ).rejects.toThrow("BAD_VERSION");
  });

  it("gives up at the deadline saying the ensemble is unavailable", async () => {
    const fast = { deadlineMs: 50, baseDelayMs: 20, maxDelayMs: 20 };
    await expect(
      withRetry("create /a", () => Promise.reject(new ZkError(-4, "create", "/a")), fast),
    ).rejects.toThrow(/ZooKeeper create \/a failed: the ZooKeeper ensemble is unavailable/);
  });
});
