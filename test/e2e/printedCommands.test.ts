import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run, Stack } from "../support/pulumi";

jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, "../..");

/** Files the README and the messages name, with content a user's files would have. */
const FILES: Record<string, string> = {
  "client.key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
  "client.crt": "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUe\n-----END CERTIFICATE-----\n",
  "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDCTCCAfGgAwIBAgIUc\n-----END CERTIFICATE-----\n",
};

/** Every source file a user reads commands from: the README, the docs and the provider's messages. */
function sources(): { file: string; text: string }[] {
  const files = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (rel.endsWith(".ts")) files.push(rel);
    }
  };
  walk("provider");
  return files.map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), "utf8") }));
}

/** `pulumi config set ...` commands as printed: inside backticks or single quotes, one per hit. */
function configCommands(): { file: string; command: string }[] {
  const out: { file: string; command: string }[] = [];
  for (const { file, text } of sources()) {
    for (const m of text.matchAll(/[`'](pulumi config set [^`'\n]*(?:'[^'\n]*'[^`'\n]*)*)[`']/g)) {
      // A message built with a template prints the value in its place: run it with a sample one.
      out.push({ file, command: m[1].replace(/\$\{[^}]+\}/g, "example") });
    }
  }
  return out;
}

/** The key and the value a printed `pulumi config set` command stores, read the way bash would. */
function expected(command: string): { key: string; value: string; path: boolean } {
  const words = command.split(/\s+/).slice(3);
  const flags = words.filter((w) => w.startsWith("--"));
  const rest = words.filter((w) => !w.startsWith("--"));
  const key = rest[0].replace(/^'(.*)'$/, "$1");
  if (rest[1] === "<") return { key, value: FILES[rest[2]], path: flags.includes("--path") };
  const value = rest
    .slice(1)
    .join(" ")
    .replace(/^'(.*)'$/, "$1")
    .replace(/^"(.*)"$/, "$1");
  return { key, value, path: flags.includes("--path") };
}

let stack: Stack;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-printed-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: printed\nruntime: nodejs\n");
  for (const [name, content] of Object.entries(FILES)) fs.writeFileSync(path.join(dir, name), content);
  stack = await Stack.create(dir, "dev", fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-")), {});
});

afterAll(async () => {
  await stack?.remove();
});

describe("every `pulumi config set` command the README, the docs and the messages print", () => {
  const commands = configCommands();

  it("finds the commands users are told to run", () => {
    const keys = new Set(commands.map((c) => expected(c.command).key));
    for (const key of [
      "zookeeper:digest",
      "zookeeper:tlsKey",
      "zookeeper:connectString",
      "zookeeper:sessionTimeoutMs",
    ])
      expect(keys).toContain(key);
  });

  it.each(configCommands().map((c) => [c.file, c.command]))(
    "%s: %s works as printed",
    async (_file, command) => {
      const want = expected(command);
      const set = await run("bash", ["-euo", "pipefail", "-c", command + " --stack dev"], {
        cwd: stack.dir,
        env: stack.env,
      });
      expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: "" });
      const got = await stack.ok(["config", "get", ...(want.path ? ["--path"] : []), want.key]);
      expect(got.stdout.replace(/\n$/, "")).toBe(want.value.replace(/\n$/, ""));
    },
  );
});
