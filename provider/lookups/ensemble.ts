import { type ServerAddress, parseConnectString, parseServer } from "../core/connectString";
import {
  type EnsembleLookupInputs,
  type EnsembleSource,
  type ExhibitorSource,
  ensembleSource,
} from "../core/ensembleSources";
import { exhibitorUrl, parseExhibitorList } from "../core/exhibitor";
import { ensembleOutputs, type EnsembleOutputs, parseZkConfig } from "../core/zkConfig";
import { syncOrWarn } from "./serviceInstances";
import { type ConnectionSettings, connectSession, retryPolicy } from "../zk/pool";
import { withRetry } from "../zk/retry";

/** What an ensemble lookup found. */
export interface EnsembleResult extends EnsembleOutputs {
  /** Where the membership came from: `exhibitor`, `seed`, `servers`, or `backup` (Exhibitor's fallback). */
  readonly source: EnsembleSource | "backup";
}

/** How to reach the seed (credentials and timeouts from the stack config). */
export type SeedSettings = Omit<ConnectionSettings, "connectString">;

/** Asks each Exhibitor host in turn, `retries` extra rounds, then the backup connect string. */
export async function fromExhibitor(
  source: ExhibitorSource,
  warn: (m: string) => void,
): Promise<{ servers: ServerAddress[]; source: "exhibitor" | "backup" }> {
  const failures: string[] = [];
  for (let round = 0; round <= source.retries; round++) {
    for (const host of source.hosts) {
      const url = exhibitorUrl(host, source.port, source.restPath, source.https);
      const signal = AbortSignal.timeout(source.timeoutMs);
      try {
        const res = await fetch(url, { headers: { Accept: "application/json" }, signal });
        const body = await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const parsed = parseExhibitorList(body, res.headers.get("content-type") ?? undefined);
        if ("problem" in parsed) throw new Error(parsed.problem);
        return { servers: parsed.servers, source: "exhibitor" };
      } catch (err) {
        // Timed out while connecting, or while reading the body: the signal says so, whatever the error.
        const why = signal.aborted
          ? `no answer within ${source.timeoutMs} ms`
          : err instanceof Error
            ? err.message
            : String(err);
        failures.push(`${url}: ${why}`);
      }
    }
  }
  const summary = `no Exhibitor host answered with a usable server list (${failures.join("; ")})`;
  if (source.backupConnectString) {
    warn(`${summary}; using backupConnectString`);
    const parsed = parseConnectString(source.backupConnectString);
    if ("problem" in parsed) throw new Error(`exhibitor.backupConnectString ${parsed.problem}`);
    return { servers: parsed.servers, source: "backup" };
  }
  throw new Error(
    `${summary}. Check exhibitor.hosts and exhibitor.port, or set exhibitor.backupConnectString`,
  );
}

/** Reads `/zookeeper/config` through the seed and builds the member list from its client addresses. */
export async function fromSeed(
  seed: string,
  settings: SeedSettings,
  warn: (m: string) => void,
): Promise<ServerAddress[]> {
  const s = { ...settings, connectString: seed };
  const text = await withRetry(
    `read /zookeeper/config through ${seed}`,
    async () => {
      const client = await connectSession(s, { allowReadOnly: true });
      try {
        await syncOrWarn(client, warn);
        return (await client.getData("/zookeeper/config")).data.toString("utf8");
      } finally {
        client.close();
      }
    },
    retryPolicy(s),
  );
  const parsed = parseZkConfig(text);
  if ("problem" in parsed) throw new Error(`/zookeeper/config read through '${seed}' ${parsed.problem}`);
  if (parsed.skipped.length > 0)
    warn(`/zookeeper/config lists ${parsed.skipped.join(", ")} without a client address; left out`);
  if (parsed.servers.length === 0) {
    throw new Error(
      `/zookeeper/config read through '${seed}' names no client addresses (servers need ';[host:]port' in their server.N lines); ` +
        "use the 'servers' source instead",
    );
  }
  return parsed.servers;
}

/** Runs a validated lookup. */
export async function lookUpEnsemble(
  inputs: EnsembleLookupInputs,
  seedSettings: SeedSettings,
  warn: (m: string) => void,
): Promise<EnsembleResult> {
  const kind = ensembleSource(inputs);
  let servers: ServerAddress[];
  let source: EnsembleResult["source"] = kind;
  if (kind === "exhibitor")
    ({ servers, source } = await fromExhibitor(inputs.exhibitor as ExhibitorSource, warn));
  else if (kind === "seed") servers = await fromSeed(inputs.seed as string, seedSettings, warn);
  else servers = (inputs.servers as string[]).map((entry) => parseServer(entry) as ServerAddress);
  return { ...ensembleOutputs(servers, inputs.chroot), source };
}
