/**
 * Scenario 7: every server error the ensemble can return while the provider works. Permission
 * denied, bad version, not empty and quota limits come from real servers (one with quotas
 * enforced); throttling from a server told to throttle anything queued for over a millisecond;
 * codes the client library does not know are injected by the proxy into real replies. Each must
 * end in a clear error naming the operation and the path, and the provider must never crash or
 * hang: every call settles in bounded time and the next call works.
 */
import { type Ensemble, fourLetter } from "../../scripts/ensemble";
import { pool, setConfig, zkNode } from "../../provider/runtime";
import { type ZkClient } from "../../provider/zk/client";
import { ZkError, toZkError } from "../../provider/zk/errors";
import {
  checkingClient,
  type FaultProxy,
  recordFigures,
  since,
  startFaultProxy,
  startPrivateEnsemble,
  stopEnsemble,
  zkCli,
} from "../support/fault";
import { checkWith } from "../support/runtime";

jest.setTimeout(180_000);

const SESSION_TIMEOUT_MS = 2000;
/** The longest any call may take: retries stop at twice the session timeout, plus one attempt. */
const SETTLE_BOUND_MS = 3 * SESSION_TIMEOUT_MS + 2000;
const OPEN = [{ scheme: "world" as const, id: "anyone", perms: "rwcda" }];

let quota: Ensemble;
let raw: ZkClient;

beforeAll(async () => {
  // ZooKeeper turns unknown zoo.cfg keys into system properties: this is -Dzookeeper.enforceQuota=true.
  quota = await startPrivateEnsemble({ size: 1, extraConfig: { enforceQuota: "true" } });
  raw = await checkingClient(quota.connectString);
  setConfig({ connectString: quota.connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS });
});

afterAll(async () => {
  await pool().closeAll();
  raw?.close();
  if (quota) await stopEnsemble(quota);
});

/** Checks raw inputs as the engine does and returns the checked ones. */
async function checked(news: Record<string, unknown>, olds: Record<string, unknown> = {}) {
  const { inputs, failures } = await checkWith(zkNode, olds, news);
  expect(failures ?? []).toEqual([]);
  return inputs;
}

/** Runs a provider call that must fail; returns its message after checking it settled in time. */
async function failure(what: string, call: () => Promise<unknown>): Promise<string> {
  const start = Date.now();
  const message = await call().then(
    () => "(no error)",
    (err: Error) => err.message,
  );
  const settledMs = since(start);
  expect(settledMs).toBeLessThan(SETTLE_BOUND_MS);
  recordFigures("7-server-errors", { error: what, settledMs, message });
  return message;
}

