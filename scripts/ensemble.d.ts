/**
 * A real ZooKeeper ensemble on loopback, for tests, the demo and CI (docs/DESIGN.md §5).
 *
 * Members are JVMs from Debian's `zookeeper` package, each in its own process group, with its
 * config, data and log under the ensemble's dir. The state in `<dir>/ensemble.json` is the
 * source of truth: every member operation reads the current pids from it, so an `Ensemble`
 * object from an earlier call, or from another process, is fine to pass.
 *
 * The same file is a CLI: `node scripts/ensemble.js --help`.
 */

/** What a member answers to `srvr`; `"down"` when it does not answer, or is not serving. */
export type MemberMode = "leader" | "follower" | "standalone" | "down";

/** One ZooKeeper server of an ensemble, as recorded in `ensemble.json`. */
export interface EnsembleMember {
  /** The server id: `myid`, and N in `server.N`; 1-based. */
  readonly id: number;
  /** Port clients connect to, on 127.0.0.1. */
  readonly clientPort: number;
  /** TLS port clients connect to, on 127.0.0.1; only when started with `secureClientPort: true`. */
  readonly secureClientPort?: number;
  /** Port followers connect to the leader on. */
  readonly quorumPort: number;
  /** Port for leader election. */
  readonly electionPort: number;
  /** The member's JVM pid (also its process group id); `null` when stopped through this module. */
  readonly pid: number | null;
  /** Holds `myid`, snapshots and transaction logs. */
  readonly dataDir: string;
  /** The static config the member starts from (ZooKeeper rewrites it to point at a dynamic file). */
  readonly configFile: string;
  /** Everything the member's JVM logs; appended to on restart. */
  readonly logFile: string;
  /** Extra JVM flags the member runs with (also on restart). */
  readonly jvmFlags?: readonly string[];
}

/** A running (or recorded) ensemble: the content of `<dir>/ensemble.json`. */
export interface Ensemble {
  /** Directory holding the state file and one `member-N` directory per member. */
  readonly dir: string;
  /** Number of members. */
  readonly size: 1 | 3;
  /** ZooKeeper's tick in milliseconds; the minimum session timeout is two ticks. */
  readonly tickTime: number;
  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, ready for a ZooKeeper client. */
  readonly connectString: string;
  /** `127.0.0.1:s1,...` of the secure client ports; only when started with `secureClientPort: true`. */
  readonly secureConnectString?: string;
  /** The members, ordered by id. */
  readonly members: readonly EnsembleMember[];
}

/** Options of {@link startEnsemble}. */
export interface StartEnsembleOptions {
  /** Number of members. Default 3. A 1-member ensemble still runs as a quorum (mode `leader`). */
  readonly size?: 1 | 3;
  /** Where to put state, configs, data and logs. Default: a fresh `zk-ensemble-*` under the OS temp dir. */
  readonly dir?: string;
  /**
   * First of `3 * size` consecutive ports: client ports first, then quorum and election ports.
   * Default: a random free base from 20000 to 40000, retried when another process takes a port.
   */
  readonly basePort?: number;
  /** ZooKeeper tick in milliseconds. Default 500, so sessions may time out in one second. */
  readonly tickTime?: number;
  /**
   * Give every member a TLS client port too (`secureClientPort`, after all other ports). The TLS
   * settings themselves go in `extraConfig`: ZooKeeper turns zoo.cfg keys it does not know into
   * `zookeeper.<key>` system properties, e.g. `serverCnxnFactory`, `ssl.keyStore.location`,
   * `ssl.clientAuth`, `authProvider.x509`. Default `false`.
   */
  readonly secureClientPort?: boolean;
  /** Config lines added to (or overriding) every member's config, e.g. `{ maxSessionTimeout: "30000" }`. */
  readonly extraConfig?: Readonly<Record<string, string>>;
  /** Extra JVM flags, e.g. `-Dreadonlymode.enabled=true` for system properties zoo.cfg cannot set. Default none. */
  readonly jvmFlags?: readonly string[];
  /**
   * Keep the members running after this process exits. Default `false`: members started by
   * this process for this ensemble are SIGKILLed when it exits, so a crashed test leaves nothing.
   */
  readonly outlive?: boolean;
  /** How long to wait for every member to serve and one to lead. Default 60000. */
  readonly timeoutMs?: number;
}

