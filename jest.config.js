/** Test tiers as jest projects (docs/DESIGN.md §5). Servers are started once per run in globalSetup. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }];
const tier = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: "node",
  transform: { "^.+\\.ts$": tsJest },
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  // The provider plugin's staging copy (scripts/plugin.sh) holds another package.json of this package.
  modulePathIgnorePatterns: ["<rootDir>/build/"],
  ...extra,
});

const servers = (name) => ({
  globalSetup: `<rootDir>/test/support/setup-${name}.ts`,
  globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
});

module.exports = {
  // e2e and fault tests drive whole `pulumi up` runs; they set longer timeouts themselves.
  testTimeout: 60_000,
  projects: [
    tier("unit"),
    tier("integration", servers("integration")),
    tier("e2e", servers("e2e")),
    tier("interop", servers("interop")),
    tier("fault", servers("fault")),
    // Model-based: random sequences of provider calls, foreign writes and faults (docs/RELIABILITY.md).
    tier("adversary", servers("adversary")),
  ],
};
