import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../support/pulumi";

jest.setTimeout(900_000);

const ROOT = path.resolve(__dirname, "../..");

// The SDKs of the provider plugin's schema (dist/plugin/schema.json, built by globalSetup with
// scripts/plugin.sh): generated, installed and compiled by scripts/sdks.sh, with the README's
// Python and Go programs (examples/python, examples/go) run and built against them. Python and Go
// must pass; the script's line for each language says how its SDK was generated and checked.

describe("the generated SDKs", () => {
  let lines: Record<string, string>;

  beforeAll(async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-sdks-"));
    const result = await run("bash", ["scripts/sdks.sh", "dist/plugin/schema.json", out], {
      cwd: ROOT,
      timeoutMs: 900_000,
    });
    if (result.code !== 0)
      throw new Error(`scripts/sdks.sh exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    lines = Object.fromEntries(
      result.stdout
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)]),
    );
  });

  it("Python: installs next to the pulumi package from PyPI, imports, and runs the README's program", () => {
    expect(lines.python).toMatch(
      /ok: pip-installed .* imports checked, compileall clean, examples\/python\/__main__.py runs with mocks/,
    );
  });

  it("Go: builds and vets against github.com/pulumi/pulumi/sdk/v3, with the README's program", () => {
    expect(lines.go).toMatch(/ok: go build .* go vet clean, examples\/go\/main.go builds and vets/);
  });

  it("Node.js: type-checks against @pulumi/pulumi", () => {
    expect(lines.nodejs).toMatch(/ok: tsc --noEmit/);
  });

  it("builds the .NET SDK where it can, and says why not where it cannot", () => {
    expect(lines.dotnet).toMatch(/ok: dotnet build|skipped \(pkg\/v3 has no \.NET generator/);
  });
});