/** Options of {@link stopEnsemble}. */
export interface StopEnsembleOptions {
  /** Keep the dir with state, configs, data and logs. Default `false`. */
  readonly keepDir?: boolean;
}

/**
 * Writes one config per member, starts each as its own JVM and waits until every member
 * answers `ruok` with `imok`, reports a serving mode in `srvr`, and exactly one leads.
 *
 * @throws when ZooKeeper's jars are missing, the dir holds a running ensemble, or a member exits
 * or does not serve in time; the message names the member and ends with the tail of its log.
 * Members already started are killed; the dir is kept for inspection.
 */
export declare function startEnsemble(options?: StartEnsembleOptions): Promise<Ensemble>;

/** Reads `<dir>/ensemble.json`. @throws when there is none. */
export declare function loadEnsemble(dir: string): Ensemble;

/**
 * Sends a ZooKeeper four-letter word (`ruok`, `srvr`, `mntr`, `conf`, ...) over raw TCP and
 * returns the whole answer.
 *
 * @param timeoutMs - default 2000
 * @throws when the connection fails or no complete answer arrives in time (e.g. a paused member).
 */
export declare function fourLetter(
  host: string,
  port: number,
  word: string,
  timeoutMs?: number,
): Promise<string>;

/** The member's mode; `"down"` when stopped, paused, not serving, or not answering. */
export declare function memberMode(ensemble: Ensemble, id: number): Promise<MemberMode>;

/** Id of the member in mode leader (or standalone); `undefined` when none leads right now. */
export declare function leaderId(ensemble: Ensemble): Promise<number | undefined>;

/**
 * Waits until exactly one member leads and a majority serve, and returns the leader's id.
 *
 * @throws after `timeoutMs` with every member's mode in the message.
 */
export declare function waitForQuorum(ensemble: Ensemble, timeoutMs: number): Promise<number>;

/**
 * Stops a member gracefully: SIGTERM (and SIGCONT, in case it is paused), SIGKILL after 10 s.
 * Returns the updated state, with the member's pid `null`. A member not running is left as is.
 */
export declare function stopMember(ensemble: Ensemble, id: number): Promise<Ensemble>;

/** SIGKILLs a member and waits until it is gone. Returns the updated state, with its pid `null`. */
export declare function killMember(ensemble: Ensemble, id: number): Promise<Ensemble>;

/** SIGSTOPs a member: it keeps its sockets but answers nothing. @throws when it is not running. */
export declare function pauseMember(ensemble: Ensemble, id: number): Promise<Ensemble>;

/** SIGCONTs a paused member. @throws when it is not running. */
export declare function resumeMember(ensemble: Ensemble, id: number): Promise<Ensemble>;

/**
 * Stops the member if it runs, starts it again from the same config and data, and waits
 * until it serves again (leader or follower). Returns the updated state, with the new pid.
 *
 * @param timeoutMs - default 60000
 */
export declare function restartMember(ensemble: Ensemble, id: number, timeoutMs?: number): Promise<Ensemble>;

/**
 * Resumes paused members, stops all of them, then removes their files and the state file, and
 * the dir itself when nothing else is in it (unless `keepDir`).
 */
export declare function stopEnsemble(ensemble: Ensemble, options?: StopEnsembleOptions): Promise<void>;

/**
 * SIGKILLs every member recorded in `<dir>/ensemble.json` that still runs its config, with its
 * process group; for a jest globalTeardown. Returns the pids killed; `[]` when there is no state.
 */
export declare function killAllRecorded(dir: string): Promise<number[]>;

/**
 * Runs `apt-get update` and `apt-get install -y zookeeper` when `zkServer.sh` is missing.
 * Resolves `true` when it installed, `false` when ZooKeeper was already there.
 *
 * @throws when not root or apt-get fails, naming the command that failed.
 */
export declare function ensureZooKeeperInstalled(): Promise<boolean>;
