// Races against a real Postgres server, over node-postgres and postgres.js: every call of a race
// on its own connection, spread over two pools (two processes, as far as the server can tell).
// Simultaneous logins at the limit, simultaneous rotations of one credential, attaches of one
// anonymous session, parallel compare-and-set updates, concurrent migrations, and a sweep.

import { describe, it } from "node:test";
import { after } from "../_support/_hooks.ts";
import assert from "node:assert/strict";
import pg from "pg";
import postgres from "postgres";
import { ManualClock } from "../../src/core/clock.ts";
import {
  fromPg,
  fromPostgresJs,
  migrate,
  PostgresStore,
  type SqlExecutor,
} from "../../src/stores/postgres.ts";
import type { JsonObject } from "../../src/model/store.ts";
import { dumpTables } from "../_support/_postgres_tables.ts";
import { realPostgresOrSkip, serverUrl, stopSharedServer } from "../_support/_postgres_server.ts";

const REAL = realPostgresOrSkip("postgres-server races");
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
const POOL = 30;
let run = 0;

type Open = (url: string) => [SqlExecutor, () => Promise<void>];

const DRIVERS: { name: string; open: Open }[] = [
  {
    name: "pg",
    open: (url) => {
      const pool = new pg.Pool({ connectionString: url, max: POOL });
      return [fromPg(pool), () => pool.end()];
    },
  },
  {
    name: "postgres",
    open: (url) => {
      const sql = postgres(url, { max: POOL, onnotice: () => {} });
      return [fromPostgresJs(sql), () => sql.end()];
    },
  },
];

