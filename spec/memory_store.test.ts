import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryStore, seededRandom } from "../mod.ts";
import { verifyStore } from "../src/testing/mod.ts";
import { RUNS, SEEDS } from "./_budget.ts";

describe("MemoryStore", () => {
  for (const seed of SEEDS) {
    it(`conforms to the model (seed ${seed})`, async () => {
      const report = await verifyStore(({ clock, random }) => {
        const store = new MemoryStore({ clock, random });
        return { store, dump: () => store.dump() };
      }, { name: "MemoryStore", runs: RUNS, raceRuns: Math.ceil(RUNS / 2), seed });
      assert.equal(report.runs, RUNS);
    });
  }

  it("conforms with a small data cap", async () => {
    await verifyStore(({ clock, random, maxDataBytes }) => ({
      store: new MemoryStore({ clock, random, maxDataBytes }),
    }), { runs: 50, raceRuns: 10, maxDataBytes: 64 });
  });

  it("forgets expired sessions through the bounded sweep, without timers", async () => {
    const clock = new ManualClock(0);
    const store = new MemoryStore({ clock, random: seededRandom(1), sweepBatch: 4 });
    for (let i = 0; i < 100; i++) {
      await store.create({ userId: `u${i % 7}`, idleTtlMs: 10, absoluteTtlMs: 10 });
    }
    assert.equal(store.size, 100);
    clock.advance(10);
    for (let i = 0; i < 30; i++) {
      await store.create({ userId: null, idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
    }
    // 30 writes × 4 entries examined ≥ 100 expired sessions examined once.
    assert.equal(store.size, 30);
  });

  it("holds credentials only as hashes", async () => {
    const store = new MemoryStore();
    const created = await store.create({ userId: "ada", idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
    assert.equal(created.status, "created");
    if (created.status !== "created") return;
    const secret = created.credential.split(".")[1]!;
    assert.ok(!store.dump().includes(secret));
  });

  it("refuses a bad configuration with a coded error", () => {
    assert.throws(() => new MemoryStore({ maxDataBytes: 0 }), { code: "invalid-argument" });
    assert.throws(() => new MemoryStore({ sweepBatch: 0 }), { code: "invalid-argument" });
  });
});
