import { randomBytes } from "crypto";
import * as fs from "fs";
import type { Ensemble } from "../scripts/ensemble";
import { changeSummary, type Stack } from "../test/support/pulumi";
import { installedExample, newStack, runStep, type Step } from "./support/deployments";
import { type BenchOutcome, ms, now, ratio, type Table, type Verdict } from "./support/report";
import { type BenchSizes } from "./support/sizes";
import { ConsWatch, sessionCounters, sessionsOpened } from "./support/zookeeper";

const STEPS: readonly Step[] = ["up", "up (no change)", "preview (no change)", "destroy"];
const PROGRAMS = ["floor", "zookeeper"] as const;
type Program = (typeof PROGRAMS)[number];
/** The program under test and its floor: the same shape, a provider that does nothing. */
const EXAMPLES: Record<Program, string> = { floor: "bench-floor", zookeeper: "many-registrations" };
const TARGET_RATIO = 1.15;
/** Marginal cost per resource may grow this much from the smaller to the larger sizes and still count as flat. */
const FLAT_TOLERANCE = 1.25;
/** USER_HZ: Linux reports process times in 1/100 s on every architecture Node.js runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** How the engine persists state during a command. */
type Checkpoints = "every step" | "skipped";
const CHECKPOINT_ENV: Record<Checkpoints, NodeJS.ProcessEnv> = {
  "every step": {},
  skipped: { PULUMI_SKIP_CHECKPOINTS: "true" },
};

/** One timed `pulumi` command. */
interface StepRun {
  readonly program: Program;
  readonly checkpoints: Checkpoints;
  readonly count: number;
  readonly step: Step;
  readonly ms: number;
  /** CPU time of the command and every process it started and waited for (engine, hosts, program, provider). */
  readonly cpuMs: number;
  readonly summary: Record<string, number>;
  /** Distinct session ids `cons` listed on any member while the command ran. */
  readonly consSessions: string[];
  readonly consPolls: number;
  /** Sessions the members opened while the command ran, from their session-id counters. */
  readonly sessionsOpened: number;
}

/** What the state holds after the first `up`. */
interface StateFacts {
  readonly program: Program;
  readonly count: number;
  readonly stateBytes: number;
  /** Distinct serialized providers in the state, and the length of each. */
  readonly providerTextLengths: number[];
}

