"use strict";
// Runs the benchmarks' TypeScript in place (`node -r ./bench/register.js bench/run.ts`): each .ts
// file is transpiled on load, types stripped; types are checked separately
// (`npx tsc -p bench/tsconfig.json`, which scripts/bench.sh runs first). So a run needs neither
// ts-node nor a build directory, and __dirname stays the source's. Transpiled files are cached by
// content, and the TypeScript compiler is loaded only on a miss, so the lookup workers (whose peak
// RSS is reported) do not carry the compiler's 50 MB.
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");

const CACHE_DIR = path.join(os.tmpdir(), "pzk-bench-ts-cache");
let typescript;

function transpile(source, filename) {
  typescript ??= require("typescript");
  const compilerOptions = {
    module: typescript.ModuleKind.CommonJS,
    target: typescript.ScriptTarget.ES2022,
    esModuleInterop: true,
  };
  return typescript.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

Module._extensions[".ts"] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto.createHash("sha256").update(filename).update("\0").update(source).digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, "utf8");
  } catch {
    output = transpile(source, filename);
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
