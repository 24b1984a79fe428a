// Issue 21: a family of broken stores written from the store contract alone, blind to the kit's
// internals. The base store conforms; every single-defect variant is rejected by verifyStore on a
// few fixed seeds, except the reviewed KNOWN_SLIPPING ones, whose defect a hand-written witness
// proves real (so that a variant which is not broken at all cannot hide among them). Rates over
// 100 seeds: docs/lab/kit-power-blind.md (scripts/kit_power.ts --family blind).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { verifyStore } from "../../src/testing/mod.ts";
import type { SessionStore } from "../../src/stores/store.ts";
import { BlindBaseStore } from "./_blind_base_store.ts";
import { blindBrokenStores, type BlindFactory } from "./_blind_broken_stores.ts";

const SEEDS = [1, 2, 3] as const;

/**
 * Variants the kit lets through on some seeds at the default budget, reviewed: each is a real
 * contract violation (see WITNESSES). Rates ("before" over 100 seeds, the current kit over 10):
 * docs/kit-power.md and docs/lab/kit-power-blind.md. Remove an entry once the kit rejects it on
 * every seed.
 */
export const KNOWN_SLIPPING: ReadonlySet<string> = new Set([
  // Current kit over 10 seeds: 6/10 (before, 100 seeds: 77/100).
  "destroy returns an expired session instead of null",
  // Current kit: 0/10 (before: 0/100 or unfinished).
  "jti revocations keyed by sessionId + '-' + jti (a base64url character)",
  "session and user cutoffs share one map",
  "binding compares user agents case-insensitively",
  // Current kit: 4/10 (before: 18/100).
  "version bumped only when the data changed",
  // Current kit: 3/10 (before: 0/100).
  "numeric user ids canonicalised ('007' is user 7)",
  // Rejected on seeds 1-3 before the general checks (67/100 over 100 seeds); the current kit
  // accepts it on seed 2.
  "removing a session drops its token revocations",
  // Current kit: 10/10 over the measuring seeds, but accepted on seed 1.
  "user index as flat 'userId:sessionId' keys scanned by prefix",
]);

const T0 = 1_800_000_000_000;
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 } as const;

async function login(store: SessionStore, userId: string | null, data = {}) {
  const created = await store.create({ userId, data, ...TTL });
  assert.equal(created.status, "created");
  if (created.status !== "created") throw new Error("Not created");
  return created;
}

async function listed(store: SessionStore, userId: string): Promise<number> {
  return (await store.list(userId)).length;
}

async function revoked(store: SessionStore, token: { jti: string; sid: string; sub: string }) {
  return await store.isTokenRevoked({
    jti: token.jti,
    sessionId: token.sid,
    userId: token.sub,
    issuedAt: T0,
  });
}

/**
 * For a slipping variant: a run of the contract whose observation the contract fixes (`expected`,
 * what the base store answers) and the variant gets wrong.
 */
type Witness = {
  readonly expected: unknown;
  readonly run: (store: SessionStore, clock: ManualClock) => Promise<unknown>;
};

const cutoff = { issuedBefore: T0 + 1, until: T0 + 60_000 } as const;
const x64 = "x".repeat(64);
const j128 = "j".repeat(128);

