#!/usr/bin/env node
// Prints the closing lines of a jest --json run: the counts, then every failed test and every
// suite that could not run, each with the first lines of its message. Exits 1 when anything
// failed, or when a test was skipped under CI=true (no tier may skip there).
"use strict";
const fs = require("fs");
const path = require("path");

const results = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
// The first n lines, and any later line that says how to replay a generated case.
const lines = (text, n) =>
  String(text)
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line, i) => i < n || /Replay:|seed: -?\d+/.test(line))
    .map((line) => `      ${line}`);

for (const suite of results.testResults) {
  const file = path.relative(process.cwd(), suite.name);
  if (suite.status === "failed" && suite.assertionResults.every((t) => t.status !== "failed")) {
    console.log(`  suite failed to run: ${file}`);
    console.log(lines(suite.message, 12).join("\n"));
  }
  for (const test of suite.assertionResults) {
    if (test.status !== "failed") continue;
    console.log(`  failed: ${file} > ${test.fullName}`);
    console.log(lines(test.failureMessages.join("\n"), 12).join("\n"));
  }
}
const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
console.log(`jest: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped`);
if (process.env.CI === "true" && results.numPendingTests > 0) {
  console.error("skipped tests are not allowed under CI");
  process.exit(1);
}
process.exit(failed > 0 || !results.success ? 1 : 0);
