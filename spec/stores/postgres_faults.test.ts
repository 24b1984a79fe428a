// PostgresStore through real server faults, over node-postgres and postgres.js, with operations in
// flight from several clients: the server stopped mid-run (SIGINT, fast shutdown) and started
// again; backends killed with pg_terminate_backend under load. Every call settles within its
// limit as a correct answer or a `store-unavailable` SessionError; no unhandled rejection; after
// recovery each user's sessions equal the acknowledged record, the one operation of unknown
// outcome per user applied entirely or not at all (spec/_support/_fault_workload.ts).

import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
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
import { checkRecovered, type FaultRun, faultRun } from "../_support/_fault_workload.ts";
import {
  type PostgresServer,
  realPostgresOrSkip,
  startPostgres,
} from "../_support/_postgres_server.ts";

const REAL = realPostgresOrSkip("postgres-server faults");
// The store's commandTimeoutMs; the workload's settle limit is 3× this + 2 s.
const COMMAND_TIMEOUT_MS = 1_000;
const USERS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Open = (url: string) => [SqlExecutor, () => Promise<void>];
const DRIVERS: { name: string; open: Open }[] = [
  {
    name: "pg",
    open: (url) => {
      const pool = new pg.Pool({
        connectionString: url,
        max: 10,
        connectionTimeoutMillis: COMMAND_TIMEOUT_MS,
        query_timeout: COMMAND_TIMEOUT_MS,
      });
      pool.on("error", () => {}); // an idle client lost with the server
      return [fromPg(pool), () => pool.end()];
    },
  },
  {
    name: "postgres",
    open: (url) => {
      const sql = postgres(url, { max: 10, connect_timeout: 1, onnotice: () => {} });
      return [fromPostgresJs(sql), () => sql.end({ timeout: 1 })];
    },
  },
];

interface Setup {
  server: PostgresServer;
  executor: SqlExecutor;
  close: () => Promise<void>;
  store: PostgresStore;
  clock: ManualClock;
}

let setups: Setup[] = [];
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

async function setup(open: Open): Promise<Setup> {
  const server = await startPostgres();
  const [executor, close] = open(server.url);
  await migrate(executor);
  const clock = new ManualClock(Date.now());
  const store = new PostgresStore(executor, { clock, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  const s = { server, executor, close, store, clock };
  setups.push(s);
  return s;
}

async function ready(executor: SqlExecutor): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      await executor.query("SELECT 1", []);
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error("The driver did not reconnect");
}

function workload(s: Setup, tag: string): FaultRun {
  return faultRun(s.store, s.clock, { users: USERS, tag, commandTimeoutMs: COMMAND_TIMEOUT_MS });
}

/** Runs the workload until every client failed once (or `stopAfterMs`), with `fault` injected. */
async function underFault(
  work: FaultRun,
  fault: () => Promise<void> | void,
  stopAfterMs?: number,
): Promise<void> {
  const running = work.run();
  // Every client has answers acknowledged before the fault (bounded: a busy machine is slow).
  for (let i = 0; i < 1_200 && !work.clients.every((c) => c.acked >= 2); i++) await sleep(50);
  assert.ok(work.clients.some((c) => c.acked > 0), "no operation ran before the fault");
  await fault();
  if (stopAfterMs !== undefined) {
    await sleep(stopAfterMs);
    work.stop();
  }
  await running;
}

/** After recovery: state check, then more load with no fault, then the state check again. */
async function recoveredAndWorking(s: Setup, work: FaultRun): Promise<void> {
  assert.deepEqual(work.violations, []);
  assert.deepEqual(await checkRecovered(s.store, work.clients), []);
  const more = work.run();
  await sleep(500);
  work.stop();
  await more;
  assert.deepEqual(work.violations, []);
  assert.deepEqual(await checkRecovered(s.store, work.clients), []);
}

describe("PostgresStore through real server faults", { skip: !REAL }, () => {
  beforeEach(() => {
    unhandled = [];
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(async () => {
    process.off("unhandledRejection", onUnhandled);
    for (const s of setups) {
      await s.close().catch(() => {});
      await s.server.destroy();
    }
    setups = [];
    assert.deepEqual(unhandled, []);
  });

  for (const driver of DRIVERS) {
    it(`over ${driver.name}: the server stopped mid-run and started again: acknowledged state intact, failed operations whole or absent`, async () => {
      const s = await setup(driver.open);
      const work = workload(s, `stop-${driver.name}`);
      await underFault(work, () => s.server.stop());
      assert.ok(work.clients.every((c) => c.failed === 1));
      await s.server.start();
      await ready(s.executor);
      await recoveredAndWorking(s, work);
    });

    it(`over ${driver.name}: pg_terminate_backend under load: every call settles, nothing acknowledged is lost`, async () => {
      const s = await setup(driver.open);
      const admin = new pg.Client({ connectionString: s.server.url });
      admin.on("error", () => {});
      await admin.connect();
      try {
        const work = workload(s, `kill-${driver.name}`);
        let killed = 0;
        await underFault(work, async () => {
          for (let i = 0; i < 6; i++) {
            const result = await admin.query(
              `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
               WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`,
            );
            killed += Number(result.rows[0]?.n ?? 0);
            await sleep(80);
          }
        }, 300);
        assert.ok(killed > 0, "no backend was terminated");
        assert.ok(work.clients.some((c) => c.failed === 1), "no call failed");
        await ready(s.executor);
        await recoveredAndWorking(s, work);
      } finally {
        await admin.end();
      }
    });
  }
});
