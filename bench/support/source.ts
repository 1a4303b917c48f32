import * as path from "path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The tree whose `provider/` and `package.json` are measured: this repository, or with
 * `BENCH_SOURCE=<dir>` (relative to this repository) a copy holding a proposed change, so a run can
 * put numbers on it. The copy must sit inside this repository (e.g. under the gitignored `.tmp-bench/`), so that its imports
 * find this repository's node_modules.
 */
export const SOURCE_ROOT = process.env.BENCH_SOURCE
  ? path.resolve(REPO_ROOT, process.env.BENCH_SOURCE)
  : REPO_ROOT;

/** This repository, which holds the benchmarks, the examples and node_modules. */
export { REPO_ROOT };

/** Loads a module of the provider under test, e.g. `providerModule("runtime/settings")`. */
export function providerModule<T>(relative: string): T {
  return require(path.join(SOURCE_ROOT, "provider", relative)) as T;
}
