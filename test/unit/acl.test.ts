import {
  digestAclId,
  ipAclIdProblem,
  maskToPerms,
  normalizeAcl,
  permsProblem,
  permsToMask,
} from "../../provider/core/acl";

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

describe("ipAclIdProblem", () => {
  it.each(["10.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "fd00::/8", "::1", "2001:db8::/128"])(
    "accepts %s",
    (id) => {
      expect(ipAclIdProblem(id)).toBeUndefined();
    },
  );

  it.each([
    "",
    "zk1",
    "10.0.0.1/33",
    "10.0.0.1/-1",
    "10.0.0.1/+8",
    "1.2.3.4.5",
    "::1/129",
    "::1%lo",
    "10.0.0.1 ",
  ])("refuses %j", (id) => {
    expect(ipAclIdProblem(id)).toMatch(/IPv4 or IPv6 address or CIDR block/);
  });
});
