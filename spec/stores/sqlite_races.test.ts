// SQLiteStore across processes: four Bun processes (bun:sqlite) log the same user in at once on
// one file, 25 times each, under limit 3. BEGIN IMMEDIATE must serialise every login, so exactly 3
// sessions are left and every other one was evicted exactly once. Runs under vitest and Deno alike
// (the children are Bun; the parent only spawns them and reads the file with its own driver).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SQLiteStore } from "../../src/stores/sqlite.ts";
import { sqliteDriver, tempFolder } from "../_support/_sqlite_drivers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const PROCESSES = 4;
const LOGINS = 25;
const LIMIT = 3;

function run(bun: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bun, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => out += String(chunk));
    child.stderr.on("data", (chunk) => err += String(chunk));
    child.on("error", reject);
    child.on(
      "close",
      (code) => code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}

describe("SQLiteStore across processes on one file", () => {
  it(`${PROCESSES} processes × ${LOGINS} logins of one user at limit ${LIMIT} leave exactly ${LIMIT}`, async () => {
    const bun = [`${root}node_modules/bun/bin/bun.exe`, `${root}node_modules/.bin/bun`]
      .find((path) => existsSync(path));
    assert.ok(bun !== undefined, "Bun is missing: run npm ci (a pinned devDependency)");
    const folder = tempFolder();
    try {
      const path = folder.file("race.db");
      const go = folder.file("go");
      const driver = await sqliteDriver();
      const db = driver.open(path);
      const store = new SQLiteStore(db);
      await store.migrate(); // before the children, so they race on logins, not on the schema
      const children = Array.from(
        { length: PROCESSES },
        () =>
          run(bun, [
            "spec/_support/_sqlite_race_child.ts",
            path,
            go,
            String(LOGINS),
            String(LIMIT),
          ]),
      );
      writeFileSync(go, "");
      const outputs = await Promise.all(children);
      const logins = outputs.flatMap((out) =>
        JSON.parse(out.trim().split("\n").at(-1)!) as { id: string; evicted: string[] }[]
      );
      assert.equal(logins.length, PROCESSES * LOGINS);
      const created = new Set(logins.map((l) => l.id));
      assert.equal(created.size, PROCESSES * LOGINS);
      const live = (await store.list("ada")).map((s) => s.id);
      assert.equal(live.length, LIMIT);
      const evicted = logins.flatMap((l) => l.evicted);
      assert.equal(new Set(evicted).size, evicted.length, "a session was evicted twice");
      assert.deepEqual(
        [...evicted, ...live].sort(),
        [...created].sort(),
        "every session is either live or evicted exactly once",
      );
      db.close();
    } finally {
      folder.remove();
    }
  });
});
