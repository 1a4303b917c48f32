#!/usr/bin/env node
// Prints the closing lines of jest --json runs, given as leg=file: per leg, every failed test and
// every suite that could not run, each with the first lines of its message, then the counts.
// Exits 1 when anything failed, or when a test was skipped under CI=true (no tier may skip there).
"use strict";
const fs = require("fs");
const path = require("path");

// The first n lines, and any later line that says how to replay a generated case.
const lines = (text, n) =>
  String(text)
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line, i) => i < n || /Replay:|seed: -?\d+/.test(line))
    .map((line) => `      ${line}`);

let ok = true;
for (const arg of process.argv.slice(2)) {
  const [leg, file] = arg.includes("=") ? arg.split(/=(.*)/s) : ["jest", arg];
  let results;
  try {
    results = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    console.log(`${leg}: jest wrote no results (${err.message}): see its output above`);
    ok = false;
    continue;
  }
  for (const suite of results.testResults) {
    const name = path.relative(process.cwd(), suite.name);
    if (suite.status === "failed" && suite.assertionResults.every((t) => t.status !== "failed")) {
      console.log(`  ${leg}: suite failed to run: ${name}`);
      console.log(lines(suite.message, 12).join("\n"));
    }
    for (const test of suite.assertionResults) {
      if (test.status !== "failed") continue;
      console.log(`  ${leg}: failed: ${name} > ${test.fullName}`);
      console.log(lines(test.failureMessages.join("\n"), 12).join("\n"));
    }
  }
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  console.log(
    `${leg}: jest: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped`,
  );
  if (failed > 0 || !results.success) ok = false;
  if (process.env.CI === "true" && results.numPendingTests > 0) {
    console.log(`${leg}: skipped tests are not allowed under CI`);
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
