// DenoKvStore against the reference model through the conformance kit, under `deno test` only:
// Deno KV (`Deno.openKv`) exists in Deno alone, so under vitest (Node) this suite is reported as
// skipped, by name. Deno 2.9 still needs `--unstable-kv` (package.json's test:deno passes it); a
// Deno run without it fails here, loudly, rather than skipping. Each run opens its own
// `:memory:` database; race mode shares it between the kit's concurrent calls, so every
// versionstamp check and retry is exercised.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, seededRandom, SessionError } from "../../mod.ts";
import { type DenoKv, DenoKvStore } from "../../src/stores/deno_kv.ts";
import { verifyStore } from "../../src/testing/mod.ts";
import { SEEDS } from "../_support/_budget.ts";

type Kv = DenoKv & { close(): void };
const deno = (globalThis as {
  Deno?: { openKv?: (path?: string) => Promise<Kv> };
}).Deno;
const IN_DENO = deno !== undefined;
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };

async function openKv(): Promise<Kv> {
  if (typeof deno?.openKv !== "function") {
    throw new Error("Deno.openKv is missing: run deno test with --unstable-kv");
  }
  return await deno.openKv(":memory:");
}

/** Every entry of the database, as JSON: what the kit searches for issued secrets. */
async function dump(kv: Kv): Promise<string> {
  const all: unknown[] = [];
  for await (const e of kv.list({ prefix: [] })) all.push([e.key, e.value]);
  return JSON.stringify(all);
}

