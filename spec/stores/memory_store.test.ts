import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryStore, seededRandom } from "../../mod.ts";
import { verifyStore } from "../../src/testing/mod.ts";
import { sessionKey } from "../../src/stores/_memory_record.ts";
import { RUNS, SEEDS } from "../_support/_budget.ts";

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

  it("finds nothing under an unknown session id whose index key is taken", async () => {
    const store = new MemoryStore({ clock: new ManualClock(0), random: seededRandom(3) });
    const made = await store.create({ userId: "ada", idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
    assert.equal(made.status, "created");
    if (made.status !== "created") return;
    const [id, secret] = made.credential.split(".") as [string, string];
    // Raising one character by 1 and lowering the next by 31 keeps the 31-based hash.
    const forged = collidingId(id);
    assert.notEqual(forged, id);
    assert.equal(sessionKey(forged), sessionKey(id));
    assert.equal(await store.get(forged), null);
    assert.equal((await store.validate(`${forged}.${secret}`)).status, "invalid");
    assert.equal((await store.validate(made.credential)).status, "valid");
  });

  it("keeps every field of a session through its stored record", async () => {
    const store = new MemoryStore({ clock: new ManualClock(5), random: seededRandom(4) });
    const device = { userAgent: "Ünïcødé ✓", ip: "", label: "x".repeat(512) };
    const data = { name: "Ådа 😀", list: [1, 2.5, null, "\u0000"] };
    const made = await store.create({
      userId: "用户".repeat(128),
      kind: "refresh",
      data,
      device,
      idleTtlMs: 2 ** 40,
      absoluteTtlMs: 2 ** 52,
    });
    assert.equal(made.status, "created");
    if (made.status !== "created") return;
    const got = await store.get(made.session.id);
    assert.deepEqual(got, made.session);
    assert.deepEqual(got?.device, device);
    assert.deepEqual(got?.data, data);
    assert.equal(got?.idleExpiresAt, 5 + 2 ** 40);
  });

  it("refuses a bad configuration with a coded error", () => {
    assert.throws(() => new MemoryStore({ maxDataBytes: 0 }), { code: "invalid-argument" });
    assert.throws(() => new MemoryStore({ sweepBatch: 0 }), { code: "invalid-argument" });
  });
});

const BASE64URL = /^[A-Za-z0-9_-]$/;

/** A different session id with the same index key (throws if the id offers no such pair). */
function collidingId(id: string): string {
  for (let i = 0; i + 1 < id.length; i++) {
    for (const step of [1, -1]) {
      const a = String.fromCharCode(id.charCodeAt(i) + step);
      const b = String.fromCharCode(id.charCodeAt(i + 1) - 31 * step);
      if (BASE64URL.test(a) && BASE64URL.test(b)) return id.slice(0, i) + a + b + id.slice(i + 2);
    }
  }
  throw new Error("No colliding pair in this id");
}
