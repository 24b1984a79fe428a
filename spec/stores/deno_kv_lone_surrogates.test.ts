// DenoKvStore keeps user ids and jti values that differ only in a lone UTF-16 surrogate apart
// (Deno KV encodes a string key part as UTF-8: as they are, "\ud83d" and "\ude00" would both
// become U+FFFD and share a key). Deno only: under vitest (Node) the suite is skipped, by name.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { type DenoKv, DenoKvStore } from "../../src/stores/deno_kv.ts";
import { loneSurrogateCases } from "./_lone_surrogate_cases.ts";

type Kv = DenoKv & { close(): void };
const deno = (globalThis as { Deno?: { openKv?: (path?: string) => Promise<Kv> } }).Deno;
const IN_DENO = deno !== undefined;
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };

async function openKv(): Promise<Kv> {
  if (typeof deno?.openKv !== "function") {
    throw new Error("Deno.openKv is missing: run deno test with --unstable-kv");
  }
  return await deno.openKv(":memory:");
}

describe(
  `DenoKvStore with lone-surrogate ids${IN_DENO ? "" : " (Deno only: not run under Node)"}`,
  {
    skip: !IN_DENO,
  },
  () => {
    loneSurrogateCases(async () => {
      const kv = await openKv();
      const clock = new ManualClock(1_800_000_000_000);
      return { store: new DenoKvStore(kv, { clock }), clock, close: () => kv.close() };
    });

    it("keeps stores under prefixes that differ only in a lone surrogate apart", async () => {
      const kv = await openKv();
      try {
        const clock = new ManualClock(1_800_000_000_000);
        const a = new DenoKvStore(kv, { clock, prefix: ["\ud83d"] });
        const b = new DenoKvStore(kv, { clock, prefix: ["\ude00"] });
        const login = await a.create({ userId: "ada", ...TTL });
        assert.equal(login.status, "created");
        if (login.status !== "created") return;
        assert.equal((await b.validate(login.credential)).status, "invalid");
        assert.equal((await b.list("ada")).length, 0);
        assert.equal((await a.list("ada")).length, 1);
      } finally {
        kv.close();
      }
    });

    it("keys a well-formed user id as it is (entries of earlier versions stay found)", async () => {
      const kv = await openKv();
      try {
        const store = new DenoKvStore(kv, { clock: new ManualClock(1_800_000_000_000) });
        await store.create({ userId: "ada\ud83d\ude00", ...TTL });
        const keys: unknown[] = [];
        for await (const e of kv.list({ prefix: ["sessionkit", "h"] })) keys.push(e.key);
        assert.deepEqual(keys, [["sessionkit", "h", "ada\ud83d\ude00"]]);
      } finally {
        kv.close();
      }
    });
  },
);
