import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The spec suite is written once against node:test; vitest runs it by aliasing the module.
    alias: [{ find: /^node:test$/, replacement: "vitest" }],
  },
  test: {
    include: ["spec/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