export const WITNESSES: Readonly<Record<string, Witness>> = {
  "destroy returns an expired session instead of null": {
    expected: null,
    run: async (store, clock) => {
      const { session } = await login(store, "u1");
      clock.advance(TTL.idleTtlMs);
      return await store.destroy(session.id);
    },
  },
  "revocation of user A's tokens matches user AB (prefix)": {
    expected: false,
    run: async (store) => {
      await store.revokeTokens({ userId: "A", ...cutoff });
      return await revoked(store, { jti: "j", sid: "s1", sub: "AB" });
    },
  },
  "jti revocations keyed by sessionId + '-' + jti (a base64url character)": {
    expected: false,
    run: async (store) => {
      await store.revokeToken({ jti: "c-d", sessionId: "ab", expiresAt: T0 + 60_000 });
      return await revoked(store, { jti: "d", sid: "ab-c", sub: "u1" });
    },
  },
  "session and user cutoffs share one map": {
    expected: false,
    run: async (store) => {
      await store.revokeTokens({ sessionId: "u1", ...cutoff });
      return await revoked(store, { jti: "j", sid: "s2", sub: "u1" });
    },
  },
  "removing a session drops its token revocations": {
    expected: true,
    run: async (store) => {
      // A logout ends the session, but its access tokens stay revoked until they expire.
      const { session } = await login(store, "u1");
      await store.revokeToken({ jti: "j", sessionId: session.id, expiresAt: T0 + 60_000 });
      await store.destroy(session.id);
      return await revoked(store, { jti: "j", sid: session.id, sub: "u1" });
    },
  },
  "jti truncated to 128 characters in the revocation key": {
    expected: false,
    run: async (store) => {
      await store.revokeToken({ jti: `${j128}a`, sessionId: "s1", expiresAt: T0 + 60_000 });
      return await revoked(store, { jti: `${j128}b`, sid: "s1", sub: "u1" });
    },
  },
  "user index as flat 'userId:sessionId' keys scanned by prefix": {
    expected: 0,
    run: async (store) => {
      await login(store, "a:b");
      return await listed(store, "a");
    },
  },
  "version bumped only when the data changed": {
    expected: 2,
    run: async (store) => {
      const { session } = await login(store, "u1", { n: 1 });
      const updated = await store.update(session.id, { n: 1 });
      return updated.status === "updated" ? updated.session.version : updated.status;
    },
  },
  "binding compares user agents case-insensitively": {
    expected: "binding-mismatch",
    run: async (store) => {
      const created = await store.create({
        userId: "u1",
        device: { userAgent: "Firefox" },
        ...TTL,
      });
      if (created.status !== "created") return created.status;
      return (await store.validate(created.credential, { bind: { userAgent: "firefox" } })).status;
    },
  },
  "keeps a reference to the caller's data object": {
    expected: { n: 1 },
    run: async (store) => {
      const data = { n: 1 };
      const { session } = await login(store, "u1", data);
      data.n = 2;
      return (await store.get(session.id))?.data;
    },
  },
  "returns the internal data object (caller can mutate it)": {
    expected: { n: 1 },
    run: async (store) => {
      const { session } = await login(store, "u1", { n: 1 });
      const read = await store.get(session.id);
      if (read !== null) (read.data as { n: number }).n = 2;
      return (await store.get(session.id))?.data;
    },
  },
  "user index keyed by lower-cased id": {
    expected: 0,
    run: async (store) => {
      await login(store, "Ada");
      return await listed(store, "ada");
    },
  },
  "user index keyed by NFC-normalised id": {
    expected: 0,
    run: async (store) => {
      await login(store, "Jose\u0301");
      return await listed(store, "Jos\u00e9");
    },
  },
  "numeric user ids canonicalised ('007' is user 7)": {
    expected: 0,
    run: async (store) => {
      await login(store, "007");
      return await listed(store, "7");
    },
  },
  "user index key truncated to 64 characters": {
    expected: 0,
    run: async (store) => {
      await login(store, `${x64}1`);
      return await listed(store, `${x64}2`);
    },
  },
  "session map keyed by lower-cased id": {
    expected: null,
    run: async (store) => {
      const { session } = await login(store, "u1");
      const swapped = [...session.id]
        .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
        .join("");
      assert.notEqual(swapped, session.id);
      return await store.get(swapped);
    },
  },
};

const fresh = (make: BlindFactory) => {
  const clock = new ManualClock(T0);
  return { clock, store: make({ clock, random: seededRandom(7) }) };
};

describe("the blind family of broken stores (issue 21)", () => {
  it("the blind base store passes verifyStore at the default budget", async () => {
    for (const seed of SEEDS) {
      await verifyStore(({ clock, random, maxDataBytes }) => {
        const store = new BlindBaseStore({ clock, random, maxDataBytes });
        return { store, dump: () => store.dump() };
      }, { name: "BlindBaseStore", seed });
    }
  });

  it("has at least 24 variants, and every slipping one is a listed variant with a witness", () => {
    assert.ok(Object.keys(blindBrokenStores).length >= 24);
    for (const name of KNOWN_SLIPPING) {
      assert.ok(name in blindBrokenStores, `unknown variant: ${name}`);
      assert.ok(name in WITNESSES, `no witness for: ${name}`);
    }
  });

  for (const [name, make] of Object.entries(blindBrokenStores)) {
    if (KNOWN_SLIPPING.has(name)) {
      it(`${name}: known to slip; the witness shows the defect is real`, async () => {
        const witness = WITNESSES[name]!;
        const base = fresh((ctx) => new BlindBaseStore(ctx));
        assert.deepEqual(await witness.run(base.store, base.clock), witness.expected);
        const broken = fresh(make);
        assert.notDeepEqual(await witness.run(broken.store, broken.clock), witness.expected);
      });
      continue;
    }
    it(`${name}: rejected by verifyStore on seeds ${SEEDS.join(", ")}`, async () => {
      for (const seed of SEEDS) {
        const rejected = await verifyStore((ctx) => {
          const store = make(ctx);
          return { store, dump: () => store.dump() };
        }, { seed, shrink: false }).then(() => false, () => true);
        assert.ok(rejected, `verifyStore accepted "${name}" on seed ${seed}`);
      }
    });
  }
});
