// Run by Bun (spec/stores/sqlite_store.test.ts spawns it): the conformance kit on SQLiteStore over
// bun:sqlite, which fits the store's driver interface as it is. Prints one JSON line: the report.
// A computed specifier: neither tsc nor Deno has bun:sqlite's types.
import { SQLiteStore } from "../../src/stores/sqlite.ts";
import { verifyStore } from "../../src/testing/mod.ts";
import type { Connection } from "./_sqlite_drivers.ts";

const specifier = "bun:sqlite";
const { Database } = await import(specifier) as { Database: new (path: string) => Connection };
const seed = Number(process.argv[2]);
const report = await verifyStore(async ({ clock, random, maxDataBytes }) => {
  const db = new Database(":memory:");
  const store = new SQLiteStore(db, { clock, random, maxDataBytes });
  await store.migrate();
  return { store, cleanup: () => db.close() };
}, { name: "SQLiteStore/bun:sqlite", budget: "default", seed });
console.log(JSON.stringify(report));
