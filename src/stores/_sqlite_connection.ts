// Private: SQLiteStore's use of its connection — prepared statements cached by SQL text, writes in
// `BEGIN IMMEDIATE` transactions (committed whole or rolled back), driver failures turned into
// `store-unavailable` (fail closed).

import { SessionError } from "../core/errors.ts";
import type { SQLiteDatabase, SQLiteStatement, SQLiteValue } from "./sqlite_store_options.ts";

/** One connection of a store. */
export class SqliteConnection {
  readonly #db: SQLiteDatabase;
  readonly #busyTimeoutMs: number;
  readonly #prepared = new Map<string, SQLiteStatement>();
  #ready = false;

  constructor(db: SQLiteDatabase, busyTimeoutMs: number) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /** Runs statements that return nothing (schema, pragmas). */
  exec(sql: string): void {
    this.#init();
    this.#db.exec(sql);
  }

  /** The prepared statement of `sql` (prepared once per connection). */
  stmt(sql: string): SQLiteStatement {
    this.#init();
    let prepared = this.#prepared.get(sql);
    if (prepared === undefined) this.#prepared.set(sql, prepared = this.#db.prepare(sql));
    return prepared;
  }

  /** Runs a write statement; returns how many rows it changed. */
  run(sql: string, ...params: SQLiteValue[]): number {
    return Number(this.stmt(sql).run(...params).changes);
  }

  /** Runs `body` in a `BEGIN IMMEDIATE` transaction: committed whole, or rolled back. */
  write<T>(body: () => T): T {
    this.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // The transaction is already gone (SQLite rolls back by itself on some errors).
      }
      throw error;
    }
  }

  /** Runs `body`; a driver failure becomes `store-unavailable`. */
  guard<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (error instanceof SessionError) throw error;
      throw new SessionError("store-unavailable", "SQLite failed", { cause: error });
    }
  }

  #init(): void {
    if (this.#ready) return;
    this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
    this.#ready = true;
  }
}
