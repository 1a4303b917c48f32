// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "**/node_modules/**", "coverage/**", "**/*.d.ts", ".tmp*/**"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  // Type-checked: unsafe `any`, floating promises, unneeded assertions and the like are errors. The
  // root tsconfig covers every TypeScript file, examples included (their imports of pulumi-zookeeper
  // resolve to provider/ through its paths).
  ...tseslint.configs.recommendedTypeCheckedOnly.map((config) => ({ ...config, files: ["**/*.ts"] })),
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
  },
  {
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      // The dynamic-provider shims must call require() inside serialized methods (docs/DESIGN.md §4).
      "@typescript-eslint/no-require-imports": "off",
      // A type-only import must say so: the package's entry points must not load zod or the
      // ZooKeeper client until used, and test/unit/lazyLoading.test.ts checks that they do not.
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
