import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";

/** Where every benchmark writes its JSON; gitignored. */
export const RESULTS_DIR = path.resolve(__dirname, "..", "results");

/** A table as printed, and as pasted into BENCHMARKS.md. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Lines printed under the table: what was measured, how to read it. */
  readonly notes?: readonly string[];
}

/** A target of the benchmark issue, and whether this run met it. */
export interface Verdict {
  readonly measurement: string;
  readonly target: string;
  readonly measured: string;
  /** `undefined` when the run could not tell (e.g. a smoke run, or a reader not written yet). */
  readonly met: boolean | undefined;
}

/** What one benchmark hands back to the runner. */
export interface BenchOutcome {
  readonly name: string;
  readonly tables: readonly Table[];
  readonly verdicts: readonly Verdict[];
  /** Everything measured, raw, for the JSON file. */
  readonly data: unknown;
}

/** Renders a table in Markdown, columns padded so it also reads well in a terminal. */
export function renderTable(table: Table): string {
  const cells = [table.columns, ...table.rows].map((row) => row.map((cell) => String(cell)));
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length), 3));
  const line = (row: readonly string[]) =>
    `| ${widths.map((w, i) => (row[i] ?? "").padEnd(w)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  const [head, ...body] = cells;
  const notes = (table.notes ?? []).map((note) => `\n${note}`).join("");
  return `### ${table.title}\n\n${[line(head), rule, ...body.map(line)].join("\n")}\n${notes}`;
}

/** Renders the targets of the issue with this run's numbers. */
export function verdictTable(verdicts: readonly Verdict[]): Table {
  return {
    title: "Targets",
    columns: ["measurement", "target", "measured", "met"],
    rows: verdicts.map((v) => [
      v.measurement,
      v.target,
      v.measured,
      v.met === undefined ? "n/a" : v.met ? "yes" : "NO",
    ]),
  };
}

/** Writes `bench/results/<name>.json` and returns its path. */
export function writeResult(name: string, data: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** Milliseconds, rounded to what a human compares. */
export function ms(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 100) return `${Math.round(value)} ms`;
  return `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
}

/** Operations per second. */
export function rate(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")}/s`;
}

/** A ratio to two decimals. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : "n/a";
}

/** Kibibytes as MiB. */
export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds since an arbitrary start, with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}
