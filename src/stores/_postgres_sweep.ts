// PostgresStore's sweep: logically dead rows deleted in bounded batches, each batch one
// statement that skips rows a transaction holds.

import { checkSafeInteger } from "../core/_integers.ts";
import type { Statements } from "./_postgres_sql.ts";
import type { SqlExecutor } from "./postgres_executor.ts";
import { p } from "./_postgres_record.ts";

/** Options of `PostgresStore.sweep`. */
export interface PostgresSweepOptions {
  /** Most rows one statement deletes. @default 1000 */
  readonly batchSize?: number;
  /** Most batches per table in one sweep (the rest waits for the next). @default 100 */
  readonly maxBatches?: number;
}

/** What a sweep deleted. */
export interface PostgresSweepReport {
  /** Dead sessions deleted. */
  readonly sessions: number;
  /** Past token revocations deleted. */
  readonly revocations: number;
  /** Past token cutoffs deleted. */
  readonly cutoffs: number;
}

/** Sweeps the three tables at `now`. */
export async function sweep(
  db: SqlExecutor,
  sql: Statements,
  now: number,
  options: PostgresSweepOptions,
): Promise<PostgresSweepReport> {
  const batchSize = checkSafeInteger(options.batchSize ?? 1000, "batchSize", 1);
  const maxBatches = checkSafeInteger(options.maxBatches ?? 100, "maxBatches", 1);
  const table = async (statement: string): Promise<number> => {
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const rows = await db.query(statement, [p(now), p(batchSize)]);
      deleted += rows.length;
      if (rows.length < batchSize) break;
    }
    return deleted;
  };
  const sessions = await table(sql.sweepSessions);
  const revocations = await table(sql.sweepRevocations);
  const cutoffs = await table(sql.sweepCutoffs);
  return { sessions, revocations, cutoffs };
}
