// Token cutoffs of one session or user merge while in force and are forgotten once past: the
// model, MemoryStore and the guide's example store agree (the kit's revocation histories check
// every store the same way; this pins the semantics in plain words).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { ReferenceStore } from "../../src/model/reference_store.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import { MapStore } from "../../examples/map_store.ts";

const stores: Record<string, (clock: ManualClock) => SessionStore> = {
  "the model": (clock) => new ReferenceStore({ clock }),
  MemoryStore: (clock) => new MemoryStore({ clock }),
  "the example store": (clock) => new MapStore({ clock }),
};
const token = (issuedAt: number) => ({ jti: "j", sessionId: "s1", userId: "u1", issuedAt });

for (const [name, make] of Object.entries(stores)) {
  describe(`token cutoffs in ${name}`, () => {
    it("a cutoff still in force merges: the larger issuedBefore and the larger until win", async () => {
      const clock = new ManualClock(1_000);
      const store = make(clock);
      await store.revokeTokens({ userId: "u1", issuedBefore: 900, until: 2_000 });
      await store.revokeTokens({ userId: "u1", issuedBefore: 500, until: 3_000 });
      assert.equal(await store.isTokenRevoked(token(800)), true);
      clock.set(2_500);
      assert.equal(await store.isTokenRevoked(token(800)), true);
      assert.equal(await store.isTokenRevoked(token(900)), false);
    });

    it("a cutoff whose until has passed is gone: a later cutoff does not merge with it", async () => {
      const clock = new ManualClock(1_000);
      const store = make(clock);
      await store.revokeTokens({ userId: "u1", issuedBefore: 900, until: 1_500 });
      clock.set(1_500);
      await store.revokeTokens({ userId: "u1", issuedBefore: 500, until: 3_000 });
      assert.equal(await store.isTokenRevoked(token(800)), false);
      assert.equal(await store.isTokenRevoked(token(499)), true);
    });
  });
}
