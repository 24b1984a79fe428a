// Test helpers over a PostgresStore's tables: empty them between kit runs, dump them for the
// kit's "no secret at rest" check.

import type { SqlExecutor } from "../../src/stores/postgres.ts";

const TABLES = ["sessionkit_sessions", "sessionkit_token_revocations", "sessionkit_token_cutoffs"];

/** Deletes every row of the store's tables in `schema`. */
export async function emptyTables(executor: SqlExecutor, schema: string): Promise<void> {
  for (const table of TABLES) await executor.query(`DELETE FROM "${schema}".${table}`, []);
}

/** Every row of the store's tables in `schema`, as JSON. */
export async function dumpTables(executor: SqlExecutor, schema: string): Promise<string> {
  const out: unknown[] = [];
  for (const table of TABLES) {
    const rows = await executor.query(`SELECT * FROM "${schema}".${table}`, []);
    out.push(rows.map((row) => Object.values(row).map((value) => String(value))));
  }
  return JSON.stringify(out);
}
