// The kit itself: it accepts the reference, reports failures replayably, and works from a plain
// async function (no test framework needed).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryStore } from "../../mod.ts";
import { ReferenceStore } from "../../src/model/mod.ts";
import { ConformanceError, verifyStore } from "../../src/testing/mod.ts";
import { brokenStores } from "./_broken_stores.ts";

describe("conformance kit", () => {
  it("accepts the reference model wrapped as a store", async () => {
    const report = await verifyStore(({ clock }) => ({ store: new ReferenceStore({ clock }) }), {
      runs: 100,
      raceRuns: 50,
    });
    assert.deepEqual([report.runs, report.raceRuns], [100, 50]);
  });

  it("a failure carries seed and path, and replaying them reproduces the same failure", async () => {
    const make = brokenStores["accepts a rotated-away credential"]!;
    const factory = (ctx: Parameters<typeof make>[0]) => ({ store: make(ctx) });
    const first = await verifyStore(factory, { raceRuns: 0 }).then(() => null, (e: unknown) => e);
    assert.ok(first instanceof ConformanceError);
    assert.match(first.message, /counterexample \(shrunk \d+ times\)/);
    assert.match(first.message, /replay: verifyStore\(factory, \{ seed: /);
    const replay = await verifyStore(factory, {
      raceRuns: 0,
      seed: first.seed,
      ...(first.path === undefined ? {} : { path: first.path }),
      ...(first.replayPath === undefined ? {} : { replayPath: first.replayPath }),
    }).then(() => null, (e: unknown) => e);
    assert.ok(replay instanceof ConformanceError);
    assert.equal(replay.message.split("\n")[1], first.message.split("\n")[1]);
  });

  it("calls cleanup after every run, passing or failing", async () => {
    let made = 0;
    let cleaned = 0;
    await verifyStore(({ clock, random }) => {
      made++;
      return { store: new MemoryStore({ clock, random }), cleanup: () => void cleaned++ };
    }, { runs: 20, raceRuns: 5 });
    assert.equal(cleaned, made);
  });

  it("a store that hangs fails with a timeout instead of hanging the suite", async () => {
    const error = await verifyStore(({ clock }) => {
      const store = new ReferenceStore({ clock });
      store.list = () => new Promise(() => {});
      return { store };
    }, { runs: 3, raceRuns: 0, timeoutMs: 50 }).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof ConformanceError);
    assert.match(error.message, /did not answer within 50 ms/);
  });
});

describe("conformance kit features", () => {
  it("a store without token revocation may declare it; the core is still checked", async () => {
    const unsupported = () => Promise.reject(new Error("Not supported"));
    const withoutTokens = (
      ctx: { clock: import("../../mod.ts").Clock; random: import("../../mod.ts").RandomSource },
    ) => {
      const store = new MemoryStore(ctx);
      store.revokeToken = unsupported;
      store.revokeTokens = unsupported;
      store.isTokenRevoked = unsupported;
      return { store };
    };
    await verifyStore(withoutTokens, {
      runs: 50,
      raceRuns: 10,
      features: { tokenRevocation: false },
    });
    const refused = await verifyStore(withoutTokens, { runs: 50, raceRuns: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(
      refused instanceof ConformanceError,
      "the kit did not exercise token revocation by default",
    );
    const broken = brokenStores["forgets to slide the idle expiry"]!;
    const core = await verifyStore((ctx) => ({ store: broken(ctx) }), {
      features: { tokenRevocation: false },
      raceRuns: 0,
    }).then(() => null, (e: unknown) => e);
    assert.ok(core instanceof ConformanceError, "declaring a feature switched off a core check");
  });
});
