// The regression cases of stores that keep caller text in UTF-8 storage (SQLite TEXT, Deno KV key
// parts): user ids and jti values that differ only in a lone UTF-16 surrogate are different values.
// UTF-8 has no form for a lone surrogate ("\ud83d", "\ude00" and "\ufffd" all become U+FFFD), so
// a store that stored them as they are would merge two users, or two jti values, and read a user
// id back changed. The list also holds text that starts with the lossless form's marker, and the
// very form "\ud83d" is stored in, so the encoding must keep those apart too.

import { it } from "node:test";
import assert from "node:assert/strict";
import type { ManualClock } from "../../src/core/clock.ts";
import type { SessionStore } from "../../src/model/store.ts";

export const LONE: readonly string[] = [
  "\ud83d",
  "\ude00",
  "\ufffd",
  "a\ud83d",
  "a\ude00\ud83d",
  "\u0001x",
  '\u0001"\\ud83d"',
];
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
const SESSION = "A".repeat(33);
const FAR = 1_800_000_000_000 + 3_600_000;

/** A fresh, empty store on a clock at 1_800_000_000_000, and how to close it. */
export type Fresh = () => Promise<{ store: SessionStore; clock: ManualClock; close(): void }>;

/** Registers the cases on `fresh` stores. */
export function loneSurrogateCases(fresh: Fresh): void {
  it("keeps the sessions of each lone-surrogate user id apart, its user id exact", async () => {
    const { store, close } = await fresh();
    try {
      const logins = new Map<string, { credential: string; id: string }[]>();
      for (const userId of LONE) {
        for (let i = 0; i < 2; i++) {
          const login = await store.create({ userId, limit: 2, ...TTL });
          assert.equal(login.status, "created");
          if (login.status !== "created") continue;
          assert.deepEqual(login.evicted, [], JSON.stringify(userId));
          assert.equal(login.session.userId, userId);
          const made = { credential: login.credential, id: login.session.id };
          logins.set(userId, [...logins.get(userId) ?? [], made]);
        }
      }
      for (const userId of LONE) {
        for (const { credential, id } of logins.get(userId)!) {
          const seen = await store.validate(credential);
          assert.equal(seen.status === "valid" ? seen.session.userId : seen.status, userId);
          assert.equal((await store.get(id))?.userId, userId);
        }
        const sessions = await store.list(userId);
        assert.equal(sessions.length, 2, JSON.stringify(userId));
        for (const session of sessions) assert.equal(session.userId, userId);
      }
    } finally {
      close();
    }
  });

  it("counts, evicts and refuses under one lone-surrogate user's limit alone", async () => {
    const { store, close } = await fresh();
    try {
      for (const userId of LONE) {
        assert.equal((await store.create({ userId, limit: 1, ...TTL })).status, "created");
      }
      const [first, second] = [LONE[0]!, LONE[1]!];
      const evicting = await store.create({ userId: first, limit: 1, ...TTL });
      assert.equal(evicting.status, "created");
      if (evicting.status === "created") {
        assert.equal(evicting.evicted.length, 1);
        assert.equal(evicting.evicted[0]!.userId, first);
      }
      const refused = await store.create({ userId: second, limit: 1, onLimit: "reject", ...TTL });
      assert.equal(refused.status, "limit-reached");
      for (const userId of LONE) assert.equal((await store.list(userId)).length, 1);
    } finally {
      close();
    }
  });

  it("destroyAll of one lone-surrogate user id removes no other user's sessions", async () => {
    const { store, close } = await fresh();
    try {
      for (const userId of LONE) {
        for (let i = 0; i < 2; i++) await store.create({ userId, ...TTL });
      }
      for (let i = 0; i < LONE.length; i++) {
        const removed = await store.destroyAll(LONE[i]!);
        assert.equal(removed.length, 2, JSON.stringify(LONE[i]));
        for (const session of removed) assert.equal(session.userId, LONE[i]);
        for (const [j, userId] of LONE.entries()) {
          assert.equal((await store.list(userId)).length, j <= i ? 0 : 2);
        }
      }
    } finally {
      close();
    }
  });

  it("an attach to a lone-surrogate user id reads back exactly", async () => {
    const { store, close } = await fresh();
    try {
      for (const userId of LONE) {
        const anon = await store.create({ userId: null, ...TTL });
        assert.equal(anon.status, "created");
        if (anon.status !== "created") continue;
        const attached = await store.attach(anon.credential, { userId, ...TTL });
        assert.equal(attached.status, "attached");
        if (attached.status !== "attached") continue;
        assert.equal(attached.session.userId, userId);
        const seen = await store.validate(attached.credential);
        assert.equal(seen.status === "valid" ? seen.session.userId : seen.status, userId);
      }
    } finally {
      close();
    }
  });

  it("reads a user id with NUL back whole (Deno's node:sqlite cuts TEXT at a NUL)", async () => {
    const { store, close } = await fresh();
    try {
      for (const userId of ["\u0000", "a\u0000b", "a\u0000\ud83d"]) {
        const login = await store.create({ userId, ...TTL });
        assert.equal(login.status, "created");
        if (login.status !== "created") continue;
        const seen = await store.validate(login.credential);
        assert.equal(seen.status === "valid" ? seen.session.userId : seen.status, userId);
        assert.deepEqual((await store.list(userId)).map((s) => s.userId), [userId]);
      }
    } finally {
      close();
    }
  });

  it("revokeTokens for one lone-surrogate user id revokes no other user's tokens", async () => {
    for (const revoked of LONE) {
      const { store, close } = await fresh();
      try {
        await store.revokeTokens({ userId: revoked, issuedBefore: FAR, until: FAR });
        for (const userId of LONE) {
          const token = { userId, sessionId: SESSION, jti: "t", issuedAt: 1 };
          assert.equal(
            await store.isTokenRevoked(token),
            userId === revoked,
            `${JSON.stringify(revoked)} vs ${JSON.stringify(userId)}`,
          );
        }
      } finally {
        close();
      }
    }
  });

  it("revokeToken of one lone-surrogate jti revokes no other jti", async () => {
    for (const revoked of LONE) {
      const { store, close } = await fresh();
      try {
        await store.revokeToken({ sessionId: SESSION, jti: revoked, expiresAt: FAR });
        for (const jti of LONE) {
          const token = { userId: "u", sessionId: SESSION, jti, issuedAt: FAR };
          assert.equal(
            await store.isTokenRevoked(token),
            jti === revoked,
            `${JSON.stringify(revoked)} vs ${JSON.stringify(jti)}`,
          );
        }
      } finally {
        close();
      }
    }
  });
}
