// SQLiteStore against the reference model through the conformance kit, on the SQLite driver of the
// runtime: better-sqlite3 under vitest (Node), node:sqlite under `deno test`. better-sqlite3 is not
// tested under Deno (its native addon uses the V8/nan ABI, which Deno cannot load) and node:sqlite
// is not tested under vitest (Node 20 has none). bun:sqlite is checked in both, by running the kit
// (default budget) under the pinned Bun devDependency in a child process.
// Model-based runs use one in-memory connection per run; race mode opens three connections on one
// temporary file (WAL) and sends each call to the next one, so every answer comes from the file.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ManualClock, seededRandom, SessionError } from "../../mod.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { SQLiteStore } from "../../src/stores/sqlite.ts";
import { verifyStore } from "../../src/testing/mod.ts";
import { SEEDS } from "../_support/_budget.ts";
import {
  type Connection,
  dumpTables,
  folderBytes,
  sqliteDriver,
  tempFolder,
} from "../_support/_sqlite_drivers.ts";

const driver = await sqliteDriver();
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };

/** One store spread over several stores (connections): call i goes to store i mod n. */
function roundRobin(stores: readonly SessionStore[]): SessionStore {
  let next = 0;
  const pick = () => stores[next++ % stores.length]!;
  return {
    create: (o) => pick().create(o),
    validate: (c, o) => pick().validate(c, o),
    rotate: (c, o) => pick().rotate(c, o),
    attach: (c, o) => pick().attach(c, o),
    update: (id, d, o) => pick().update(id, d, o),
    get: (id) => pick().get(id),
    destroy: (id) => pick().destroy(id),
    list: (u) => pick().list(u),
    destroyAll: (u, o) => pick().destroyAll(u, o),
    revokeToken: (r) => pick().revokeToken(r),
    revokeTokens: (c) => pick().revokeTokens(c),
    isTokenRevoked: (t) => pick().isTokenRevoked(t),
  };
}

