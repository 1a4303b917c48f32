import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { digestAclId } from "../../provider/core/acl";
import { ZkClient } from "../../provider/zk/client";
import { type Ensemble, startEnsemble, stopEnsemble } from "../../scripts/ensemble";
import { installExample, Stack } from "../support/pulumi";
import { connectString, randomRoot, removeTree } from "../support/zk";

// examples/profiles: one stack, two ensembles, two digest identities (README "Configuration").

jest.setTimeout(600_000);

const PROD = "prod-writer:prod-secret-pw";
const STAGING = "staging-writer:staging-secret-pw";
const root = randomRoot("profiles");
const aclIdOf = (digest: string) => digestAclId(...(digest.split(":") as [string, string]));
let staging: Ensemble;
let stack: Stack;

/** A session on an ensemble, with an identity or anonymous. */
async function session(cs: string, digest?: string): Promise<ZkClient> {
  return ZkClient.connect({
    connectString: cs,
    sessionTimeoutMs: 6000,
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    ...(digest ? { digest } : {}),
  });
}

/** What each identity (and nobody) gets when reading the settings znode on an ensemble. */
async function readsOn(cs: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [who, digest] of [
    ["prod", PROD],
    ["staging", STAGING],
    ["anonymous", undefined],
  ] as const) {
    const client = await session(cs, digest);
    try {
      out[who] = (await client.getData(`${root}/settings`)).data.toString();
    } catch (err) {
      out[who] = /NO_AUTH/.test(String(err)) ? "refused" : String(err);
    } finally {
      client.close();
    }
  }
  return out;
}

beforeAll(async () => {
  const [dir, second] = await Promise.all([installExample("profiles"), startEnsemble({ size: 1 })]);
  staging = second;
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-backend-"));
  stack = await Stack.create(dir, "dev", backend, {
    "profiles:root": root,
    "profiles:prodAclId": aclIdOf(PROD),
    "profiles:stagingAclId": aclIdOf(STAGING),
  });
  // As the README tells users to set them: connect strings plain, digests as secrets.
  await stack.ok(["config", "set", "--path", "zookeeper:profiles.prod.connectString", connectString()]);
  await stack.ok([
    "config",
    "set",
    "--path",
    "zookeeper:profiles.staging.connectString",
    staging.connectString,
  ]);
  await stack.ok(["config", "set", "--secret", "--path", "zookeeper:profiles.prod.digest", PROD]);
  await stack.ok(["config", "set", "--secret", "--path", "zookeeper:profiles.staging.digest", STAGING]);
});

afterAll(async () => {
  await stack?.remove();
  const cleanup = await session(connectString(), PROD);
  await removeTree(cleanup, root).catch(() => undefined);
  cleanup.close();
  if (staging) await stopEnsemble(staging);
});

describe("one stack, two ensembles, two identities", () => {
  it("writes each znode through its profile, and each ACL holds against the other identity and nobody", async () => {
    await stack.up();
    expect(await readsOn(connectString())).toEqual({
      prod: "prod",
      staging: "refused",
      anonymous: "refused",
    });
    expect(await readsOn(staging.connectString)).toEqual({
      prod: "refused",
      staging: "staging",
      anonymous: "refused",
    });
  });

  it("keeps the profiles' secrets out of the state and the config file in plain text", async () => {
    const state = await stack.exportState();
    const configFile = fs.readFileSync(path.join(stack.dir, "Pulumi.dev.yaml"), "utf8");
    for (const text of [state, configFile]) {
      expect(text).not.toContain("prod-secret-pw");
      expect(text).not.toContain("staging-secret-pw");
    }
    // The resources record the profile's name only.
    expect(state).toContain('"profile": "staging"');
  });

  it("updates through each profile's identity, compare-and-set, and destroys both", async () => {
    await stack.ok(["config", "set", "stagingData", "staging-v2"]);
    await stack.up();
    expect((await readsOn(staging.connectString)).staging).toBe("staging-v2");
    expect((await readsOn(connectString())).prod).toBe("prod");
    await stack.destroy();
    for (const [cs, digest] of [
      [connectString(), PROD],
      [staging.connectString, STAGING],
    ] as const) {
      const client = await session(cs, digest);
      expect(await client.exists(`${root}/settings`)).toBeUndefined();
      client.close();
    }
  });

  it("refuses a profile the stack config does not define, naming the known ones, before writing", async () => {
    const dir = stack.dir;
    const program = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
    fs.writeFileSync(path.join(dir, "index.ts"), program.replace('["prod", "staging"]', '["prod", "qa"]'));
    try {
      await stack.ok(["config", "set", "qaAclId", aclIdOf(STAGING)]);
      const preview = await stack.pulumi(["preview", "--non-interactive"]);
      expect(preview.code).not.toBe(0);
      expect(preview.stdout + preview.stderr).toContain(
        "profile 'qa' is not in the stack config zookeeper:profiles (known: prod, staging)",
      );
    } finally {
      fs.writeFileSync(path.join(dir, "index.ts"), program);
    }
  });
});
