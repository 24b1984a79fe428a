import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The spec suite is written once against node:test; vitest runs it by aliasing the module.
    alias: [{ find: /^node:test$/, replacement: "vitest" }],
  },
  test: {
    include: ["spec/**/*.test.ts"],
    // A guard against hangs, not a speed gate: the kit on a real Redis at the CI budget takes minutes.
    testTimeout: 900_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
