// The manager's default throttled slide (slideThreshold 0.5) and the idle timeout it guarantees:
// after the last request a session lives at least θ·T and at most T, whatever the rhythm of the
// requests before it; slideThreshold 1 slides on every request.
import { describe, it } from "node:test";
import { after } from "../_support/_hooks.ts";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AccessTokenKey, AccessTokenKeySet } from "../../mod.ts";
import { FIXED_SEED } from "../_support/_budget.ts";
import { managerSetup, storeKinds } from "../_support/_manager_stores.ts";

const START = 1_900_000_000_000;
const T = 60 * 60_000;
const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
const alive = (p: Promise<unknown>) => p.then(() => true, () => false);

for (const kind of storeKinds()) {
  describe(`the default slide on ${kind.name}`, () => {
    after(() => kind.close());

    it("slides only once less than half the idle TTL remains", async () => {
      const { manager, clock } = await managerSetup(kind, START, keys);
      const { credential } = await manager.login("ada");
      clock.advance(T / 2);
      assert.equal((await manager.validate(credential)).session.lastActiveAt, START, "throttled");
      clock.advance(1);
      assert.equal((await manager.validate(credential)).session.lastActiveAt, START + T / 2 + 1);
    });

    it("slideThreshold 1 slides on every request", async () => {
      const { manager, clock } = await managerSetup(kind, START, keys, {
        session: { slideThreshold: 1 },
      });
      const { credential } = await manager.login("ada");
      clock.advance(1);
      assert.equal((await manager.validate(credential)).session.idleExpiresAt, START + 1 + T);
    });

    it("after the last request a session lives at least T/2 and at most T", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: T - 1 }), { maxLength: 8 }),
          fc.integer({ min: 0, max: T }),
          async (gaps, probe) => {
            const { manager, clock } = await managerSetup(kind, START, keys);
            const { credential } = await manager.login("ada");
            let last = START;
            for (const gap of gaps) {
              clock.advance(gap);
              if (!(await alive(manager.validate(credential)))) return; // a too long pause ended it
              last = clock.now();
            }
            clock.set(last + probe);
            const live = await alive(manager.validate(credential));
            if (probe < T / 2) assert.ok(live, `dead ${probe} ms after the last request`);
            if (probe >= T) assert.ok(!live, `alive ${probe} ms after the last request`);
          },
        ),
        { numRuns: 40, seed: FIXED_SEED },
      );
    });
  });
}
