// What each entry point loads (docs/DESIGN.md §4): a program that only declares resources must not
// load zod or the ZooKeeper client, and neither must the provider process before its first call.
// Type-only imports keep it so (the consistent-type-imports lint rule makes them say so); this test
// proves it by recording which of the heavy modules each entry point actually loads.

import type * as Api from "../../provider/lookups/api";
import type * as Library from "../../provider/zk/library";

const HEAVY = ["zod", "node-zookeeper-client"] as const;

/** The heavy modules loaded while `load` runs, in a module registry of its own. */
function heavyLoadedBy(load: () => unknown): string[] {
  const loaded = new Set<string>();
  jest.isolateModules(() => {
    for (const name of HEAVY)
      jest.doMock(name, () => {
        loaded.add(name);
        return jest.requireActual<object>(name);
      });
    load();
  });
  for (const name of HEAVY) jest.dontMock(name);
  return [...loaded].sort();
}

describe("entry points load zod and the ZooKeeper client only when used", () => {
  it("the package (what a program imports)", () => {
    expect(heavyLoadedBy(() => require("../../provider/index"))).toEqual([]);
  });

  it("each stored provider reference (pulumi-zookeeper/providers/<type>)", () => {
    for (const type of ["zkNode", "zkChroot", "zkServiceRegistration", "zkEnsembleLookup"])
      expect([type, heavyLoadedBy(() => require(`../../provider/providers/${type}`))]).toEqual([type, []]);
  });

  it("the provider runtime (pulumi-zookeeper/runtime)", () => {
    expect(heavyLoadedBy(() => require("../../provider/runtime/index"))).toEqual([]);
  });

  it("(the check can fail: a lookup's validation loads zod, the first session loads the client)", () => {
    expect(
      heavyLoadedBy(() => {
        const api = require("../../provider/lookups/api") as typeof Api;
        api.checkEnsembleArgs({ seed: "zk1:2181" });
        const library = require("../../provider/zk/library") as typeof Library;
        library.zookeeperLibrary();
      }),
    ).toEqual(["node-zookeeper-client", "zod"]);
  });

  it("refuses a client library of another version than its patches were written for, saying which", () => {
    jest.isolateModules(() => {
      jest.doMock("node-zookeeper-client/package.json", () => ({ version: "1.2.0" }));
      const library = require("../../provider/zk/library") as typeof Library;
      expect(() => library.zookeeperLibrary()).toThrow(
        /needs node-zookeeper-client 1\.1\.3 .* but 1\.2\.0 is installed; install .*node-zookeeper-client@1\.1\.3/,
      );
    });
    jest.dontMock("node-zookeeper-client/package.json");
  });
});
