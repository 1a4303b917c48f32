import { digestAclId, maskToPerms, normalizeAcl, permsProblem, permsToMask } from "../../provider/core/acl";

describe("ACL helpers", () => {
  it("builds digest ids as ZooKeeper's DigestAuthenticationProvider does", () => {
    expect(digestAclId("bob", "secret")).toBe("bob:fyVmFCwVbTJYrznoSu1koqYEYF0=");
  });

  it("maps perms to ZooKeeper's bits and back", () => {
    expect(permsToMask("r")).toBe(1);
    expect(permsToMask("rwcda")).toBe(31);
    expect(permsToMask("ad")).toBe(24);
    expect(maskToPerms(31)).toBe("rwcda");
    expect(maskToPerms(5)).toBe("rc");
  });

  it("rejects bad perms strings with the reason", () => {
    expect(permsProblem("rwx")).toContain("'x'");
    expect(permsProblem("")).toContain("at least one");
    expect(permsProblem("rr")).toContain("repeats 'r'");
    expect(permsProblem("dar")).toBeUndefined();
  });

  it("normalizes perms order so equal ACLs compare equal", () => {
    expect(normalizeAcl([{ scheme: "world", id: "anyone", perms: "adcwr" }])).toEqual([
      { scheme: "world", id: "anyone", perms: "rwcda" },
    ]);
  });
});
