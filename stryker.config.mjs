// StrykerJS: mutates MemoryStore and runs only the conformance kit (docs/mutation.md).
// `npm run mutation` writes reports/mutation/ (gitignored).
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner", "./stryker-ignorer.mjs"],
  ignorers: ["outside-contract"],
  mutate: ["src/stores/memory_store.ts", "src/stores/_memory_record.ts"],
  coverageAnalysis: "perTest",
  reporters: ["clear-text", "html", "json", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 95, low: 90, break: 95 },
  concurrency: 2,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
