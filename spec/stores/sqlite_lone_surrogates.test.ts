// SQLiteStore keeps user ids and jti values that differ only in a lone UTF-16 surrogate apart
// (SQLite TEXT is UTF-8: stored as they are, "\ud83d" and "\ude00" would both become U+FFFD), on
// the SQLite driver of the runtime (better-sqlite3 under vitest, node:sqlite under Deno).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { SQLiteStore } from "../../src/stores/sqlite.ts";
import { sqliteDriver } from "../_support/_sqlite_drivers.ts";
import { loneSurrogateCases } from "./_lone_surrogate_cases.ts";

const driver = await sqliteDriver();

describe(`SQLiteStore with lone-surrogate ids on ${driver.name}`, () => {
  loneSurrogateCases(async () => {
    const db = driver.open(":memory:");
    const clock = new ManualClock(1_800_000_000_000);
    const store = new SQLiteStore(db, { clock });
    await store.migrate();
    return { store, clock, close: () => db.close() };
  });

  it("stores a well-formed user id and jti as they are (rows of earlier versions stay found)", async () => {
    const db = driver.open(":memory:");
    try {
      const store = new SQLiteStore(db, { clock: new ManualClock(1_800_000_000_000) });
      await store.migrate();
      await store.create({ userId: "ada\ud83d\ude00", idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
      const jti = { sessionId: "A".repeat(33), jti: "é", expiresAt: 1_900_000_000_000 };
      await store.revokeToken(jti);
      const user = db.prepare("SELECT user_id FROM sk_sessions").all() as { user_id: string }[];
      assert.deepEqual(user.map((r) => r.user_id), ["ada\ud83d\ude00"]);
      const token = db.prepare("SELECT jti FROM sk_tokens").all() as { jti: string }[];
      assert.deepEqual(token.map((r) => r.jti), ["é"]);
    } finally {
      db.close();
    }
  });
});