/** CPU time of this process's terminated, waited-for children and theirs (`/proc/self/stat` cutime + cstime). */
function childrenCpuMs(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 of stat(5), counted from the state letter as field 3.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function timedStep(
  ensemble: Ensemble,
  stack: Stack,
  where: { program: Program; checkpoints: Checkpoints; count: number },
  step: Step,
): Promise<StepRun> {
  const before = await sessionCounters(ensemble);
  const watch = new ConsWatch(ensemble);
  const started = now();
  const cpuBefore = childrenCpuMs();
  let elapsed = 0;
  const out = await runStep(stack, step, CHECKPOINT_ENV[where.checkpoints]).finally(() => {
    elapsed = now() - started;
    return watch.stop();
  });
  const cpuMs = childrenCpuMs() - cpuBefore;
  const cons = await watch.stop();
  const opened = sessionsOpened(before, await sessionCounters(ensemble));
  const run: StepRun = {
    ...where,
    step,
    ms: elapsed,
    cpuMs,
    summary: changeSummary(out.stdout),
    consSessions: cons.sessionIds,
    consPolls: cons.polls,
    sessionsOpened: opened.reduce((a, b) => a + b, 0),
  };
  console.log(
    `  ${where.program.padEnd(9)} N=${String(where.count).padEnd(5)} ${step.padEnd(20)} ` +
      `${ms(elapsed).padStart(9)} cpu ${ms(cpuMs).padStart(9)}  ${JSON.stringify(run.summary)} sessions=${run.sessionsOpened}`,
  );
  return run;
}

async function stateFacts(stack: Stack, program: Program, count: number): Promise<StateFacts> {
  const text = await stack.exportState();
  const state = JSON.parse(text) as { deployment?: { resources?: { inputs?: { __provider?: string } }[] } };
  const providers = new Set<string>();
  for (const r of state.deployment?.resources ?? [])
    if (r.inputs?.__provider) providers.add(r.inputs.__provider);
  return {
    program,
    count,
    stateBytes: text.length,
    providerTextLengths: [...providers].map((p) => p.length),
  };
}

/** Both programs at one size: each command for the floor and for pulumi-zookeeper, alternating who goes first. */
async function deployPair(
  ensemble: Ensemble,
  dirs: Record<Program, string>,
  checkpoints: Checkpoints,
  count: number,
  states: StateFacts[],
): Promise<StepRun[]> {
  const root = `/bench-deploy-${randomBytes(4).toString("hex")}`;
  const stacks = {} as Record<Program, Stack>;
  for (const program of PROGRAMS) {
    stacks[program] = await newStack(dirs[program], `n${count}`, {
      "zookeeper:connectString": ensemble.connectString,
      [`${EXAMPLES[program]}:root`]: root,
      [`${EXAMPLES[program]}:count`]: String(count),
    });
  }
  const runs: StepRun[] = [];
  for (const [i, step] of STEPS.entries()) {
    for (const program of i % 2 === 0 ? PROGRAMS : [...PROGRAMS].reverse()) {
      runs.push(await timedStep(ensemble, stacks[program], { program, checkpoints, count }, step));
      if (step === "up" && checkpoints === "every step")
        states.push(await stateFacts(stacks[program], program, count));
    }
  }
  for (const program of PROGRAMS) await stacks[program].remove();
  return runs;
}

/**
 * Measurements 1 (deploy overhead against the engine's floor) and 4 (sessions per deployment):
 * `pulumi up` of N registrations next to the same program with a do-nothing dynamic provider, then
 * the no-change up, the preview and the destroy; with the engine's defaults, and again with
 * checkpoints skipped, which removes the engine's own cost that grows with N² and the state size.
 */
export async function deployBench(ensemble: Ensemble, sizes: BenchSizes): Promise<BenchOutcome[]> {
  const dirs = {
    floor: await installedExample(EXAMPLES.floor),
    zookeeper: await installedExample(EXAMPLES.zookeeper),
  };
  const runs: StepRun[] = [];
  const states: StateFacts[] = [];
  for (const count of sizes.deployCounts)
    runs.push(...(await deployPair(ensemble, dirs, "every step", count, states)));
  for (const count of sizes.deployCountsWithoutCheckpoints)
    runs.push(...(await deployPair(ensemble, dirs, "skipped", count, states)));
  const outcome = (checkpoints: Checkpoints, counts: readonly number[]) =>
    overheadTables(
      runs.filter((r) => r.checkpoints === checkpoints),
      checkpoints,
      counts,
      sizes.smoke,
    );
  const withCheckpoints = outcome("every step", sizes.deployCounts);
  const withoutCheckpoints = outcome("skipped", sizes.deployCountsWithoutCheckpoints);
  const stateTable: Table = {
    title: "1c. State after the first up",
    columns: ["N", "program", "state size", "per resource", "distinct __provider", "__provider length"],
    rows: states.map((s) => [
      s.count,
      s.program,
      `${(s.stateBytes / 1024).toFixed(0)} KiB`,
      `${(s.stateBytes / s.count / 1024).toFixed(1)} KiB`,
      s.providerTextLengths.length,
      s.providerTextLengths.join(", "),
    ]),
    notes: ["Each resource keeps its __provider twice: in its inputs and in its outputs."],
  };
  return [
    {
      name: "deploy",
      tables: [
        ...withCheckpoints.tables,
        ...withoutCheckpoints.tables,
        ...(states.length ? [stateTable] : []),
      ],
      verdicts: [...withCheckpoints.verdicts, ...withoutCheckpoints.verdicts],
      data: { runs, states },
    },
    sessionsOutcome(runs, sizes),
  ];
}

const find = (runs: readonly StepRun[], program: Program, count: number, step: Step) =>
  runs.find((r) => r.program === program && r.count === count && r.step === step) as StepRun;

function overheadTables(
  runs: readonly StepRun[],
  checkpoints: Checkpoints,
  counts: readonly number[],
  smoke: boolean,
): { tables: Table[]; verdicts: Verdict[] } {
  if (counts.length === 0) return { tables: [], verdicts: [] };
  const label = checkpoints === "every step" ? "engine defaults" : "PULUMI_SKIP_CHECKPOINTS=true";
  const rows = counts.flatMap((count) =>
    STEPS.map((step) => {
      const floor = find(runs, "floor", count, step);
      const zk = find(runs, "zookeeper", count, step);
      return [
        count,
        step,
        ms(floor.ms),
        ms(zk.ms),
        ratio(zk.ms / floor.ms),
        ms(floor.cpuMs),
        ms(zk.cpuMs),
        ratio(zk.cpuMs / floor.cpuMs),
        ms((zk.ms - floor.ms) / count),
      ];
    }),
  );
  const marginal = (program: Program, step: Step, from: number, to: number) =>
    (find(runs, program, to, step).ms - find(runs, program, from, step).ms) / (to - from);
  const ranges = counts.slice(1).map((to, i) => [counts[i], to] as const);
  const tables: Table[] = [
    {
      title: `1. Deploy overhead vs the engine's floor (${label})`,
      columns: [
        "N",
        "command",
        "floor",
        "zookeeper",
        "ratio",
        "floor CPU",
        "zookeeper CPU",
        "CPU ratio",
        "extra/resource",
      ],
      rows,
      notes: [
        "Wall time of the whole `pulumi` CLI command (engine, language host, program, provider), one run each;",
        "CPU: user + system time of that command and all the processes it started (not ZooKeeper's).",
        "floor: examples/bench-floor, the same program with a dynamic provider that does nothing;",
        "zookeeper: examples/many-registrations, N ZkServiceRegistrations on the 3-member ensemble.",
        "extra/resource: (zookeeper − floor) wall time / N.",
      ],
    },
  ];
  if (ranges.length > 0) {
    tables.push({
      title: `1b. Marginal wall time per resource (${label})`,
      columns: ["command", "N", "floor", "zookeeper", "ratio"],
      rows: STEPS.flatMap((step) =>
        ranges.map(([from, to]) => {
          const floor = marginal("floor", step, from, to);
          const zk = marginal("zookeeper", step, from, to);
          return [step, `${from}→${to}`, ms(floor), ms(zk), ratio(zk / floor)];
        }),
      ),
    });
  }
  const verdicts: Verdict[] = STEPS.map((step) => {
    const ratios = counts.map(
      (count) => find(runs, "zookeeper", count, step).ms / find(runs, "floor", count, step).ms,
    );
    return {
      measurement: `1. ${step}, N=${counts.join("/")}, ${label}`,
      target: `ratio ≤ ${TARGET_RATIO} at every N`,
      measured: ratios.map(ratio).join(" / "),
      met: smoke ? undefined : ratios.every((r) => r <= TARGET_RATIO),
    };
  });
  if (ranges.length > 1) {
    const [first, last] = [ranges[0], ranges[ranges.length - 1]] as [
      readonly [number, number],
      readonly [number, number],
    ];
    const zk = (range: readonly [number, number]) => marginal("zookeeper", "up", ...range);
    const floor = (range: readonly [number, number]) => marginal("floor", "up", ...range);
    verdicts.push({
      measurement: `1. up, cost per resource as N grows, ${label}`,
      target: `flat: extra marginal cost over the floor grows ≤ ${FLAT_TOLERANCE}×`,
      measured: `${ms(zk(first) - floor(first))} → ${ms(zk(last) - floor(last))} per resource over the floor`,
      met: smoke
        ? undefined
        : zk(last) - floor(last) <= FLAT_TOLERANCE * Math.max(zk(first) - floor(first), 0.5),
    });
  }
  return { tables, verdicts };
}

function sessionsOutcome(runs: readonly StepRun[], sizes: BenchSizes): BenchOutcome {
  const largest = Math.max(...sizes.deployCountsWithoutCheckpoints);
  const relevant = runs.filter((r) => r.count === largest && r.checkpoints === "skipped");
  const up = find(relevant, "zookeeper", largest, "up");
  return {
    name: "sessions",
    tables: [
      {
        title: `4. ZooKeeper sessions opened during each command (N=${largest})`,
        columns: ["program", "command", "sessions opened", "ids seen by cons", "cons polls"],
        rows: relevant.map((r) => [r.program, r.step, r.sessionsOpened, r.consSessions.length, r.consPolls]),
        notes: [
          "sessions opened: the difference of every member's session-id counter before and after the command (exact).",
          "ids seen by cons: distinct `sid=` in `cons` on all three members, polled every 100 ms; this also lists a",
          "session an earlier command left open (its provider process exits without closing it; it expires after the timeout).",
        ],
      },
    ],
    verdicts: [
      {
        measurement: `4. sessions during a ${largest}-resource up`,
        target: "≤ 2",
        measured: `${up.sessionsOpened} opened (cons saw ${up.consSessions.length})`,
        met: up.sessionsOpened <= 2,
      },
    ],
    data: { runs: relevant },
  };
}
