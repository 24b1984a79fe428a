// The SQLite driver of the runtime the specs run in: better-sqlite3 under Node (vitest), whose
// native addon Deno cannot load (it is built on the V8/nan ABI, not Node-API), and node:sqlite
// under Deno (Node 20, the Node here, has no node:sqlite). Each runtime tests the driver it runs.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQLiteDatabase } from "../../src/stores/sqlite.ts";

/** A connection the specs can close. */
export type Connection = SQLiteDatabase & { close(): void };

/** Opens a connection on a path (or ":memory:"). */
export type Open = (path: string) => Connection;

export const IN_DENO = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** The driver's name and how to open a connection with it. */
export async function sqliteDriver(): Promise<{ name: string; open: Open }> {
  if (IN_DENO) {
    // A computed specifier: @types/node 20 (which Deno type-checks node:* against) has no
    // node:sqlite, while Deno itself ships it.
    const specifier = "node:sqlite";
    const mod = await import(specifier) as {
      DatabaseSync: new (path: string) => Connection;
    };
    return { name: "node:sqlite", open: (path) => new mod.DatabaseSync(path) };
  }
  const mod = await import("better-sqlite3");
  const Database = mod.default;
  return {
    name: "better-sqlite3",
    open: (path) => new Database(path) as unknown as Connection,
  };
}

/** A fresh temporary folder for database files, and how to remove it. */
export function tempFolder(): { file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sessionkit-sqlite-"));
  return {
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every byte of every file in a folder (the database, its WAL and shared memory), as latin1. */
export function folderBytes(path: string): string {
  const dir = path.slice(0, path.lastIndexOf("/"));
  return readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString("latin1")).join("");
}

/** Every row of every table, as JSON: what the kit searches for issued secrets. */
export function dumpTables(db: SQLiteDatabase): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  return JSON.stringify(tables.map(({ name }) => db.prepare(`SELECT * FROM "${name}"`).all()));
}
