import { boundOf, CreateInDoubt, keepInDoubt, provesOwnCreate } from "../../provider/runtime/inDoubt";

describe("what a retried create may claim", () => {
  it("only a znode created after the bound", () => {
    expect(provesOwnCreate({ czxid: "4294967301" }, "4294967300")).toBe(true);
    expect(provesOwnCreate({ czxid: "4294967300" }, "4294967300")).toBe(false);
    expect(provesOwnCreate({ czxid: "17" }, "4294967300")).toBe(false);
  });

  it("compares zxids as 64-bit numbers, not as text", () => {
    expect(provesOwnCreate({ czxid: "10000000000" }, "9999999999")).toBe(true);
    expect(provesOwnCreate({ czxid: "9" }, "10")).toBe(false);
  });

  it("nothing without a bound", () => {
    expect(provesOwnCreate({ czxid: "4294967301" }, undefined)).toBe(false);
  });
});

describe("the bound of a create in doubt", () => {
  it("is recorded in the state kept for it", () => {
    const kept = keepInDoubt(new CreateInDoubt(new Error("lost"), "4294967300"), "/a", { path: "/a" }) as {
      properties: Record<string, unknown>;
    };
    expect(kept.properties.inDoubt).toEqual({ createdAfter: "4294967300" });
    expect(boundOf(kept.properties.inDoubt as { createdAfter: string }, false)).toBe("4294967300");
  });

  it("of states written before it was recorded for every create", () => {
    // Sequential creates recorded the parent's pzxid; null when the parent did not exist yet.
    expect(boundOf({ parentPzxid: "42" }, true)).toBe("42");
    expect(boundOf({ parentPzxid: null }, true)).toBe("0");
    // Other creates recorded none: nothing can be proven ours.
    expect(boundOf({ parentPzxid: null }, false)).toBeUndefined();
    expect(boundOf({ createdAfter: null }, false)).toBeUndefined();
  });
});
