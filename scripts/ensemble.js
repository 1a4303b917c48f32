#!/usr/bin/env node
// A real ZooKeeper ensemble on loopback for tests, the demo and CI (docs/DESIGN.md §5).
// API: see ensemble.d.ts. CLI: `node scripts/ensemble.js --help`.
"use strict";

const fs = require("node:fs");
const fsp = require("node:fs/promises");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const ZK_SERVER_SCRIPT = "/usr/share/zookeeper/bin/zkServer.sh";
const JAVA_DIR = "/usr/share/java";
// zookeeper.jar's manifest Class-Path brings jute, netty, slf4j-api and the rest; the Debian
// scripts add no slf4j binding (so nothing is logged), hence slf4j-simple for per-member logs.
// TLS: the Netty connection factory also needs netty-codec and netty-resolver, which that
// manifest omits (both ship in libnetty-java, a dependency of the zookeeper package).
const CLASSPATH_JARS = ["zookeeper.jar", "slf4j-simple.jar", "netty-codec.jar", "netty-resolver.jar"];
const MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
const JVM_OPTIONS = [
  "-Xmx256m",
  // Three JVMs share two cores: one GC thread each instead of G1's parallel workers.
  "-XX:+UseSerialGC",
  "-Dorg.slf4j.simpleLogger.showDateTime=true",
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS",
];
const STATE_FILE = "ensemble.json";
const PORT_RANGE = { min: 20000, max: 40000 };
const PORTS_PER_MEMBER = 3;
const SERVING_MODES = ["leader", "follower", "standalone"];
const DEFAULT_TICK_MS = 500;
const POLL_MS = 250;
const START_TIMEOUT_MS = 60000;
const STOP_GRACE_MS = 10000;
const KILL_WAIT_MS = 5000;
const LOG_TAIL_LINES = 25;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${Math.round(ms / 100) / 10} s`;

// ---------------------------------------------------------------------------------------------
// Installation and classpath

function isInstalled() {
  return fs.existsSync(ZK_SERVER_SCRIPT);
}

async function ensureZooKeeperInstalled() {
  if (isInstalled()) return false;
  if (process.getuid() !== 0) {
    throw new Error(
      `ZooKeeper is not installed (${ZK_SERVER_SCRIPT} is missing) and installing it needs root: ` +
        "run 'sudo apt-get install -y zookeeper'",
    );
  }
  await runApt(["update"]);
  await runApt(["install", "-y", "zookeeper"]);
  if (!isInstalled()) {
    throw new Error(`apt-get install -y zookeeper succeeded but ${ZK_SERVER_SCRIPT} is missing`);
  }
  return true;
}

function runApt(args) {
  const command = `apt-get ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    // apt's chatter goes to stderr so a caller's stdout stays clean.
    const child = spawn("apt-get", args, {
      stdio: ["ignore", process.stderr, process.stderr],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    child.once("error", (error) => reject(new Error(`could not run ${command}: ${error.message}`)));
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed with ${signal ?? `exit code ${code}`}`)),
    );
  });
}

function classpath() {
  const jars = CLASSPATH_JARS.map((jar) => path.join(JAVA_DIR, jar));
  const missing = jars.filter((jar) => !fs.existsSync(jar));
  if (missing.length > 0) {
    throw new Error(
      `ZooKeeper's jars are missing (${missing.join(", ")}): run 'node scripts/ensemble.js install'`,
    );
  }
  return jars.join(path.delimiter);
}

function javaBinary() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";
}

// ---------------------------------------------------------------------------------------------
// Ports

function portLayout(base, size, secure = false) {
  // Client ports first and adjacent, so a connect string reads base, base+1, base+2.
  return Array.from({ length: size }, (_, index) => ({
    id: index + 1,
    clientPort: base + index,
    quorumPort: base + size + 2 * index,
    electionPort: base + size + 2 * index + 1,
    // TLS: secure client ports come after all the others.
    ...(secure ? { secureClientPort: base + PORTS_PER_MEMBER * size + index } : {}),
  }));
}

function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function allPortsFree(layout) {
  for (const ports of layout) {
    for (const port of [ports.clientPort, ports.quorumPort, ports.electionPort, ports.secureClientPort]) {
      if (port === undefined) continue; // TLS: no secure client port
      if (!(await isPortFree(port))) return false;
    }
  }
  return true;
}

