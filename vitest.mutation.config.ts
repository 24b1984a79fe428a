import { defineConfig } from "vitest/config";

// StrykerJS runs only the conformance kit on MemoryStore (see docs/mutation.md).
export default defineConfig({
  resolve: {
    alias: [{ find: /^node:test$/, replacement: "vitest" }],
  },
  test: {
    include: ["spec/kit/mutation/kit_on_memory_store.ts"],
    testTimeout: 120_000,
    pool: "forks",
  },
});
