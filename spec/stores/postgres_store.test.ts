// PostgresStore against the reference model through the conformance kit: on PGlite (always, the
// embedded default) and on a real Postgres server over node-postgres and postgres.js (skipped
// loudly without Postgres, a failure under CI=true). The kit's clock jumps hours ahead while the
// server's own clock barely moves: expiry must be logical.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PGlite } from "@electric-sql/pglite";
import { fromPGlite, migrate, PostgresStore, type SqlExecutor } from "../../src/stores/postgres.ts";
import { type StoreContext, verifyStore } from "../../src/testing/mod.ts";
import { RUNS, SEEDS } from "../_support/_budget.ts";
import { dumpTables, emptyTables } from "../_support/_postgres_tables.ts";

let schemas = 0;

/** A factory over one executor: the tables of a fresh schema, emptied after each run. */
async function factoryOver(executor: SqlExecutor) {
  const schema = `kit${schemas++}_${Math.floor(Math.random() * 1e6)}`;
  await migrate(executor, { schema });
  return ({ clock, random, maxDataBytes }: StoreContext) => ({
    store: new PostgresStore(executor, { schema, clock, random, maxDataBytes }),
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
        runs: RUNS,
        raceRuns: Math.ceil(RUNS / 4),
        seed,
      });
      assert.equal(report.runs, RUNS);
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