async function choosePorts(size, basePort, secure = false) {
  const count = size * (PORTS_PER_MEMBER + (secure ? 1 : 0));
  if (basePort !== undefined) {
    const layout = portLayout(basePort, size, secure);
    if (await allPortsFree(layout)) return layout;
    throw new Error(`ports ${basePort}-${basePort + count - 1} on 127.0.0.1 are not all free`);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = PORT_RANGE.min + Math.floor(Math.random() * (PORT_RANGE.max - PORT_RANGE.min - count));
    const layout = portLayout(base, size, secure);
    if (await allPortsFree(layout)) return layout;
  }
  throw new Error(
    `found no ${count} free ports on 127.0.0.1 between ${PORT_RANGE.min} and ${PORT_RANGE.max}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Member files

function memberFiles(dir, ports) {
  const memberDir = path.join(dir, `member-${ports.id}`);
  return {
    ...ports,
    pid: null,
    dataDir: path.join(memberDir, "data"),
    configFile: path.join(memberDir, "zoo.cfg"),
    logFile: path.join(memberDir, "zookeeper.log"),
  };
}

function serverLine(member) {
  // 3.5+ dynamic-config syntax: the client address after ';' is published in /zookeeper/config.
  return `127.0.0.1:${member.quorumPort}:${member.electionPort};127.0.0.1:${member.clientPort}`;
}

function renderConfig(member, members, { tickTime, extraConfig }) {
  const settings = {
    tickTime: String(tickTime),
    initLimit: "20",
    syncLimit: "5",
    minSessionTimeout: String(2 * tickTime),
    dataDir: member.dataDir,
    clientPort: String(member.clientPort),
    // TLS: unknown zoo.cfg keys become `zookeeper.<key>` system properties (ssl.*, serverCnxnFactory).
    ...(member.secureClientPort !== undefined
      ? { secureClientPort: String(member.secureClientPort), secureClientPortAddress: "127.0.0.1" }
      : {}),
    "4lw.commands.whitelist": "*",
    reconfigEnabled: "true",
    "admin.enableServer": "false",
    // Even one member runs as a quorum: standalone mode publishes no servers in /zookeeper/config.
    standaloneEnabled: "false",
    skipACL: "no",
    // Tests kill members, never the machine: the page cache keeps what a SIGKILL interrupts.
    forceSync: "no",
    ...Object.fromEntries(members.map((other) => [`server.${other.id}`, serverLine(other)])),
    ...extraConfig,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}\n`)
    .join("");
}

async function writeMemberFiles(members, options) {
  for (const member of members) {
    await fsp.rm(path.dirname(member.configFile), { recursive: true, force: true });
    await fsp.mkdir(member.dataDir, { recursive: true });
    await fsp.writeFile(path.join(member.dataDir, "myid"), `${member.id}\n`);
    await fsp.writeFile(member.configFile, renderConfig(member, members, options));
  }
}

function readLog(member) {
  try {
    return fs.readFileSync(member.logFile, "utf8");
  } catch (error) {
    return `(cannot read ${member.logFile}: ${error.message})`;
  }
}

function memberError(member, problem) {
  const log = readLog(member);
  const tail = log.trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
  const error = new Error(
    `ZooKeeper member ${member.id} (127.0.0.1:${member.clientPort}) ${problem}; see ${member.logFile}\n` +
      `last lines of its log:\n${tail}`,
  );
  error.portClash = log.includes("Address already in use");
  return error;
}

// ---------------------------------------------------------------------------------------------
// State file

function statePath(dir) {
  return path.join(dir, STATE_FILE);
}

function loadEnsemble(dir) {
  const file = statePath(path.resolve(dir));
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") throw new Error(`no ensemble state at ${file}: was it started there?`);
    throw error;
  }
  return JSON.parse(text);
}

function saveEnsemble(ensemble) {
  const file = statePath(ensemble.dir);
  const temporary = `${file}.${process.pid}.tmp`;
  // Written whole then renamed, so a reader in another process never sees half a file.
  fs.writeFileSync(temporary, `${JSON.stringify(ensemble, null, 2)}\n`);
  fs.renameSync(temporary, file);
  return ensemble;
}

