import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConformanceError, verifyStore } from "../src/testing/mod.ts";
import { brokenStores } from "./_broken_stores.ts";
import { FIXED_SEED } from "./_budget.ts";

// The default budget, on a fixed seed so the test is deterministic. Over 100 random seeds the
// default budget rejected 10 of these in every run, the reuse/grandparent/off-by-one ones in 97-99 %.
describe("the conformance kit rejects deliberately broken stores with its default budget", () => {
  for (const [defect, make] of Object.entries(brokenStores)) {
    it(`rejects a store that ${defect}`, async () => {
      const error = await verifyStore((ctx) => {
        const store = make(ctx);
        return { store, dump: () => store.dump() };
      }, { name: defect, seed: FIXED_SEED }).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof ConformanceError, `the kit accepted a store that ${defect}`);
      assert.match(error.message, /replay: verifyStore\(factory, \{ seed: -?\d+/);
    });
  }
});
