// PostgresStore against the reference model through the conformance kit: on PGlite (always, the
// embedded default) and on a real Postgres server over node-postgres and postgres.js (skipped
// loudly without Postgres, a failure under CI=true). The kit's clock jumps hours ahead while the
// server's own clock barely moves: expiry must be logical.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import postgres from "postgres";
import {
  fromPg,
  fromPGlite,
  fromPostgresJs,
  migrate,
  PostgresStore,
  type SqlExecutor,
} from "../../src/stores/postgres.ts";
import { type StoreContext, verifyStore } from "../../src/testing/mod.ts";
import { KIT_COMMAND_TIMEOUT_MS, RUNS, SEEDS } from "../_support/_budget.ts";
import { dumpTables, emptyTables } from "../_support/_postgres_tables.ts";
import { realPostgresOrSkip, serverUrl, stopSharedServer } from "../_support/_postgres_server.ts";

const REAL = realPostgresOrSkip("postgres-server");

// A kit run over SQL costs tens of calls, each a round trip (a transaction: four). Measured on
// the shared 2-core machine (vitest): PGlite 150 runs 100–200 s a seed, a server 100 runs 35–140 s
// a seed and driver. To keep CI (both runtimes) in bounds: PGlite 100 runs per seed, the server 50
// per seed and driver (SESSIONKIT_RUNS lowers both).
const SERVER_RUNS = Math.min(RUNS, 50);
const PGLITE_RUNS = Math.min(RUNS, 100);
let schemas = 0;

/** A factory over one executor: the tables of a fresh schema, emptied after each run. */
async function factoryOver(executor: SqlExecutor) {
  const schema = `kit${schemas++}_${Math.floor(Math.random() * 1e6)}`;
  await migrate(executor, { schema });
  return ({ clock, random, maxDataBytes }: StoreContext) => ({
    store: new PostgresStore(executor, {
      schema,
      clock,
      random,
      maxDataBytes,
      commandTimeoutMs: KIT_COMMAND_TIMEOUT_MS,
    }),
    dump: () => dumpTables(executor, schema),
    cleanup: () => emptyTables(executor, schema),
  });
}

let pglite: Promise<SqlExecutor> | undefined;
const embedded = () => pglite ??= (async () => fromPGlite(new PGlite()))();

describe("PostgresStore on PGlite", () => {
  for (const seed of SEEDS) {
    it(`conforms to the model (seed ${seed})`, async () => {
      const factory = await factoryOver(await embedded());
      const report = await verifyStore(factory, {
        name: "PostgresStore/PGlite",
        runs: PGLITE_RUNS,
        raceRuns: Math.ceil(PGLITE_RUNS / 4),
        seed,
      });
      assert.equal(report.runs, PGLITE_RUNS);
    });
  }

  it("conforms with a small data cap", async () => {
    const factory = await factoryOver(await embedded());
    await verifyStore(factory, {
      budget: "quick",
      runs: 5,
      raceRuns: 2,
      maxCommands: 30,
      maxDataBytes: 64,
    });
  });
});

describe("PostgresStore on a real Postgres server", { skip: !REAL }, () => {
  const drivers: { name: string; open: (url: string) => [SqlExecutor, () => Promise<void>] }[] = [
    {
      name: "pg",
      open: (url) => {
        const pool = new pg.Pool({ connectionString: url, max: 10 });
        return [fromPg(pool), () => pool.end()];
      },
    },
    {
      name: "postgres",
      open: (url) => {
        const sql = postgres(url, { max: 10, onnotice: () => {} });
        return [fromPostgresJs(sql), () => sql.end()];
      },
    },
  ];
  for (const driver of drivers) {
    for (const seed of SEEDS) {
      it(`conforms to the model over ${driver.name} (seed ${seed})`, async () => {
        const [executor, close] = driver.open(await serverUrl());
        try {
          const report = await verifyStore(await factoryOver(executor), {
            name: `PostgresStore/${driver.name}`,
            runs: SERVER_RUNS,
            raceRuns: Math.ceil(SERVER_RUNS / 4),
            seed,
          });
          assert.equal(report.runs, SERVER_RUNS);
        } finally {
          await close();
        }
      });
    }
  }

  it("stops the server it started", async () => {
    await stopSharedServer();
  });
});