function findMember(ensemble, id) {
  const member = ensemble.members.find((candidate) => candidate.id === Number(id));
  if (member) return member;
  const ids = ensemble.members.map((candidate) => candidate.id).join(", ");
  throw new Error(`the ensemble in ${ensemble.dir} has no member ${id} (members: ${ids})`);
}

function recordPid(dir, id, pid) {
  const ensemble = loadEnsemble(dir);
  const members = ensemble.members.map((member) => (member.id === id ? { ...member, pid } : member));
  return saveEnsemble({ ...ensemble, members });
}

function withoutPids(ensemble) {
  return { ...ensemble, members: ensemble.members.map((member) => ({ ...member, pid: null })) };
}

function connectString(members, port = "clientPort") {
  return members.map((member) => `127.0.0.1:${member[port]}`).join(",");
}

// ---------------------------------------------------------------------------------------------
// Processes

// Members started by this process for an ensemble it started without `outlive` die with it.
const ownedDirs = new Set();
const ownedMembers = new Map();
let exitHookInstalled = false;

function killOwnedOnExit() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => ownedMembers.forEach((member) => signalMember(member, "SIGKILL")));
}

function readProc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
}

function processState(pid) {
  const stat = readProc(pid, "stat");
  // The command name in parentheses may hold spaces; the state letter follows the last ')'.
  return stat === null ? null : stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

function isAlive(pid) {
  const state = processState(pid);
  return state !== null && state !== "Z" && state !== "X";
}

// A recorded pid counts only while it still runs this member's config: pids get reused.
function isMemberProcess(member) {
  if (!member.pid || !isAlive(member.pid)) return false;
  const cmdline = readProc(member.pid, "cmdline");
  return cmdline !== null && cmdline.split("\0").includes(member.configFile);
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function signalMember(member, signal) {
  if (!isMemberProcess(member)) return false;
  signalGroup(member.pid, signal);
  return true;
}

async function waitUntilGone(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

async function terminate(member) {
  if (!isMemberProcess(member)) return;
  signalGroup(member.pid, "SIGTERM");
  // A paused JVM keeps SIGTERM pending until it runs again.
  signalGroup(member.pid, "SIGCONT");
  if (!(await waitUntilGone(member.pid, STOP_GRACE_MS))) await forceKill(member);
  ownedMembers.delete(member.pid);
}

async function forceKill(member) {
  if (!signalMember(member, "SIGKILL")) return;
  if (!(await waitUntilGone(member.pid, KILL_WAIT_MS))) {
    throw new Error(
      `ZooKeeper member ${member.id} (pid ${member.pid}) survived SIGKILL for ${seconds(KILL_WAIT_MS)}`,
    );
  }
  ownedMembers.delete(member.pid);
}

async function launch(member, outlive) {
  const cp = classpath();
  const log = fs.openSync(member.logFile, "a");
  fs.writeSync(log, `==== ensemble.js: starting member ${member.id} at ${new Date().toISOString()}\n`);
  const flags = [...JVM_OPTIONS, ...(member.jvmFlags ?? [])];
  const child = spawn(javaBinary(), [...flags, "-cp", cp, MAIN_CLASS, member.configFile], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  await new Promise((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error) => reject(new Error(`could not run ${javaBinary()}: ${error.message}`)));
  });
  child.unref();
  if (!outlive) {
    ownedMembers.set(child.pid, { ...member, pid: child.pid });
    killOwnedOnExit();
  }
  return child.pid;
}

// ---------------------------------------------------------------------------------------------
// Four-letter words and modes

function fourLetter(host, port, word, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`'${word}' to ${host}:${port} got no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle = (finish) => {
      clearTimeout(timer);
      finish();
    };
    socket.on("connect", () => socket.end(word));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => settle(() => resolve(Buffer.concat(chunks).toString("utf8"))));
    socket.on("error", (error) =>
      settle(() => reject(new Error(`'${word}' to ${host}:${port} failed: ${error.message}`))),
    );
  });
}

async function modeAt(port) {
  try {
    if ((await fourLetter("127.0.0.1", port, "ruok")).trim() !== "imok") return "down";
    const match = /^Mode: (\w+)/m.exec(await fourLetter("127.0.0.1", port, "srvr"));
    return match && SERVING_MODES.includes(match[1]) ? match[1] : "down";
  } catch {
    return "down";
  }
}

function memberMode(ensemble, id) {
  return modeAt(findMember(ensemble, id).clientPort);
}

function modesOf(ensemble) {
  return Promise.all(ensemble.members.map((member) => modeAt(member.clientPort)));
}

const isLeading = (mode) => mode === "leader" || mode === "standalone";

async function leaderId(ensemble) {
  const modes = await modesOf(ensemble);
  const index = modes.findIndex(isLeading);
  return index === -1 ? undefined : ensemble.members[index].id;
}

function describeModes(ensemble, modes) {
  return ensemble.members.map((member, index) => `member ${member.id} ${modes[index]}`).join(", ");
}

// Polls `check` until it returns { done: true, value }; a timeout throws its last `failure()`.
async function pollUntil(timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result.done) return result.value;
    if (Date.now() >= deadline) throw result.failure();
    await sleep(POLL_MS);
  }
}

async function startupProgress(ensemble, timeoutMs) {
  const modes = await modesOf(ensemble);
  const waiting = ensemble.members.filter((_, index) => modes[index] === "down");
  const exited = waiting.find((member) => !isAlive(member.pid));
  if (exited) throw memberError(exited, `exited while starting (pid ${exited.pid})`);
  if (waiting.length > 0) {
    return {
      done: false,
      failure: () => memberError(waiting[0], `did not serve within ${seconds(timeoutMs)}`),
    };
  }
  const leaders = modes.filter(isLeading).length;
  if (leaders === 1) return { done: true, value: ensemble };
  const failure = () =>
    new Error(
      `expected one leader after ${seconds(timeoutMs)}, found ${leaders}: ${describeModes(ensemble, modes)}`,
    );
  return { done: false, failure };
}

async function waitForQuorum(ensemble, timeoutMs) {
  return pollUntil(timeoutMs, async () => {
    const modes = await modesOf(ensemble);
    const leaders = modes.filter(isLeading).length;
    const serving = modes.filter((mode) => mode !== "down").length;
    if (leaders === 1 && serving > ensemble.members.length / 2) {
      return { done: true, value: ensemble.members[modes.findIndex(isLeading)].id };
    }
    const failure = () =>
      new Error(
        `the ensemble in ${ensemble.dir} has no quorum after ${seconds(timeoutMs)}: ${describeModes(ensemble, modes)}`,
      );
    return { done: false, failure };
  });
}

// ---------------------------------------------------------------------------------------------
// Ensemble lifecycle

function validateStartOptions({ size, tickTime, basePort }) {
  if (size !== 1 && size !== 3) throw new Error(`an ensemble has 1 or 3 members, not ${size}`);
  if (!Number.isInteger(tickTime) || tickTime <= 0) {
    throw new Error(`tickTime must be a positive integer, not ${tickTime}`);
  }
  if (basePort === undefined) return;
  const highest = 65536 - size * (PORTS_PER_MEMBER + 1);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > highest) {
    throw new Error(`basePort must be an integer from 1024 to ${highest}, not ${basePort}`);
  }
}

function refuseIfRunning(dir) {
  if (!fs.existsSync(statePath(dir))) return;
  const running = loadEnsemble(dir).members.filter(isMemberProcess);
  if (running.length > 0) {
    throw new Error(
      `${dir} already holds a running ensemble (pids ${running.map((m) => m.pid).join(", ")}): stop it first`,
    );
  }
}

async function startEnsemble(options = {}) {
  const settings = {
    size: options.size ?? 3,
    tickTime: options.tickTime ?? DEFAULT_TICK_MS,
    basePort: options.basePort,
    extraConfig: options.extraConfig ?? {},
    // JVM system properties that zoo.cfg cannot set (e.g. readonlymode.enabled), kept per member for restarts.
    jvmFlags: options.jvmFlags ?? [],
    secureClientPort: options.secureClientPort ?? false,
    outlive: options.outlive ?? false,
    timeoutMs: options.timeoutMs ?? START_TIMEOUT_MS,
  };
  validateStartOptions(settings);
  classpath();
  const dir = options.dir
    ? path.resolve(options.dir)
    : await fsp.mkdtemp(path.join(os.tmpdir(), "zk-ensemble-"));
  await fsp.mkdir(dir, { recursive: true });
  refuseIfRunning(dir);
  // Another process may take a port between our check and the JVM's bind: try fresh ports.
  const attempts = settings.basePort === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAttempt(dir, settings);
    } catch (error) {
      if (!error.portClash || attempt >= attempts) throw error;
    }
  }
}

async function startAttempt(dir, settings) {
  const layout = await choosePorts(settings.size, settings.basePort, settings.secureClientPort);
  const files = layout.map((ports) => ({ ...memberFiles(dir, ports), jvmFlags: settings.jvmFlags }));
  await writeMemberFiles(files, settings);
  if (!settings.outlive) ownedDirs.add(dir);
  const ensemble = {
    dir,
    size: settings.size,
    tickTime: settings.tickTime,
    connectString: connectString(files),
    ...(settings.secureClientPort ? { secureConnectString: connectString(files, "secureClientPort") } : {}),
    members: [],
  };
  try {
    for (const member of files) {
      ensemble.members.push({ ...member, pid: await launch(member, settings.outlive) });
      // Recorded at once so killAllRecorded finds members even if this process dies while waiting.
      saveEnsemble(ensemble);
    }
    return await pollUntil(settings.timeoutMs, () => startupProgress(ensemble, settings.timeoutMs));
  } catch (error) {
    await Promise.all(ensemble.members.map(forceKill));
    saveEnsemble(withoutPids(ensemble));
    throw error;
  }
}

async function stopMember(ensemble, id) {
  const member = findMember(loadEnsemble(ensemble.dir), id);
  await terminate(member);
  return recordPid(ensemble.dir, member.id, null);
}

async function killMember(ensemble, id) {
  const member = findMember(loadEnsemble(ensemble.dir), id);
  await forceKill(member);
  return recordPid(ensemble.dir, member.id, null);
}

function signalRunningMember(ensemble, id, signal) {
  const state = loadEnsemble(ensemble.dir);
  const member = findMember(state, id);
  if (!signalMember(member, signal)) throw new Error(`ZooKeeper member ${member.id} is not running`);
  return state;
}

async function pauseMember(ensemble, id) {
  return signalRunningMember(ensemble, id, "SIGSTOP");
}

async function resumeMember(ensemble, id) {
  return signalRunningMember(ensemble, id, "SIGCONT");
}

async function restartMember(ensemble, id, timeoutMs = START_TIMEOUT_MS) {
  const member = findMember(loadEnsemble(ensemble.dir), id);
  await terminate(member);
  const pid = await launch(member, !ownedDirs.has(ensemble.dir));
  const state = recordPid(ensemble.dir, member.id, pid);
  const started = { ...member, pid };
  await pollUntil(timeoutMs, async () => {
    const mode = await modeAt(member.clientPort);
    if (mode !== "down") return { done: true };
    if (!isAlive(pid)) throw memberError(started, `exited while restarting (pid ${pid})`);
    return {
      done: false,
      failure: () => memberError(started, `did not rejoin within ${seconds(timeoutMs)}`),
    };
  });
  return state;
}

async function stopEnsemble(ensemble, options = {}) {
  const state = loadEnsemble(ensemble.dir);
  // terminate() resumes paused members, so none holds up the others.
  await Promise.all(state.members.map(terminate));
  ownedDirs.delete(state.dir);
  if (options.keepDir) {
    saveEnsemble(withoutPids(state));
  } else {
    await removeEnsembleFiles(state);
  }
}

// Removes what startEnsemble wrote; a caller's dir is removed only if nothing else is in it.
async function removeEnsembleFiles(ensemble) {
  for (const member of ensemble.members) {
    await fsp.rm(path.dirname(member.configFile), { recursive: true, force: true });
  }
  await fsp.rm(statePath(ensemble.dir), { force: true });
  await fsp.rmdir(ensemble.dir).catch(() => undefined);
}

async function killAllRecorded(dir) {
  if (!fs.existsSync(statePath(path.resolve(dir)))) return [];
  const ensemble = loadEnsemble(dir);
  const running = ensemble.members.filter(isMemberProcess);
  const pids = running.map((member) => member.pid);
  await Promise.all(running.map(forceKill));
  saveEnsemble(withoutPids(ensemble));
  return pids;
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = `usage: node scripts/ensemble.js <command> [options]
  install                                   apt-get install zookeeper when it is missing (needs root)
  start [--size 1|3] [--dir D] [--base-port P]
                                            start members that outlive this command; prints the
                                            dir on stderr and the connect string on stdout
  status --dir D                            print each member's mode
  stop --dir D [--keep-dir]                 stop all members and remove their files
  kill-all --dir D                          SIGKILL every recorded member
  kill|pause|resume|restart|stop-member --dir D --member N`;

const FLAGS = new Set(["size", "dir", "base-port", "member", "keep-dir"]);

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const flags = {};
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index];
    const name = arg.startsWith("--") ? arg.slice(2) : null;
    if (!FLAGS.has(name)) throw new Error(`unknown argument '${arg}'; run with --help for usage`);
    if (name === "keep-dir") {
      flags.keepDir = true;
      continue;
    }
    const value = rest[++index];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    flags[name] = value;
  }
  return { command, flags };
}

function integerFlag(flags, name) {
  if (flags[name] === undefined) return undefined;
  const value = Number(flags[name]);
  if (!Number.isInteger(value)) throw new Error(`--${name} must be an integer, not '${flags[name]}'`);
  return value;
}

function requiredFlag(flags, name) {
  if (flags[name] === undefined) throw new Error(`this command needs --${name}`);
  return flags[name];
}

function describeProcess(member) {
  if (!isMemberProcess(member)) return "not running";
  return processState(member.pid) === "T" ? `pid ${member.pid} paused` : `pid ${member.pid}`;
}

async function printStatus(dir) {
  const ensemble = loadEnsemble(dir);
  const modes = await modesOf(ensemble);
  ensemble.members.forEach((member, index) =>
    console.log(
      `member ${member.id} ${modes[index]} 127.0.0.1:${member.clientPort} ${describeProcess(member)}`,
    ),
  );
}

const MEMBER_COMMANDS = {
  kill: killMember,
  pause: pauseMember,
  resume: resumeMember,
  restart: restartMember,
  "stop-member": stopMember,
};

async function cli(argv) {
  const { command, flags } = parseArgs(argv);
  if (command === undefined || command === "--help" || command === "help") {
    console.log(USAGE);
  } else if (command === "install") {
    const installed = await ensureZooKeeperInstalled();
    console.error(installed ? "installed zookeeper" : `zookeeper is installed (${ZK_SERVER_SCRIPT})`);
  } else if (command === "start") {
    const ensemble = await startEnsemble({
      size: integerFlag(flags, "size") ?? 3,
      dir: flags.dir,
      basePort: integerFlag(flags, "base-port"),
      outlive: true,
    });
    console.error(ensemble.dir);
    console.log(ensemble.connectString);
  } else if (command === "status") {
    await printStatus(requiredFlag(flags, "dir"));
  } else if (command === "stop") {
    await stopEnsemble(loadEnsemble(requiredFlag(flags, "dir")), { keepDir: flags.keepDir });
  } else if (command === "kill-all") {
    const pids = await killAllRecorded(requiredFlag(flags, "dir"));
    console.error(pids.length > 0 ? `killed pids ${pids.join(", ")}` : "no recorded member was running");
  } else if (Object.hasOwn(MEMBER_COMMANDS, command)) {
    const ensemble = loadEnsemble(requiredFlag(flags, "dir"));
    requiredFlag(flags, "member");
    await MEMBER_COMMANDS[command](ensemble, integerFlag(flags, "member"));
  } else {
    throw new Error(`unknown command '${command}'; run with --help for usage`);
  }
}

module.exports = {
  startEnsemble,
  loadEnsemble,
  fourLetter,
  memberMode,
  leaderId,
  waitForQuorum,
  stopMember,
  killMember,
  pauseMember,
  resumeMember,
  restartMember,
  stopEnsemble,
  killAllRecorded,
  ensureZooKeeperInstalled,
};

if (require.main === module) {
  cli(process.argv.slice(2)).then(
    () => (process.exitCode = 0),
    (error) => {
      console.error(`ensemble: ${error.message.split("\n")[0]}`);
      process.exitCode = 1;
    },
  );
}
