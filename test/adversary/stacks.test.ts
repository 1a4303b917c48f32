/**
 * The adversary: random sequences of `up`, `refresh` and `destroy` of two stacks' ZkNode, ZkChroot
 * and ZkServiceRegistration resources through the provider's own methods (behind the fault
 * proxy), interleaved with a foreign writer on the same tree and lost replies. After every step
 * the whole tree is compared with a model of who wrote each znode last (see world.ts); at the end
 * of each sequence, `refresh` + `up` must converge. Replay a failure with the printed seed and
 * path: `ADVERSARY_SEED=<seed> ADVERSARY_PATH=<path> npm run adversary`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { pool, setConfig } from "../../provider/runtime";
import { ZkClient } from "../../provider/zk/client";
import { type FaultProxy, startFaultProxy } from "../support/fault";
import { connectString, randomRoot, removeTree } from "../support/zk";
import { type Command, commandArb } from "./commands";
import { ACLS, newFigures, World } from "./world";

const SESSION_TIMEOUT_MS = 4000;
/** Sequences per run: CI's budget takes about two minutes; `npm run adversary -- --runs N` for more. */
const RUNS = Number(process.env.ADVERSARY_RUNS ?? 200);
const MAX_COMMANDS = Number(process.env.ADVERSARY_MAX_COMMANDS ?? 25);
/**
 * No new sequence (nor shrink) starts after this long; a failure found by then is still reported.
 * CI's budget is bounded by it on a slow machine; an explicit run count gets the time to run.
 */
const TIME_LIMIT_MS = Number(
  process.env.ADVERSARY_TIME_LIMIT_MS ?? (process.env.ADVERSARY_RUNS ? RUNS * 6_000 : 180_000),
);
const FIGURES_FILE =
  process.env.PZK_ADVERSARY_FIGURES ?? path.join(os.tmpdir(), "pzk-adversary-figures.jsonl");

jest.setTimeout(TIME_LIMIT_MS + 120_000);

let proxy: FaultProxy;
let foreign: ZkClient;
let reader: ZkClient;
const suiteRoot = randomRoot("adversary");

const plainClient = (cs: string) =>
  ZkClient.connect({
    connectString: cs,
    sessionTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
  });

beforeAll(async () => {
  // One member behind the proxy, so that every reconnection of the provider goes through it again.
  proxy = await startFaultProxy(connectString().split(",")[0]);
  foreign = await plainClient(connectString());
  reader = await plainClient(connectString());
  await foreign.create(suiteRoot, Buffer.from(""), [...ACLS.open]);
  setConfig({ connectString: proxy.connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS });
});

afterAll(async () => {
  await pool().closeAll();
  await proxy?.close();
  if (foreign) await removeTree(foreign, suiteRoot);
  foreign?.close();
  reader?.close();
});

it("no sequence of ups, refreshes, destroys, foreign writes and lost replies breaks an invariant", async () => {
  const figures = newFigures();
  const started = Date.now();
  const deadline = started + TIME_LIMIT_MS;
  let skipped = 0;
  let sequence = 0;
  const seed = process.env.ADVERSARY_SEED === undefined ? undefined : Number(process.env.ADVERSARY_SEED);
  const replay = process.env.ADVERSARY_PATH;
  let failure: Error | undefined;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArb, { minLength: 1, maxLength: MAX_COMMANDS, size: "max" }),
        async (commands: Command[]) => {
          // Past the time limit every run passes at once: fast-check's own limits either abandon a
          // running sequence (which would go on writing after the suite) or fail on the skips.
          if (Date.now() > deadline) {
            skipped++;
            return;
          }
          const world = new World(`${suiteRoot}/seq-${sequence++}`, foreign, reader, proxy, figures);
          figures.sequences++;
          try {
            await world.init();
            for (const command of commands) await command.run(world);
            await world.converge();
            await world.teardown();
          } finally {
            proxy.disarm();
            await removeTree(foreign, world.root);
          }
        },
      ),
      {
        numRuns: RUNS,
        ...(seed !== undefined ? { seed } : {}),
        ...(replay ? { path: replay, endOnFailure: true } : {}),
        verbose: 1,
      },
    );
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  const line = {
    at: new Date().toISOString(),
    seed,
    elapsedMs: Date.now() - started,
    failed: !!failure,
    skippedAfterTimeLimit: skipped,
    ...figures,
  };
  fs.appendFileSync(FIGURES_FILE, `${JSON.stringify(line)}\n`);
  console.log(`adversary: ${JSON.stringify(line)}`);
  if (failure) {
    const printed = /seed: (-?\d+), path: "([^"]+)"/.exec(failure.message);
    if (printed)
      failure.message += `\n\nReplay: npm run adversary -- --seed ${printed[1]} --path "${printed[2]}"`;
  }
  if (failure) throw failure;
});
