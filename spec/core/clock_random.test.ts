import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, seededRandom, systemClock, webCryptoRandom } from "../../mod.ts";

describe("clock and random", () => {
  it("ManualClock moves only forward, by whole milliseconds", () => {
    const clock = new ManualClock(10);
    assert.equal(clock.advance(5), 15);
    clock.set(20);
    assert.equal(clock.now(), 20);
    assert.throws(() => clock.set(19), { code: "invalid-argument" });
    assert.throws(() => clock.advance(-1), { code: "invalid-argument" });
    assert.throws(() => clock.advance(0.5), { code: "invalid-argument" });
    assert.throws(() => new ManualClock(-1), RangeError);
    assert.equal(clock.now(), 20);
  });

  it("systemClock reads epoch milliseconds", () => {
    const now = systemClock.now();
    assert.ok(Number.isSafeInteger(now) && Math.abs(now - Date.now()) < 1_000);
  });

  it("seededRandom is deterministic and webCryptoRandom is not", () => {
    assert.deepEqual(
      seededRandom(3).fill(new Uint8Array(16)),
      seededRandom(3).fill(new Uint8Array(16)),
    );
    assert.notDeepEqual(
      seededRandom(3).fill(new Uint8Array(16)),
      seededRandom(4).fill(new Uint8Array(16)),
    );
    assert.notDeepEqual(
      webCryptoRandom.fill(new Uint8Array(16)),
      webCryptoRandom.fill(new Uint8Array(16)),
    );
  });
});
