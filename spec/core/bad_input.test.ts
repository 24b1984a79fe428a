// Every public store operation refuses bad arguments with a coded error and changes nothing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryStore, seededRandom, type SessionStore } from "../../mod.ts";
import { ReferenceStore } from "../../src/model/mod.ts";

const TTL = { idleTtlMs: 1_000, absoluteTtlMs: 5_000 };

const stores: Record<string, () => { store: SessionStore; snapshot: () => string }> = {
  MemoryStore: () => {
    const store = new MemoryStore({ clock: new ManualClock(1_000), random: seededRandom(9) });
    return { store, snapshot: () => store.dump() };
  },
  ReferenceStore: () => {
    const store = new ReferenceStore({ clock: new ManualClock(1_000) });
    return { store, snapshot: () => JSON.stringify([...store.state.sessions]) };
  },
};

type Case = [string, (s: SessionStore, credential: string, id: string) => Promise<unknown>, string];

const cases: Case[] = [
  [
    "non-positive idle TTL",
    (s) => s.create({ userId: "u", idleTtlMs: 0, absoluteTtlMs: 1 }),
    "invalid-argument",
  ],
  [
    "non-integer TTL",
    (s) => s.create({ userId: "u", idleTtlMs: 1.5, absoluteTtlMs: 2 }),
    "invalid-argument",
  ],
  [
    "absolute < idle",
    (s) => s.create({ userId: "u", idleTtlMs: 10, absoluteTtlMs: 9 }),
    "invalid-argument",
  ],
  ["limit < 1", (s) => s.create({ userId: "u", ...TTL, limit: 0 }), "invalid-argument"],
  [
    "data over the size limit",
    (s) => s.create({ userId: "u", ...TTL, data: { x: "x".repeat(8192) } }),
    "data-too-large",
  ],
  [
    "non-JSON data (bigint)",
    (s) => s.create({ userId: "u", ...TTL, data: { n: 1n as never } }),
    "invalid-argument",
  ],
  [
    "non-JSON data (Infinity)",
    (s) => s.create({ userId: "u", ...TTL, data: { n: Infinity } }),
    "invalid-argument",
  ],
  ["cyclic data", (s) => {
    const data: Record<string, unknown> = {};
    data.self = data;
    return s.create({ userId: "u", ...TTL, data: data as never });
  }, "invalid-argument"],
  ["a non-string credential", (s) => s.validate(undefined as never), "invalid-argument"],
  ["slideThreshold above 1", (s, c) => s.validate(c, { slideThreshold: 2 }), "invalid-argument"],
  ["negative grace", (s, c) => s.rotate(c, { graceMs: -5 }), "invalid-argument"],
  ["attach without a user", (s, c) => s.attach(c, { userId: "", ...TTL }), "invalid-argument"],
  [
    "update with oversized data",
    (s, _c, id) => s.update(id, { x: "y".repeat(9000) }),
    "data-too-large",
  ],
  [
    "update with a fractional version",
    (s, _c, id) => s.update(id, {}, { expectedVersion: 1.5 }),
    "invalid-argument",
  ],
  ["a malformed session id", (s) => s.destroy("../etc"), "invalid-argument"],
  [
    "a malformed except id",
    (s) => s.destroyAll("u", { exceptSessionId: "a b" }),
    "invalid-argument",
  ],
  [
    "a huge jti",
    (s, _c, id) => s.revokeToken({ jti: "j".repeat(300), sessionId: id, expiresAt: 1 }),
    "invalid-argument",
  ],
  [
    "a cutoff without a scope",
    (s) => s.revokeTokens({ issuedBefore: 1, until: 2 } as never),
    "invalid-argument",
  ],
  [
    "a token without iat",
    (s, _c, id) => s.isTokenRevoked({ jti: "j", sessionId: id, userId: "u" } as never),
    "invalid-argument",
  ],
];

describe("bad input", () => {
  for (const [storeName, make] of Object.entries(stores)) {
    for (const [what, call, code] of cases) {
      it(`${storeName} refuses ${what} with code ${code} and changes nothing`, async () => {
        const { store, snapshot } = make();
        const created = await store.create({ userId: "u", ...TTL, data: { a: 1 } });
        assert.equal(created.status, "created");
        if (created.status !== "created") return;
        const before = snapshot();
        await assert.rejects(
          call(store, created.credential, created.session.id),
          (error: Error & { code?: string }) => {
            assert.ok(
              error instanceof TypeError || error instanceof RangeError,
              `not a Type/RangeError: ${error}`,
            );
            assert.equal(error.code, code);
            assert.ok(!error.message.includes(created.credential.split(".")[1]!));
            return true;
          },
        );
        assert.equal(snapshot(), before);
      });
    }
  }

  it("a malformed credential is answered as invalid without touching the store", async () => {
    const store = new MemoryStore();
    assert.deepEqual(await store.validate("garbage"), { status: "invalid" });
    assert.deepEqual(await store.rotate("a.b"), { status: "invalid" });
  });
});
