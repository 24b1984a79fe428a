// The example store of docs/writing-a-store.md passes the conformance kit, as the guide promises.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MapStore } from "../../examples/map_store.ts";
import { verifyStore } from "../../src/testing/mod.ts";
import { FIXED_SEED } from "../_support/_budget.ts";

describe("the example store of the store writers' guide", () => {
  it("passes verifyStore with the default budget", async () => {
    const report = await verifyStore(({ clock, random, maxDataBytes }) => {
      const store = new MapStore({ clock, random, maxDataBytes });
      return { store, dump: () => store.dump() };
    }, { name: "MapStore", seed: FIXED_SEED });
    assert.equal(report.seed, FIXED_SEED);
  });
});
