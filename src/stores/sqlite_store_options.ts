/**
 * The synchronous SQLite surface {@linkcode SQLiteStore} uses, and its options. `better-sqlite3`'s
 * `Database`, `node:sqlite`'s `DatabaseSync` and `bun:sqlite`'s `Database` all fit it as they are:
 * no adapter, and no driver imported by sessionkit.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { RandomSource } from "../core/random.ts";

/** A value bound to a statement parameter. */
export type SQLiteValue = string | number | null;

/** A prepared statement: `run` for writes, `get` for one row, `all` for every row. */
export interface SQLiteStatement {
  /** Runs the statement; `changes` is how many rows it wrote. */
  run(...params: SQLiteValue[]): { readonly changes: number | bigint };
  /** The first row as an object keyed by column name; `undefined` or `null` when none. */
  get(...params: SQLiteValue[]): unknown;
  /** Every row, as objects keyed by column name. */
  all(...params: SQLiteValue[]): unknown[];
}

/** A synchronous SQLite connection: `prepare` and `exec` (several statements at once). */
export interface SQLiteDatabase {
  /** Compiles one statement. */
  prepare(sql: string): SQLiteStatement;
  /** Runs one or more statements that return nothing. */
  exec(sql: string): unknown;
}

/** Options of `SQLiteStore`. */
export interface SQLiteStoreOptions {
  /**
   * Prefix of the table names (`<prefix>sessions`, `<prefix>tokens`, `<prefix>cutoffs`,
   * `<prefix>meta`): a letter or `_`, then letters, digits or `_`, at most 32 characters.
   * @default "sk_"
   */
  readonly tablePrefix?: string;
  /** The clock of all expiry logic. @default systemClock */
  readonly clock?: Clock;
  /** Randomness for session ids and secrets. @default webCryptoRandom */
  readonly random?: RandomSource;
  /** Cap on the UTF-8 size of session data JSON. @default 8192 */
  readonly maxDataBytes?: number;
  /**
   * How long a write waits for another connection's write lock (`PRAGMA busy_timeout`, set on
   * the connection when the store first uses it) before failing with `store-unavailable`.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
}

/** Options of `SQLiteStore.sweep`. */
export interface SQLiteSweepOptions {
  /** Rows deleted per transaction (each batch is its own short write). @default 500 */
  readonly batch?: number;
}

/** What `SQLiteStore.sweep` removed. */
export interface SQLiteSweepReport {
  /** Expired sessions. */
  readonly sessions: number;
  /** Access-token revocations past their expiry. */
  readonly tokens: number;
  /** Access-token cutoffs past their `until`. */
  readonly cutoffs: number;
}