/** The provider still works: a fresh znode can be created and read back. */
async function stillWorks(): Promise<void> {
  const path = `/alive-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const { outs } = await zkNode.create(await checked({ path, data: "alive" }));
  expect((await raw.getData(String(outs.path))).data.toString()).toBe("alive");
}

describe("errors from a real server", () => {
  it("permission denied on create, update and delete names the operation and path", async () => {
    await raw.create("/noauth-parent", Buffer.from(""), [{ scheme: "world", id: "anyone", perms: "r" }]);
    const created = await failure("NO_AUTH create", async () =>
      zkNode.create(await checked({ path: "/noauth-parent/child", data: "x" })),
    );
    expect(created).toContain("create of /noauth-parent/child");
    expect(created).toContain("permission denied by the znode's ACL (NO_AUTH)");

    const readOnly = await zkNode.create(
      await checked({ path: "/read-only", data: "v1", acl: [{ scheme: "world", id: "anyone", perms: "r" }] }),
    );
    const news = await checked({
      path: "/read-only",
      data: "v2",
      acl: [{ scheme: "world", id: "anyone", perms: "r" }],
    });
    const updated = await failure("NO_AUTH setData", () => zkNode.update("/read-only", readOnly.outs, news));
    expect(updated).toContain(
      "ZooKeeper setData /read-only failed: permission denied by the znode's ACL (NO_AUTH)",
    );

    await raw.create("/no-delete", Buffer.from(""), [{ scheme: "world", id: "anyone", perms: "rc" }]);
    const child = await zkNode.create(await checked({ path: "/no-delete/x", data: "x" }));
    const deleted = await failure("NO_AUTH delete", () => zkNode.delete("/no-delete/x", child.outs));
    expect(deleted).toContain(
      "ZooKeeper delete /no-delete/x failed: permission denied by the znode's ACL (NO_AUTH)",
    );
    await stillWorks();
  });

  it("bad version on update and delete is reported as a conflict with both versions", async () => {
    const { outs } = await zkNode.create(await checked({ path: "/versioned", data: "v1" }));
    await raw.setData("/versioned", Buffer.from("theirs"), -1);
    const updated = await failure("BAD_VERSION setData", async () =>
      zkNode.update("/versioned", outs, await checked({ path: "/versioned", data: "v2" })),
    );
    expect(updated).toContain("znode /versioned was changed outside this stack: expected version 0, found 1");
    const deleted = await failure("BAD_VERSION delete", () => zkNode.delete("/versioned", outs));
    expect(deleted).toContain("znode /versioned was changed outside this stack: expected version 0, found 1");
    expect((await raw.getData("/versioned")).data.toString()).toBe("theirs");
    await stillWorks();
  });

  it("not empty on delete lists the children nobody manages", async () => {
    const { outs } = await zkNode.create(await checked({ path: "/not-empty", data: "" }));
    await raw.create("/not-empty/foreign", Buffer.from(""), OPEN);
    const deleted = await failure("NOT_EMPTY delete", () => zkNode.delete("/not-empty", outs));
    expect(deleted).toContain("znode /not-empty has children this stack does not manage: foreign.");
    expect(await raw.exists("/not-empty/foreign")).toBeDefined();
    await stillWorks();
  });

  it("count and byte quotas (QUOTA_EXCEEDED, unknown to the client library) name the path, the quota and its use", async () => {
    await raw.create("/counted", Buffer.from(""), OPEN);
    await raw.create("/sized", Buffer.from(""), OPEN);
    // Hard limits: the quota counts the znode itself, so /counted may have one child.
    await zkCli(quota.connectString, ["setquota", "-N", "2", "/counted"]);
    await zkCli(quota.connectString, ["setquota", "-B", "10", "/sized"]);
    await zkNode.create(await checked({ path: "/counted/one", data: "" }));
    const counted = await failure("QUOTA_EXCEEDED create", async () =>
      zkNode.create(await checked({ path: "/counted/two", data: "" })),
    );
    // Named by path, quota and usage (docs/DESIGN.md §1 ZkChroot, quota), not by the raw code.
    expect(counted).toContain(
      "ZooKeeper refused to write /counted/two: the hard quota of 2 znodes on /counted (in use: 2 znodes, 0 bytes) would be exceeded.",
    );

    const small = await zkNode.create(await checked({ path: "/sized/v", data: "tiny" }));
    const sized = await failure("QUOTA_EXCEEDED setData", async () =>
      zkNode.update("/sized/v", small.outs, await checked({ path: "/sized/v", data: "x".repeat(100) })),
    );
    expect(sized).toContain(
      "ZooKeeper refused to write /sized/v: the hard quota of 10 bytes on /sized (in use: ",
    );
    expect(await raw.exists("/counted/two")).toBeUndefined();
    expect((await raw.getData("/sized/v")).data.toString()).toBe("tiny");
    await stillWorks();
  });
});

/**
 * Points the provider at a fault proxy in front of the quota ensemble for the enclosing describe
 * block (`prepare` runs on the proxy first), and back afterwards. Returns the proxy's getter.
 */
function throughProxy(prepare: (proxy: FaultProxy) => void = () => undefined): () => FaultProxy {
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    proxy = await startFaultProxy(quota.connectString);
    prepare(proxy);
    await pool().closeAll();
    setConfig({ connectString: proxy.connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS });
  });
  afterAll(async () => {
    await pool().closeAll();
    setConfig({ connectString: quota.connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    await proxy?.close();
  });
  return () => proxy as FaultProxy;
}

describe("codes the client library does not know, injected into real replies", () => {
  const proxy = throughProxy();

  it("maps any code in the patched library to an error with that code", () => {
    require("../../provider/zk/client");
    const exceptions = require("node-zookeeper-client/lib/Exception.js") as {
      create(code: number, path?: string): Error & { code: number };
    };
    for (const code of [-118, -119, -124, -125, -127, -130, -999]) {
      const raised = exceptions.create(code, "/x");
      expect(raised.code).toBe(code);
      const mapped = toZkError(raised, "create", "/x") as ZkError;
      expect(mapped).toBeInstanceOf(ZkError);
      expect(mapped.message).toMatch(/^ZooKeeper create \/x failed: /);
    }
    expect(toZkError(exceptions.create(-130), "create", "/x").message).toBe(
      "ZooKeeper create /x failed: the server returned error code -130, unknown to this client (UNKNOWN(-130))",
    );
  });

  it.each([
    [-118, "SESSION_MOVED"],
    [-127, "THROTTLED_OP"],
  ])("transient %s (%s) on a create that was applied: retried, one znode, no error", async (code) => {
    const path = `/transient${code}`;
    proxy().arm("create", { kind: "replace-error", code });
    const start = Date.now();
    const { outs } = await zkNode.create(await checked({ path, data: "once" }));
    expect(proxy().pending()).toBe(0);
    expect(outs.path).toBe(path);
    expect((await raw.getData(path)).data.toString()).toBe("once");
    recordFigures("7-server-errors", {
      error: `injected ${code}, create applied`,
      settledMs: since(start),
      message: "(retried, succeeded)",
    });
  });

  it.each([
    [-127, "THROTTLED_OP", "the delete goes on"],
    [-130, "UNKNOWN(-130)", "the delete fails clearly"],
  ])("%s (%s) on an exists request: %s, the process does not crash", async (code, name, outcome) => {
    const path = `/exists${code}`;
    const { id, outs } = await zkNode.create(await checked({ path, data: "x" }));
    // The library itself calls getCode() on the error of an exists request; a delete starts with one
    // (the identity check).
    proxy().arm("exists", { kind: "replace-error", code });
    const start = Date.now();
    const message = await zkNode.delete(id, outs).then(
      () => "(no error)",
      (err: Error) => err.message,
    );
    expect(proxy().pending()).toBe(0);
    if (outcome === "the delete goes on") {
      expect(message).toBe("(no error)");
      expect(await raw.exists(path)).toBeUndefined();
    } else {
      expect(message).toBe(
        `ZooKeeper exists ${path} failed: the server returned error code ${code}, unknown to this client (${name})`,
      );
      expect(await raw.exists(path)).toBeDefined();
      await zkNode.delete(id, outs);
    }
    recordFigures("7-server-errors", {
      error: `injected ${code} on exists`,
      settledMs: since(start),
      message,
    });
    await stillWorks();
  });

  it.each([
    [-119, "NOT_READ_ONLY"],
    [-124, "SESSION_CLOSED_REQUIRE_SASL_AUTH"],
    [-125, "QUOTA_EXCEEDED"],
    [-130, "UNKNOWN(-130)"],
  ])(
    "%s (%s): a clear error naming the operation and path; the provider keeps working",
    async (code, name) => {
      const path = `/injected${code}`;
      proxy().arm("getData", { kind: "replace-error", code });
      const read = await failure(`injected ${code} on read`, () => zkNode.read(path, { path, data: "" }));
      expect(read).toContain(`failed: `);
      expect(read).toContain(`(${name})`);
      expect(read).toContain(path);
      proxy().arm("create", { kind: "replace-error", code });
      const created = await failure(`injected ${code} on create`, async () =>
        zkNode.create(await checked({ path, data: "x" })),
      );
      expect(created).toContain(`create of ${path}`);
      expect(created).toContain(`(${name})`);
      expect(proxy().pending()).toBe(0);
      await stillWorks();
    },
  );
});

describe("an ensemble that accepts connections and never answers", () => {
  throughProxy((proxy) => proxy.partition());

  it("fails every one of 8 concurrent requests in bounded time, however many wait for a session", async () => {
    const start = Date.now();
    const settled = await Promise.all(
      Array.from({ length: 8 }, async (_, i) =>
        zkNode.create(await checked({ path: `/unreachable-${i}`, data: "" })).then(
          () => ({ ms: since(start), message: "(no error)" }),
          (err: Error) => ({ ms: since(start), message: err.message }),
        ),
      ),
    );
    for (const { message } of settled) expect(message).toContain("the ZooKeeper ensemble is unavailable");
    const slowest = Math.max(...settled.map((r) => r.ms));
    recordFigures("7-server-errors", { error: "unreachable, 8 concurrent requests", settledMs: slowest });
    expect(slowest).toBeLessThan(SETTLE_BOUND_MS);
  });
});

describe("a throttling server", () => {
  let throttled: Ensemble;

  beforeAll(async () => {
    // Requests that waited in the throttler's queue for over 1 ms are answered THROTTLED_OP.
    throttled = await startPrivateEnsemble({
      size: 1,
      extraConfig: { throttled_op_wait_time: "1", request_throttle_max_requests: "2" },
    });
    await pool().closeAll();
    setConfig({ connectString: throttled.connectString, sessionTimeoutMs: 4000 });
  });

  afterAll(async () => {
    await pool().closeAll();
    if (throttled) await stopEnsemble(throttled);
  });

  it("a burst of creates is throttled and retried: every znode exactly once", async () => {
    const port = throttled.members[0]?.clientPort;
    const throttledOps = async () =>
      Number(/^zk_throttled_ops\s+(\d+)/m.exec(await fourLetter("127.0.0.1", port, "mntr"))?.[1] ?? 0);
    const before = await throttledOps();
    const start = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, async (_, i) =>
        zkNode.create(await checked({ path: `/burst-${i}`, data: `${i}` })),
      ),
    );
    const failed = results.filter((r) => r.status === "rejected").map((r) => String(r.reason));
    expect(failed).toEqual([]);
    const throttledCount = (await throttledOps()) - before;
    expect(throttledCount).toBeGreaterThan(0);
    const client = await checkingClient(throttled.connectString);
    try {
      const children = (await client.getChildren("/")).filter((c) => c.startsWith("burst-"));
      expect(children).toHaveLength(60);
    } finally {
      client.close();
    }
    recordFigures("7-server-errors", {
      error: "THROTTLED_OP burst",
      creates: 60,
      throttled: throttledCount,
      settledMs: since(start),
    });
  });
});
