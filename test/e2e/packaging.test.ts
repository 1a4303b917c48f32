import * as path from "path";
import { installExample, run } from "../support/pulumi";

// What a user's install gets (docs/DESIGN.md §4.1): one copy of the Pulumi SDK whatever version
// the program uses within the supported range, and types that compile without skipLibCheck.

jest.setTimeout(600_000);

/** Every installed copy of a package in a project, as `npm ls --all --parseable` lists them. */
async function copiesOf(
  dir: string,
  name: string,
): Promise<{ paths: string[]; code: number; stderr: string }> {
  const r = await run("npm", ["ls", name, "--all", "--parseable"], { cwd: dir });
  const paths = r.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.endsWith(`/node_modules/${name}`));
  return { paths, code: r.code, stderr: r.stderr };
}

describe("the installed package", () => {
  it.each(["3.248.0", "3.276.0"])(
    "shares the program's @pulumi/pulumi %s: one copy, a peer dependency npm accepts",
    async (version) => {
      const dir = await installExample("znode-smoke", undefined, (pkg) => {
        pkg.dependencies["@pulumi/pulumi"] = version;
      });
      const sdk = await copiesOf(dir, "@pulumi/pulumi");
      expect(sdk.paths).toEqual([`${dir}/node_modules/@pulumi/pulumi`]);
      // Exit 0: no missing or invalid peer dependency.
      expect(sdk).toMatchObject({ code: 0 });
      const installed = await run("node", ["-p", 'require("@pulumi/pulumi/package.json").version'], {
        cwd: dir,
      });
      expect(installed.stdout.trim()).toBe(version);
    },
  );

  it("(0.1.0, which pinned @pulumi/pulumi in dependencies, nested a second copy: what the check above catches)", async () => {
    const released = path.resolve(__dirname, "../fixtures/pulumi-zookeeper-0.1.0.tgz");
    const dir = await installExample("znode-smoke", released, (pkg) => {
      pkg.dependencies["@pulumi/pulumi"] = "3.276.0";
    });
    expect((await copiesOf(dir, "@pulumi/pulumi")).paths).toEqual([
      `${dir}/node_modules/@pulumi/pulumi`,
      `${dir}/node_modules/pulumi-zookeeper/node_modules/@pulumi/pulumi`,
    ]);
  });

  it("has types a user's compiler checks without skipLibCheck, with no devDependency of ours installed", async () => {
    const dir = await installExample("core-resources");
    for (const devOnly of ["@types/node-zookeeper-client", "fast-check", "jest"])
      expect((await copiesOf(dir, devOnly)).paths).toEqual([]);
    const tsc = await run("npx", ["tsc", "--noEmit", "-p", ".", "--skipLibCheck", "false"], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  });
});
