/** How big each benchmark is: the full run, or the smoke run CI uses so the scripts cannot rot. */
export interface BenchSizes {
  /** Whether this is the smoke run (`BENCH_SMOKE=1`). */
  readonly smoke: boolean;
  /** Resource counts of the deploy benchmark with the engine's defaults (a checkpoint after every step). */
  readonly deployCounts: readonly number[];
  /** Resource counts with `PULUMI_SKIP_CHECKPOINTS=true`; the sessions benchmark uses the largest. */
  readonly deployCountsWithoutCheckpoints: readonly number[];
  /** Creates, updates and deletes each, in the throughput and TLS benchmarks. */
  readonly ops: number;
  /** Requests in flight at once in the throughput and TLS benchmarks. */
  readonly concurrencies: readonly number[];
  /** Instances of the service the lookup benchmark reads. */
  readonly instances: number;
  /**
   * Rounds of the throughput and serialization benchmarks, and reads per lookup reader; medians
   * are reported, because the machines this runs on are shared and noisy.
   */
  readonly repeats: number;
  /** Resources constructed by the serialization benchmark. */
  readonly serializedResources: number;
}

/** The sizes for this run. */
export function benchSizes(env: NodeJS.ProcessEnv = process.env): BenchSizes {
  if (env.BENCH_SMOKE === "1") {
    return {
      smoke: true,
      deployCounts: [],
      deployCountsWithoutCheckpoints: [10],
      ops: 200,
      concurrencies: [8],
      instances: 200,
      repeats: 1,
      serializedResources: 10,
    };
  }
  return {
    smoke: false,
    // With a checkpoint after every step the engine's own cost grows with N²: 1000 would take 20 minutes.
    deployCounts: [100, 300],
    deployCountsWithoutCheckpoints: [100, 300, 1000],
    ops: 5000,
    // 8 is `pulumi up`'s default --parallel on this machine (4 per core); 64 shows the ceiling.
    concurrencies: [8, 64],
    instances: 10_000,
    repeats: 3,
    serializedResources: 1000,
  };
}
