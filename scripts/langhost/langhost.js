"use strict";
// A small Pulumi language host for Node.js programs ("pulumi-language-nodejs"), used when the
// official Go host cannot be built (the Go module proxy refuses its module). It implements the
// LanguageRuntime gRPC service from pulumi/language.proto well enough for `pulumi preview/up/
// refresh/destroy` of JavaScript and TypeScript programs: it launches `@pulumi/pulumi/cmd/run`
// like the official host does. It reports no required plugins, so programs that use resource
// providers other than dynamic ones need their plugins installed by other means.

const childProcess = require("child_process");
const fs = require("fs");
const net = require("net");
const path = require("path");

// Exit code of @pulumi/pulumi/cmd/run meaning "an actionable message was already shown".
const BAIL_EXIT_CODE = 32;
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;
const BOOLEAN_FLAGS = new Set(["version", "logtostderr", "alsologtostderr", "logflow"]);

// Go-style flag parsing: -name value, -name=value, --name ...; flags end at the first positional
// argument or at "--". Unknown flags are accepted and ignored.
function parseArgs(argv) {
  const flags = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    if (eq >= 0) {
      flags[body.slice(0, eq)] = body.slice(eq + 1);
    } else if (BOOLEAN_FLAGS.has(body) || i + 1 >= argv.length) {
      flags[body] = "true";
    } else {
      flags[body] = argv[++i];
    }
  }
  return { flags, positional: argv.slice(i) };
}

