/**
 * The SQLite store of sessionkit (subpath `./sqlite`): {@linkcode SQLiteStore} over any
 * synchronous driver — `better-sqlite3` (Node), `node:sqlite` (Node ≥ 22.5, Deno) or `bun:sqlite`
 * (Bun). No driver is imported here: bring your own connection. The embedded choice for a
 * single-server app whose sessions must survive a restart.
 *
 * @example
 * ```ts
 * // Any synchronous driver: node:sqlite (Node ≥ 22.5, Deno), better-sqlite3 (Node), bun:sqlite.
 * // (A computed import here only because Node 20's type definitions lack node:sqlite.)
 * const { DatabaseSync } = await import("node:sqlite" as string);
 * import { SQLiteStore } from "@sessionkit/sessionkit/sqlite";
 * const store = new SQLiteStore(new DatabaseSync(":memory:"));
 * await store.migrate();
 * const login = await store.create({ userId: "ada", idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000 });
 * if (login.status !== "created") throw new Error("Login refused");
 * ```
 *
 * @module
 */

export {
  type SQLiteDatabase,
  type SQLiteStatement,
  SQLiteStore,
  type SQLiteStoreOptions,
  type SQLiteSweepOptions,
  type SQLiteSweepReport,
  type SQLiteValue,
} from "./sqlite_store.ts";
