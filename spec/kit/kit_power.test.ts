import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConformanceError, verifyStore } from "../../src/testing/mod.ts";
import { allBrokenStores } from "./_all_broken_stores.ts";
import { FIXED_SEED } from "../_support/_budget.ts";

// The default budget, on a fixed seed so the test is deterministic (no shrinking: the verdict is
// what is tested here). Rejection rates over 100 random seeds: docs/kit-power.md
// (scripts/kit_power.ts).
describe("the conformance kit rejects deliberately broken stores with its default budget", () => {
  for (const [defect, make] of Object.entries(allBrokenStores)) {
    it(`rejects a store that ${defect}`, async () => {
      const error = await verifyStore((ctx) => {
        const store = make(ctx);
        return { store, dump: () => store.dump() };
      }, { name: defect, seed: FIXED_SEED, shrink: false }).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof ConformanceError, `the kit accepted a store that ${defect}`);
      assert.match(error.message, /replay: verifyStore\(factory, \{ seed: -?\d+/);
    });
  }
});
