// Run by Bun (spec/stores/sqlite_races.test.ts spawns several at once): logs "ada" in N times on a
// shared SQLite file with limit L, after waiting for the start signal, and prints what each login
// answered (its session id and the ids it evicted) as one JSON line.
import { existsSync } from "node:fs";
import { SQLiteStore } from "../../src/stores/sqlite.ts";
import type { Connection } from "./_sqlite_drivers.ts";

const specifier = "bun:sqlite"; // computed: neither tsc nor Deno has bun:sqlite's types
const { Database } = await import(specifier) as { Database: new (path: string) => Connection };
const [path = "", go = "", count = "0", limit = "1"] = process.argv.slice(2);
const db = new Database(path);
const store = new SQLiteStore(db, { busyTimeoutMs: 30_000 });
await store.migrate();
const deadline = performance.now() + 30_000;
while (!existsSync(go)) {
  if (performance.now() > deadline) throw new Error("No start signal");
  await new Promise((resolve) => setTimeout(resolve, 1));
}
const logins: { id: string; evicted: string[] }[] = [];
for (let i = 0; i < Number(count); i++) {
  const made = await store.create({
    userId: "ada",
    idleTtlMs: 3_600_000,
    absoluteTtlMs: 3_600_000,
    limit: Number(limit),
  });
  if (made.status !== "created") throw new Error(`Login answered ${made.status}`);
  logins.push({ id: made.session.id, evicted: made.evicted.map((s) => s.id) });
}
db.close();
console.log(JSON.stringify(logins));