describe(`SQLiteStore on ${driver.name}`, () => {
  for (const seed of SEEDS) {
    it(`conforms to the model, default budget, one connection (seed ${seed})`, async () => {
      const report = await verifyStore(async ({ clock, random, maxDataBytes }) => {
        const db = driver.open(":memory:");
        const store = new SQLiteStore(db, { clock, random, maxDataBytes });
        await store.migrate();
        return { store, dump: () => dumpTables(db), cleanup: () => db.close() };
      }, { name: `SQLiteStore/${driver.name}`, budget: "default", raceRuns: 0, seed });
      assert.equal(report.runs, 100);
    });
  }

  it(`conforms in race mode with three connections on one file (seed ${SEEDS[0]})`, async () => {
    const report = await verifyStore(async ({ clock, random, maxDataBytes }) => {
      const folder = tempFolder();
      const path = folder.file("sessions.db");
      const dbs = [0, 1, 2].map(() => driver.open(path));
      // No fsync per commit: a race run tests atomicity across connections, not power loss.
      for (const db of dbs) db.exec("PRAGMA synchronous = OFF");
      const stores = dbs.map((db) => new SQLiteStore(db, { clock, random, maxDataBytes }));
      for (const store of stores) await store.migrate();
      return {
        store: roundRobin(stores),
        dump: () => dumpTables(dbs[0]!) + folderBytes(path),
        cleanup: () => {
          for (const db of dbs) db.close();
          folder.remove();
        },
      };
    }, {
      name: `SQLiteStore/${driver.name}/3 connections`,
      budget: "default",
      runs: 20,
      seed: SEEDS[0]!,
    });
    assert.equal(report.raceRuns, 100);
  });

  it("conforms with a small data cap", async () => {
    await verifyStore(async ({ clock, random, maxDataBytes }) => {
      const db = driver.open(":memory:");
      const store = new SQLiteStore(db, { clock, random, maxDataBytes });
      await store.migrate();
      return { store, cleanup: () => db.close() };
    }, { budget: "quick", runs: 20, raceRuns: 10, maxDataBytes: 64 });
  });

  it("migrate() runs twice and from a second connection; sessions survive a reopen", async () => {
    const folder = tempFolder();
    try {
      const path = folder.file("s.db");
      const clock = new ManualClock(0);
      const first = driver.open(path);
      const store = new SQLiteStore(first, { clock });
      await store.migrate();
      await store.migrate();
      const made = await store.create({ userId: "ada", ...TTL });
      assert.equal(made.status, "created");
      if (made.status !== "created") return;
      first.close();
      const second = driver.open(path);
      const reopened = new SQLiteStore(second, { clock });
      await reopened.migrate();
      const journal = second.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
      assert.equal(journal.journal_mode, "wal");
      assert.equal((await reopened.validate(made.credential)).status, "valid");
      second.close();
    } finally {
      folder.remove();
    }
  });

  it("a validation that writes nothing is one SELECT and no transaction", async () => {
    const db = driver.open(":memory:");
    const clock = new ManualClock(0);
    const store = new SQLiteStore(countingDb(db), { clock });
    await store.migrate();
    const made = await store.create({ userId: "ada", ...TTL });
    if (made.status !== "created") throw new Error("Not created");
    calls.length = 0;
    const checked = await store.validate(made.credential, { slideThreshold: 0.5 });
    assert.equal(checked.status, "valid");
    assert.deepEqual(calls, ["get SELECT"]);
    calls.length = 0;
    assert.equal((await store.validate(`${made.session.id}.${"A".repeat(43)}`)).status, "invalid");
    assert.deepEqual(calls, ["get SELECT"]);
    calls.length = 0;
    clock.advance(40_000); // past half the idle TTL: this one slides, in a transaction
    assert.equal((await store.validate(made.credential, { slideThreshold: 0.5 })).status, "valid");
    assert.deepEqual(calls, [
      "get SELECT",
      "exec BEGIN",
      "get SELECT",
      "run UPDATE",
      "exec COMMIT",
    ]);
    db.close();
  });

  it("sweep() removes what expired, in bounded batches, and nothing live", async () => {
    const db = driver.open(":memory:");
    const clock = new ManualClock(1_000);
    const store = new SQLiteStore(db, { clock, random: seededRandom(2) });
    await store.migrate();
    for (let i = 0; i < 25; i++) {
      await store.create({ userId: `u${i % 4}`, idleTtlMs: 10, absoluteTtlMs: 10 });
    }
    const keep = await store.create({ userId: "u0", ...TTL });
    await store.revokeToken({ jti: "j", sessionId: "s1", expiresAt: 1_005 });
    await store.revokeTokens({ userId: "u1", issuedBefore: 1_000, until: 1_005 });
    clock.advance(10);
    calls.length = 0;
    const report = await new SQLiteStore(countingDb(db), { clock }).sweep({ batch: 10 });
    assert.deepEqual(report, { sessions: 25, tokens: 1, cutoffs: 1 });
    // 25 sessions in batches of 10: three transactions, then one each for tokens and cutoffs.
    assert.equal(calls.filter((c) => c === "exec BEGIN").length, 5);
    const count = db.prepare("SELECT count(*) AS n FROM sk_sessions").get() as { n: number };
    assert.equal(count.n, 1);
    if (keep.status === "created") assert.notEqual(await store.get(keep.session.id), null);
    await assert.rejects(store.sweep({ batch: 0 }), { code: "invalid-argument" });
    db.close();
  });

  it("holds credentials only as hashes, in the file and its WAL", async () => {
    const folder = tempFolder();
    try {
      const path = folder.file("h.db");
      const db = driver.open(path);
      const store = new SQLiteStore(db);
      await store.migrate();
      const made = await store.create({ userId: "ada", ...TTL });
      if (made.status !== "created") throw new Error("Not created");
      const rotated = await store.rotate(made.credential);
      if (rotated.status !== "rotated") throw new Error("Not rotated");
      for (const credential of [made.credential, rotated.credential]) {
        assert.ok(!folderBytes(path).includes(credential.split(".")[1]!));
      }
      db.close();
    } finally {
      folder.remove();
    }
  });

  it("fails closed: a write that cannot take the lock is store-unavailable and writes nothing", async () => {
    const folder = tempFolder();
    try {
      const path = folder.file("b.db");
      const holder = driver.open(path);
      const other = driver.open(path);
      const store = new SQLiteStore(other, { busyTimeoutMs: 0 });
      await store.migrate();
      holder.exec("BEGIN IMMEDIATE");
      const error = await store.create({ userId: "ada", ...TTL }).catch((e: unknown) => e);
      assert.ok(error instanceof SessionError);
      assert.equal(error.code, "store-unavailable");
      holder.exec("ROLLBACK");
      assert.deepEqual(await store.list("ada"), []);
      other.close();
      await assert.rejects(store.get("abc"), { code: "store-unavailable" });
      holder.close();
    } finally {
      folder.remove();
    }
  });

  it(`conforms on bun:sqlite under Bun, default budget (seed ${SEEDS[0]})`, () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const bun = [`${root}node_modules/bun/bin/bun.exe`, `${root}node_modules/.bin/bun`]
      .find((path) => existsSync(path));
    assert.ok(bun !== undefined, "Bun is missing: run npm ci (a pinned devDependency)");
    const out = execFileSync(bun, ["spec/_support/_bun_sqlite_kit.ts", String(SEEDS[0])], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    }).toString();
    const report = JSON.parse(out.trim().split("\n").at(-1)!) as { runs: number };
    assert.equal(report.runs, 100);
  });

  it("refuses a bad configuration with a coded error", () => {
    const db = driver.open(":memory:");
    assert.throws(() => new SQLiteStore({} as Connection), { code: "invalid-argument" });
    assert.throws(() => new SQLiteStore(db, { tablePrefix: "a;b" }), { code: "invalid-argument" });
    assert.throws(() => new SQLiteStore(db, { maxDataBytes: 0 }), { code: "invalid-argument" });
    assert.throws(() => new SQLiteStore(db, { busyTimeoutMs: -1 }), { code: "invalid-argument" });
    db.close();
  });
});

/** What the counting connection saw: each call's method and the SQL's first word. */
const calls: string[] = [];

function countingDb(db: Connection): Connection {
  const word = (sql: string) => sql.trim().split(/\s+/)[0]!.toUpperCase();
  return {
    exec: (sql: string) => {
      if (!sql.startsWith("PRAGMA")) calls.push(`exec ${word(sql)}`);
      return db.exec(sql);
    },
    prepare: (sql: string) => {
      const statement = db.prepare(sql);
      return {
        run: (...params) => (calls.push(`run ${word(sql)}`), statement.run(...params)),
        get: (...params) => (calls.push(`get ${word(sql)}`), statement.get(...params)),
        all: (...params) => (calls.push(`all ${word(sql)}`), statement.all(...params)),
      };
    },
    close: () => db.close(),
  };
}