describe(`DenoKvStore${IN_DENO ? "" : " (Deno only: not run under Node)"}`, {
  skip: !IN_DENO,
}, () => {
  for (const seed of SEEDS) {
    it(`conforms to the model, default budget, race mode included (seed ${seed})`, async () => {
      const report = await verifyStore(async ({ clock, random, maxDataBytes }) => {
        const kv = await openKv();
        const store = new DenoKvStore(kv, { clock, random, maxDataBytes });
        return { store, dump: () => dump(kv), cleanup: () => kv.close() };
      }, { name: "DenoKvStore", budget: "default", seed });
      assert.equal(report.runs, 100);
      assert.equal(report.raceRuns, 100);
    });
  }

  it("conforms with a small data cap and a nested key prefix", async () => {
    await verifyStore(async ({ clock, random, maxDataBytes }) => {
      const kv = await openKv();
      const store = new DenoKvStore(kv, { clock, random, maxDataBytes, prefix: ["app", "s"] });
      return { store, cleanup: () => kv.close() };
    }, { budget: "quick", runs: 20, raceRuns: 10, maxDataBytes: 64 });
  });

  it("keeps a user's sessions as keys under the user's prefix, in login order", async () => {
    const kv = await openKv();
    const store = new DenoKvStore(kv, { clock: new ManualClock(0), random: seededRandom(1) });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const made = await store.create({ userId: "ada", ...TTL });
      if (made.status === "created") ids.push(made.session.id);
    }
    const keys: unknown[][] = [];
    for await (const e of kv.list({ prefix: ["sessionkit", "u", "ada"] })) keys.push([...e.key]);
    assert.deepEqual(keys.map((k) => k.at(-1)), ids);
    assert.deepEqual((await store.list("ada")).map((s) => s.id), ids);
    kv.close();
  });

  it("a validation that writes nothing is one read and no commit", async () => {
    const kv = await openKv();
    const log: string[] = [];
    const counting: DenoKv = {
      get: (key) => (log.push("get"), kv.get(key)),
      getMany: (keys) => (log.push("getMany"), kv.getMany(keys)),
      list: (selector, options) => (log.push("list"), kv.list(selector, options)),
      atomic: () => (log.push("atomic"), kv.atomic()),
    };
    const clock = new ManualClock(0);
    const store = new DenoKvStore(counting, { clock });
    const made = await store.create({ userId: "ada", ...TTL });
    if (made.status !== "created") throw new Error("Not created");
    log.length = 0;
    assert.equal((await store.validate(made.credential, { slideThreshold: 0.5 })).status, "valid");
    assert.deepEqual(log, ["get"]);
    clock.advance(40_000);
    log.length = 0;
    assert.equal((await store.validate(made.credential, { slideThreshold: 0.5 })).status, "valid");
    assert.deepEqual(log, ["get", "atomic"]);
    kv.close();
  });

  it("sets expireIn on what it writes, only as garbage collection past the logical expiry", async () => {
    const kv = await openKv();
    const sets: { key: unknown[]; expireIn: number | undefined }[] = [];
    const spying: DenoKv = {
      get: (key) => kv.get(key),
      getMany: (keys) => kv.getMany(keys),
      list: (selector, options) => kv.list(selector, options),
      atomic: () => {
        const op = kv.atomic();
        const set = op.set.bind(op);
        op.set = (key, value, options) => {
          sets.push({ key: [...key], expireIn: options?.expireIn });
          return set(key, value, options);
        };
        return op;
      },
    };
    const store = new DenoKvStore(spying, { clock: new ManualClock(0), gcMarginMs: 1_000 });
    await store.create({ userId: "ada", idleTtlMs: 5_000, absoluteTtlMs: 50_000 });
    const byKind = Object.fromEntries(sets.map((s) => [s.key[1], s.expireIn]));
    assert.deepEqual(byKind, { s: 6_001, u: 6_001, h: 51_001 });
    kv.close();
  });

  it("fails closed: a Deno KV failure is store-unavailable", async () => {
    const kv = await openKv();
    const store = new DenoKvStore(kv);
    kv.close();
    const error = await store.get("abc").catch((e: unknown) => e);
    assert.ok(error instanceof SessionError);
    assert.equal(error.code, "store-unavailable");
  });

  it("gives up with store-unavailable when every commit loses a race", async () => {
    const kv = await openKv();
    const losing: DenoKv = {
      get: (key) => kv.get(key),
      getMany: (keys) => kv.getMany(keys),
      list: (selector, options) => kv.list(selector, options),
      atomic: () => {
        const op = kv.atomic();
        op.commit = () => Promise.resolve({ ok: false });
        return op;
      },
    };
    const store = new DenoKvStore(losing, { maxAttempts: 3 });
    await assert.rejects(store.create({ userId: "ada", ...TTL }), { code: "store-unavailable" });
    assert.deepEqual(await new DenoKvStore(kv).list("ada"), []);
    kv.close();
  });

  it("refuses a login that would evict more than one commit can check, changing nothing", async () => {
    const kv = await openKv();
    const store = new DenoKvStore(kv, { clock: new ManualClock(0), random: seededRandom(5) });
    for (let i = 0; i < 99; i++) await store.create({ userId: "ada", ...TTL });
    await assert.rejects(store.create({ userId: "ada", ...TTL, limit: 1 }), {
      code: "store-unavailable",
    });
    assert.equal((await store.list("ada")).length, 99);
    assert.equal((await store.destroyAll("ada")).length, 99); // a full commit of 99, then a read: none left
    assert.equal((await store.list("ada")).length, 0);
    kv.close();
  });

  it("refuses a bad configuration with a coded error", async () => {
    const kv = await openKv();
    assert.throws(() => new DenoKvStore({} as DenoKv), { code: "invalid-argument" });
    assert.throws(() => new DenoKvStore(kv, { prefix: [] }), { code: "invalid-argument" });
    assert.throws(() => new DenoKvStore(kv, { prefix: [""] }), { code: "invalid-argument" });
    assert.throws(() => new DenoKvStore(kv, { maxDataBytes: 40_000 }), {
      code: "invalid-argument",
    });
    assert.throws(() => new DenoKvStore(kv, { maxAttempts: 0 }), { code: "invalid-argument" });
    kv.close();
  });
});
