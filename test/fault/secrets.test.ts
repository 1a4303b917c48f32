/**
 * Scenario 8: the digest password (`zookeeper:digest`, a secret) never appears in the state,
 * the output and logs, error messages, or the serialized provider. The state keeps it only as
 * Pulumi keeps every secret config value of a provider: encrypted, in the default provider's
 * inputs. Pulumi's engine itself prints secret provider config in its debug log from `-v=7`
 * (docs/RELIABILITY.md): logs are checked at `-v=6`, and the higher levels are measured.
 */
import * as fs from "fs";
import * as path from "path";
import { digestAclId } from "../../provider/core/acl";
import { type ZkClient } from "../../provider/zk/client";
import {
  type StateResource,
  checkingClient,
  type FaultStack,
  faultStack,
  mustSucceed,
  parseState,
  printed,
  recordFigures,
  stackTraceLines,
  tryUp,
} from "../support/fault";
import { connectString, randomRoot, removeTree } from "../support/zk";

jest.setTimeout(300_000);

const USER = "fault-deployer";
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}-never-printed`;
const OTHER = "someone-else:their-password";
const root = randomRoot("secrets");

/** A state resource with the inputs `stack export` also shows. */
type StateResourceWithInputs = StateResource & { inputs?: Record<string, unknown> };

let raw: ZkClient;
let stack: FaultStack;
const printedText: string[] = [];

/** Every file under a directory, as text, with its path. */
function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push({ file, text: fs.readFileSync(file).toString("latin1") });
  }
  return out;
}

const declared = (extra: unknown[] = []) =>
  JSON.stringify([
    {
      kind: "ZkNode",
      name: "locked",
      args: {
        path: `${root}/locked`,
        data: "only the deployer writes here",
        createParents: true,
        acl: [
          { scheme: "digest", id: digestAclId(USER, PASSWORD), perms: "rwcda" },
          { scheme: "world", id: "anyone", perms: "r" },
        ],
      },
    },
    {
      kind: "ZkServiceRegistration",
      name: "reg",
      args: { basePath: `${root}/services`, service: "api", address: "10.6.0.1", port: 8080 },
    },
    ...extra,
  ]);

beforeAll(async () => {
  raw = await checkingClient(connectString());
  stack = await faultStack(
    "fault-resources",
    { "zookeeper:connectString": connectString(), "fault-resources:resources": declared() },
    { "zookeeper:digest": `${USER}:${PASSWORD}` },
  );
});

afterAll(async () => {
  if (raw) await removeTree(raw, root);
  raw?.close();
  await stack?.discard();
});

it("an up logged at -v=6, provider logs included, succeeds and prints no password", async () => {
  const up = mustSucceed(await tryUp(stack, ["--logtostderr", "--logflow", "-v=6"]), "pulumi up -v=6");
  printedText.push(printed(up));
  expect(up.stderr.length).toBeGreaterThan(10_000); // the verbose log really was on
  // The ACL holds the digest of the password, which only the stack's own identity matches.
  await expect(raw.setData(`${root}/locked`, Buffer.from("intruder"), -1)).rejects.toThrow("NO_AUTH");
  const owner = await checkingClient(connectString(), `${USER}:${PASSWORD}`);
  try {
    await owner.setData(`${root}/locked`, Buffer.from("only the deployer writes here"), -1);
  } finally {
    owner.close();
  }
});

it("errors print no password: permission denied under another user's znode", async () => {
  const other = await checkingClient(connectString(), OTHER);
  try {
    const [user, password] = OTHER.split(":") as [string, string];
    await other.create(`${root}/theirs`, Buffer.from(""), [
      { scheme: "digest", id: digestAclId(user, password), perms: "rwcda" },
    ]);
  } finally {
    other.close();
  }
  await stack.ok([
    "config",
    "set",
    "fault-resources:resources",
    declared([{ kind: "ZkNode", name: "intruder", args: { path: `${root}/theirs/mine`, data: "x" } }]),
  ]);
  const up = await tryUp(stack);
  printedText.push(printed(up));
  expect(up.code).not.toBe(0);
  expect(printed(up)).toContain(
    "permission denied by the znode's ACL (NO_AUTH); check the zookeeper:digest credentials",
  );
  expect(stackTraceLines(printed(up))).toEqual([]);
});

it("errors print no password: an unreachable ensemble", async () => {
  await stack.ok(["config", "set", "zookeeper:sessionTimeoutMs", "1000"]);
  await stack.ok([
    "config",
    "set",
    "fault-resources:resources",
    declared([{ kind: "ZkNode", name: "nowhere", args: { path: "/nowhere", connectString: "127.0.0.1:1" } }]),
  ]);
  const up = await tryUp(stack);
  printedText.push(printed(up));
  expect(up.code).not.toBe(0);
  expect(printed(up)).toContain("the ZooKeeper ensemble is unavailable");
  await stack.ok(["config", "rm", "zookeeper:sessionTimeoutMs"]);
});

it("the engine's own debug log from -v=7 up is measured, not asserted: it prints secret provider config", async () => {
  // A config change makes the engine log the default provider's old and new config at -v=7.
  await stack.ok(["config", "set", "fault-resources:resources", declared()]);
  const up = mustSucceed(await tryUp(stack, ["--logtostderr", "-v=9"]), "pulumi up -v=9");
  const lines = up.stderr.split("\n").filter((l) => l.includes(PASSWORD));
  recordFigures("8-secrets", {
    engineDebugLogLinesWithPasswordAtV9: lines.length,
    where: [...new Set(lines.map((l) => /"msg":"([A-Za-z ]{0,40})/.exec(l)?.[1] ?? "?"))],
  });
}, 120_000);

it("the password is nowhere: output, state, backend files, serialized provider", async () => {
  const exported = await stack.exportState();
  const state = parseState(exported);
  // Pulumi keeps the provider's secret config encrypted in the default provider's inputs.
  const defaultProvider = state.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs") as
    (StateResourceWithInputs & { inputs: Record<string, unknown> }) | undefined;
  expect(Object.keys((defaultProvider?.inputs["zookeeper:digest"] as object) ?? {})).toContain("ciphertext");
  const providers = state.resources
    .map((r) => (r.outputs as { __provider?: unknown }).__provider)
    .filter((p): p is string => typeof p === "string");
  expect(providers.length).toBeGreaterThan(0);
  const backend = String(stack.env.PULUMI_BACKEND_URL).replace(/^file:\/\//, "");
  const files = filesUnder(backend);
  const places: Record<string, string[]> = {
    output: printedText,
    state: [exported],
    "serialized provider": providers,
    "backend files": files.map((f) => f.text),
  };
  const leaks = Object.entries(places)
    .filter(([, texts]) => texts.some((t) => t.includes(PASSWORD)))
    .map(([where]) => where);
  expect(leaks).toEqual([]);
  // The provider carries no credential at all: not even the digest id derived from it.
  expect(providers.some((p) => p.includes(digestAclId(USER, PASSWORD)))).toBe(false);
  recordFigures("8-secrets", {
    searched: Object.fromEntries(
      Object.entries(places).map(([k, v]) => [k, v.reduce((n, t) => n + t.length, 0)]),
    ),
    backendFiles: files.length,
    leaks: leaks.length,
  });
});