// Resolves `request` (a module id) from the first directory that has it.
function resolveFrom(dirs, request) {
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      return require.resolve(request, { paths: [dir] });
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

const repoDir = path.resolve(__dirname, "..", "..");

// The gRPC stubs: from the program's @pulumi/pulumi when there is one (the engine starts us in the
// program directory), else from this repository's node_modules. grpc-js and google-protobuf must
// be the very instances the stubs use, because the stubs' serializers check `instanceof`.
function loadProto() {
  const languageGrpc = resolveFrom([process.cwd(), repoDir], "@pulumi/pulumi/proto/language_grpc_pb.js");
  if (!languageGrpc) {
    throw new Error(`cannot find @pulumi/pulumi from ${process.cwd()} or ${repoDir}`);
  }
  const protoDir = path.dirname(languageGrpc);
  return {
    grpc: require(require.resolve("@grpc/grpc-js", { paths: [protoDir] })),
    service: require(languageGrpc).LanguageRuntimeService,
    language: require(path.join(protoDir, "language_pb.js")),
    plugin: require(path.join(protoDir, "plugin_pb.js")),
    empty: require(require.resolve("google-protobuf/google/protobuf/empty_pb.js", { paths: [protoDir] })),
  };
}

// Runtime options from Pulumi.yaml (`runtime: {name: nodejs, options: {...}}`).
function parseOptions(info) {
  const raw = info && info.getOptions() ? info.getOptions().toJavaScript() : {};
  const opts = { typescript: true, tsconfig: "", nodeargs: "" };
  if (raw.typescript !== undefined) {
    if (typeof raw.typescript !== "boolean") throw new Error("typescript option must be a boolean");
    opts.typescript = raw.typescript;
  }
  if (raw.tsconfig !== undefined) {
    if (typeof raw.tsconfig !== "string") throw new Error("tsconfigpath option must be a string");
    opts.tsconfig = raw.tsconfig;
  }
  if (raw.nodeargs !== undefined) {
    if (typeof raw.nodeargs !== "string") throw new Error("nodeargs option must be a string");
    opts.nodeargs = raw.nodeargs;
  }
  return opts;
}

// The SDK expects config keys in the old `<namespace>:config:<name>` form.
function constructConfig(configMap) {
  const out = {};
  for (const [key, value] of configMap.entries()) {
    const parts = key.split(":");
    if (parts.length === 2) {
      out[`${parts[0]}:config:${parts[1]}`] = value;
    } else if (parts.length === 3 && parts[1] === "config") {
      out[key] = value;
    } else {
      throw new Error(
        `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
      );
    }
  }
  return JSON.stringify(out);
}

function findOnPath(name) {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

// The host's version is that of the @pulumi/pulumi whose stubs it loads (the program's, else ours).
function sdkVersion() {
  const pkg = resolveFrom([process.cwd(), repoDir], "@pulumi/pulumi/package.json");
  return pkg ? JSON.parse(fs.readFileSync(pkg, "utf8")).version : "0.0.0";
}

function main(argv) {
  const { flags, positional } = parseArgs(argv);
  if (flags.version !== undefined) {
    process.stdout.write(`${sdkVersion()}\n`);
    return;
  }
  if (flags.runtime && flags.runtime !== "nodejs") {
    process.stderr.write(`error: unsupported runtime: ${flags.runtime}\n`);
    process.exit(1);
  }

  const pb = loadProto();
  const { grpc, language } = pb;
  const state = {
    engineAddress: positional.length > 0 ? positional[positional.length - 1] : "",
    tracing: flags.tracing || "",
    children: new Set(),
  };

  const killChild = (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGINT");
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }, 5000).unref();
  };

  const unary = (fn) => (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (resp) => callback(null, resp),
        (err) => callback({ code: grpc.status.UNKNOWN, details: String((err && err.message) || err) }),
      );
  };

  const run = (req, call) => {
    const info = req.getInfo();
    if (!info) throw new Error("RunRequest is missing program info");
    const programDir = info.getProgramDirectory() || req.getPwd() || process.cwd();
    const resp = new language.RunResponse();

    const nodeBin = findOnPath("node") || process.execPath;
    const runModule = process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run";
    const runPath = resolveFrom([programDir, process.cwd(), repoDir], runModule);
    if (!runPath) {
      resp.setError("It looks like the Pulumi SDK has not been installed. Have you run pulumi install?");
      return resp;
    }

    let opts;
    let config;
    try {
      opts = parseOptions(info);
      config = constructConfig(req.getConfigMap());
    } catch (err) {
      resp.setError(err.message);
      return resp;
    }

    const args = opts.nodeargs.split(" ").filter((a) => a !== "");
    args.push(runPath);
    const maybe = (name, value) => {
      if (value !== undefined && value !== null && value !== "") args.push(`--${name}`, String(value));
    };
    maybe("monitor", req.getMonitorAddress());
    maybe("engine", state.engineAddress);
    maybe("organization", req.getOrganization());
    maybe("project", req.getProject());
    maybe("root-directory", info.getRootDirectory());
    maybe("stack", req.getStack());
    maybe("pwd", programDir);
    if (req.getDryrun()) args.push("--dry-run");
    maybe("parallel", req.getParallel());
    maybe("tracing", state.tracing);
    args.push(info.getEntryPoint() || ".", ...req.getArgsList());

    const env = {
      ...process.env,
      PULUMI_CONFIG: config,
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    };
    if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;

    return new Promise((resolve) => {
      let child;
      try {
        child = childProcess.spawn(nodeBin, args, {
          cwd: programDir,
          env,
          stdio: ["ignore", "inherit", "inherit"],
        });
      } catch (err) {
        resp.setError(`Problem executing program (could not run language executor): ${err.message}`);
        resolve(resp);
        return;
      }
      state.children.add(child);
      const onCancelled = () => killChild(child);
      call.on("cancelled", onCancelled);
      child.on("error", (err) => {
        state.children.delete(child);
        resp.setError(`Problem executing program (could not run language executor): ${err.message}`);
        resolve(resp);
      });
      child.on("exit", (code, signal) => {
        state.children.delete(child);
        call.removeListener("cancelled", onCancelled);
        if (code === 0) {
          // success
        } else if (code === BAIL_EXIT_CODE) {
          resp.setBail(true);
        } else if (code !== null) {
          resp.setError(`Program exited with non-zero exit code: ${code}`);
        } else {
          resp.setError(`Program exited unexpectedly: signal ${signal}`);
        }
        resolve(resp);
      });
    });
  };

  const installDependencies = (call) => {
    const req = call.request;
    const info = req.getInfo();
    const dir = (info && info.getProgramDirectory()) || req.getDirectory() || process.cwd();
    const send = (setter, data) => {
      const msg = new language.InstallDependenciesResponse();
      msg[setter](new Uint8Array(data));
      call.write(msg);
    };
    send("setStdout", Buffer.from("Installing dependencies...\n\n"));
    const npm = findOnPath("npm");
    if (!npm) {
      call.destroy({ code: grpc.status.UNKNOWN, details: "could not find npm on the $PATH" });
      return;
    }
    const child = childProcess.spawn(npm, ["install"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    state.children.add(child);
    child.stdout.on("data", (d) => send("setStdout", d));
    child.stderr.on("data", (d) => send("setStderr", d));
    child.on("error", (err) => {
      state.children.delete(child);
      call.destroy({ code: grpc.status.UNKNOWN, details: `npm install failed: ${err.message}` });
    });
    child.on("close", (code) => {
      state.children.delete(child);
      if (code === 0) {
        send("setStdout", Buffer.from("Finished installing dependencies\n\n"));
        call.end();
      } else {
        call.destroy({ code: grpc.status.UNKNOWN, details: `npm install failed: exit code ${code}` });
      }
    });
  };

  const about = () => {
    const resp = new language.AboutResponse();
    const nodeBin = findOnPath("node") || process.execPath;
    resp.setExecutable(nodeBin);
    try {
      resp.setVersion(childProcess.execFileSync(nodeBin, ["--version"], { encoding: "utf8" }).trim());
    } catch {
      // the version is optional
    }
    resp.getMetadataMap().set("packagemanager", "npm");
    return resp;
  };

  const impl = {
    handshake: unary((req) => {
      state.engineAddress = req.getEngineAddress();
      return new language.LanguageHandshakeResponse();
    }),
    getPluginInfo: unary(() => {
      const info = new pb.plugin.PluginInfo();
      info.setVersion(sdkVersion());
      return info;
    }),
    getRequiredPlugins: unary(() => new language.GetRequiredPluginsResponse()),
    getRequiredPackages: unary(() => new language.GetRequiredPackagesResponse()),
    getProgramDependencies: unary(() => new language.GetProgramDependenciesResponse()),
    runtimeOptionsPrompts: unary(() => new language.RuntimeOptionsResponse()),
    template: unary(() => new language.TemplateResponse()),
    about: unary(about),
    run: unary(run),
    installDependencies,
    cancel: unary(() => {
      for (const child of state.children) killChild(child);
      return new pb.empty.Empty();
    }),
  };

  // Methods missing from `impl` are answered with UNIMPLEMENTED by grpc-js.
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  server.addService(pb.service, impl);
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      process.stderr.write(`error: could not start language host RPC server: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${port}\n`);
    watchEngine(state, killChild);
  });

  const shutdown = () => {
    for (const child of state.children) killChild(child);
    server.forceShutdown();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

// Exit once the engine has been unreachable for a minute, so a killed `pulumi` does not leave us
// (and the program we run) behind. The official host does this with a gRPC health check.
function watchEngine(state, killChild) {
  let failingSince = 0;
  const timer = setInterval(() => {
    const match = /^(.*):(\d+)$/.exec(state.engineAddress || "");
    if (!match) return;
    const socket = net.connect({
      host: match[1].replace(/^\[|\]$/g, "") || "127.0.0.1",
      port: Number(match[2]),
    });
    socket.setTimeout(5000);
    const done = (ok) => {
      socket.destroy();
      if (ok) {
        failingSince = 0;
      } else if (!failingSince) {
        failingSince = Date.now();
      } else if (Date.now() - failingSince > 60000) {
        for (const child of state.children) killChild(child);
        process.stderr.write("pulumi-language-nodejs: engine is gone, exiting\n");
        setTimeout(() => process.exit(1), 500).unref();
        clearInterval(timer);
      }
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  }, 5000);
  timer.unref();
}

module.exports = { main, parseArgs, constructConfig };
