// The only test StrykerJS runs (vitest.mutation.config.ts): the conformance kit, default budget,
// fixed seed, on MemoryStore. A mutant of MemoryStore survives exactly when the kit cannot tell
// it from the model. No shrinking: only the verdict counts, and shrinking a killed mutant's
// failure can outlast Stryker's timeout on a loaded machine. Not a *.test.ts file: the regular suites do not pick it up.
import { describe, it } from "node:test";
import { MemoryStore } from "../../../src/stores/memory_store.ts";
import { verifyStore } from "../../../src/testing/mod.ts";

export const MUTATION_SEED = 20261202;

describe("mutation testing", () => {
  it("the conformance kit accepts MemoryStore", async () => {
    await verifyStore(({ clock, random, maxDataBytes }) => {
      const store = new MemoryStore({ clock, random, maxDataBytes });
      return { store, dump: () => store.dump() };
    }, { name: "MemoryStore", seed: MUTATION_SEED, shrink: false });
  });
});