function races(open: Open): void {
  const executors: SqlExecutor[] = [];
  const closers: (() => Promise<void>)[] = [];
  const connect = async (): Promise<SqlExecutor[]> => {
    if (executors.length === 0) {
      const url = await serverUrl();
      for (let i = 0; i < 2; i++) {
        const [executor, close] = open(url);
        executors.push(executor);
        closers.push(close);
      }
    }
    return executors;
  };
  /** Two stores over the two pools, on one fresh schema; `at(i)` is call i's store. */
  const fresh = async (clock?: ManualClock) => {
    const pools = await connect();
    const schema = `race${run++}_${Math.floor(Math.random() * 1e6)}`;
    await migrate(pools[0]!, { schema });
    const stores = pools.map((executor) =>
      new PostgresStore(executor, clock === undefined ? { schema } : { schema, clock })
    );
    return { schema, at: (i: number) => stores[i % stores.length]!, pools };
  };
  after(async () => {
    for (const close of closers) await close();
  });

  it("10 concurrent migrations of one schema all succeed and create it once", async () => {
    const pools = await connect();
    const schema = `mig${run++}_${Math.floor(Math.random() * 1e6)}`;
    await Promise.all(Array.from({ length: 10 }, (_, i) => migrate(pools[i % 2]!, { schema })));
    const rows = await pools[0]!.query(
      `SELECT count(*)::int AS n FROM "${schema}".sessionkit_schema`,
      [],
    );
    assert.equal(rows[0]?.n, 1);
  });

  it("50 simultaneous logins with limit 3 leave exactly 3 live sessions; the evicted never validate", async () => {
    const { at } = await fresh();
    const logins = await Promise.all(
      Array.from({ length: 50 }, (_, i) => at(i).create({ userId: "racer", limit: 3, ...TTL })),
    );
    const credentials = logins.map((login) => {
      assert.equal(login.status, "created");
      return login.status === "created" ? login.credential : "";
    });
    const evicted = logins.flatMap((login) => login.status === "created" ? login.evicted : []);
    assert.equal(evicted.length, 47);
    assert.equal(new Set(evicted.map((s) => s.id)).size, 47);
    const live = await at(0).list("racer");
    assert.equal(live.length, 3);
    const checks = await Promise.all(credentials.map((c, i) => at(i).validate(c)));
    const valid = checks.filter((check) => check.status === "valid");
    assert.equal(valid.length, 3);
    const evictedIds = new Set(evicted.map((s) => s.id));
    for (const check of valid) {
      if (check.status === "valid") assert.ok(!evictedIds.has(check.session.id));
    }
  });

  it("50 simultaneous logins with limit 3 and onLimit reject admit exactly 3", async () => {
    const { at } = await fresh();
    const logins = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => at(i).create({ userId: "racer", limit: 3, onLimit: "reject", ...TTL }),
      ),
    );
    assert.equal(logins.filter((l) => l.status === "created").length, 3);
    assert.equal(logins.filter((l) => l.status === "limit-reached").length, 47);
    assert.equal((await at(1).list("racer")).length, 3);
  });

  it("20 simultaneous rotations without grace: one rotated, reuse revokes the session", async () => {
    const { at } = await fresh();
    const login = await at(0).create({ userId: "rot", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => at(i).rotate(login.credential)),
    );
    const rotated = results.filter((r) => r.status === "rotated");
    assert.equal(rotated.length, 1);
    assert.ok(results.some((r) => r.status === "reused"));
    assert.ok(results.every((r) => ["rotated", "reused", "invalid"].includes(r.status)));
    const winner = rotated[0]!;
    if (winner.status !== "rotated") return;
    // The reuse revoked the whole session: even the winner's new credential is dead.
    assert.equal((await at(0).validate(winner.credential)).status, "invalid");
    assert.deepEqual(await at(1).list("rot"), []);
  });

  it("20 simultaneous rotations with grace: one rotated, 19 grace; older reuse revokes", async () => {
    const { at } = await fresh();
    const login = await at(0).create({ userId: "rot", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => at(i).rotate(login.credential, { graceMs: 5_000 })),
    );
    assert.equal(results.filter((r) => r.status === "rotated").length, 1);
    assert.equal(results.filter((r) => r.status === "grace").length, 19);
    const winner = results.find((r) => r.status === "rotated");
    if (winner?.status !== "rotated") throw new Error("No winner");
    assert.equal((await at(1).validate(winner.credential)).status, "valid");
    const second = await at(0).rotate(winner.credential, { graceMs: 5_000 });
    assert.equal(second.status, "rotated");
    assert.equal((await at(1).validate(login.credential)).status, "reused");
    if (second.status === "rotated") {
      assert.equal((await at(0).validate(second.credential)).status, "invalid");
    }
  });

  it("20 simultaneous attaches of one anonymous session: exactly one attached", async () => {
    const { at } = await fresh();
    const anon = await at(0).create({ userId: null, data: { cart: 3 }, ...TTL });
    if (anon.status !== "created") throw new Error("Not created");
    const results = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => at(i).attach(anon.credential, { userId: `buyer${i % 2}`, limit: 5, ...TTL }),
      ),
    );
    const attached = results.filter((r) => r.status === "attached");
    assert.equal(attached.length, 1);
    assert.equal(results.filter((r) => r.status === "invalid").length, 19);
    const winner = attached[0]!;
    if (winner.status !== "attached") return;
    assert.deepEqual(winner.session.data, { cart: 3 });
    assert.equal((await at(1).validate(anon.credential)).status, "invalid");
    assert.equal((await at(0).validate(winner.credential)).status, "valid");
  });

  it("logins racing destroyAll: afterwards no session destroyAll returned validates", async () => {
    const { at } = await fresh();
    const calls = await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) =>
          i % 10 === 5
            ? at(i).destroyAll("busy")
            : at(i).create({ userId: "busy", limit: 4, ...TTL }),
      ),
    );
    const destroyed = new Set(
      calls.flatMap((c) => Array.isArray(c) ? c.map((s) => s.id) : []),
    );
    const live = await at(0).list("busy");
    assert.ok(live.length <= 4);
    for (const session of live) assert.ok(!destroyed.has(session.id));
  });

  it("parallel compare-and-set updates lose no update", async () => {
    const { at } = await fresh();
    const login = await at(0).create({ userId: "cas", data: { n: 0 }, ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    const id = login.session.id;
    const increment = async (i: number) => {
      for (;;) {
        const current = await at(i).get(id);
        if (current === null) throw new Error("Session vanished");
        const n = (current.data as { n: number }).n;
        const next: JsonObject = { n: n + 1 };
        const result = await at(i).update(id, next, { expectedVersion: current.version });
        if (result.status === "updated") return;
        assert.equal(result.status, "conflict");
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i)));
    const final = await at(0).get(id);
    assert.deepEqual(final?.data, { n: 20 });
    assert.equal(final?.version, 21);
  });

  it("the sweep, racing validations, leaves no row after everything expired", async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const { at, schema, pools } = await fresh(clock);
    const credentials: string[] = [];
    for (let i = 0; i < 40; i++) {
      const login = await at(i).create({
        userId: i % 4 === 0 ? null : `user${i % 7}`,
        limit: 3,
        ...TTL,
      });
      if (login.status !== "created") throw new Error("Not created");
      const sessionId = login.session.id;
      const rotated = await at(i).rotate(login.credential, { graceMs: 1_000 });
      if (rotated.status === "rotated") credentials.push(rotated.credential);
      await at(i).revokeToken({ jti: `j${i}`, sessionId, expiresAt: clock.now() + 900_000 });
      await at(i).revokeTokens({ sessionId, issuedBefore: clock.now(), until: clock.now() + 1 });
    }
    clock.advance(TTL.absoluteTtlMs + 900_000);
    const [report] = await Promise.all([
      at(0).sweep({ batchSize: 7 }),
      ...credentials.map((c, i) => at(i).validate(c)),
    ]);
    assert.ok(report.sessions > 0);
    const again = await at(1).sweep();
    assert.equal(report.revocations + again.revocations, 40);
    assert.equal(report.cutoffs + again.cutoffs, 40);
    assert.equal(await dumpTables(pools[0]!, schema), "[[],[],[]]");
  });
}

describe("PostgresStore races on a real Postgres server", { skip: !REAL }, () => {
  for (const driver of DRIVERS) describe(`over ${driver.name}`, () => races(driver.open));
  it("stops the server it started", async () => {
    await stopSharedServer();
  });
});
