// `npm run bench:compare`: sessionkit side by side with the references it should be measured
// against, in ONE process, interleaved rounds, 3 runs, medians; ratio = time(ours) / time(theirs).
// Starts its own redis-server(s) on free ports (stopped by pid), loads the fixture (10,000
// sessions of ~200 bytes), prints the ratio table with the targets of issue 11, Redis commands and
// Redis CPU per operation (INFO commandstats deltas), Redis memory per session, and writes JSON +
// an SVG chart.
//
//   npm run bench:compare                 full run (about 5 minutes), writes docs/bench/compare.*
//   npm run bench:compare -- --quick      tiny budget, no million-scale, writes to the temp dir
//   options: --out=DIR  --sessions=N  --scale=N  --no-scale  --only=redis,cpu,memory,scale
//
// Never gates on a time: a target missed is printed, not failed. Node only (it is run by
// bench/compare/compare.mjs, which bundles this file with esbuild).

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Redis } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import type { Budget } from "./_measure.ts";
import { startRedis } from "./_redis_server.ts";
import { cpuSections } from "./_compare_cpu.ts";
import { redisSections } from "./_compare_redis.ts";
import { scaleSections } from "./_compare_scale.ts";
import { memorySection } from "./_compare_memory.ts";
import { type Row, svgChart, table } from "./_compare_report.ts";
import { docsBlock, spliceDocs } from "./_compare_docs.ts";
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined =>
  args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split("=")[1] ??
    (args.includes(`--${name}`) ? "" : undefined);
const quick = flag("quick") !== undefined;
const sessions = Number(flag("sessions") ?? (quick ? 500 : 10_000));
const scale = flag("no-scale") !== undefined || quick ? 0 : Number(flag("scale") ?? 1_000_000);
const out = flag("out") ?? (quick ? join(tmpdir(), "sessionkit-bench") : "docs/bench");
const budget: Budget = quick
  ? { batchMs: 4, rounds: 3, runs: 3 }
  : { batchMs: 120, rounds: 7, runs: 3 };

const started = performance.now();
const server = await startRedis();
const client = new Redis({ port: server.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
const rows: Row[] = [];
const extra: Record<string, unknown> = {};
const only = flag("only")?.split(",");
const failures: string[] = [];
const log = (text: string) => console.error(`[bench:compare] ${text}`);
/** Runs one section; a failure is reported (and fails the command) but the table still prints. */
async function section(name: string, run: () => Promise<Row[]>): Promise<void> {
  if (only !== undefined && !only.includes(name)) return;
  try {
    rows.push(...await run());
  } catch (error) {
    failures.push(name);
    console.error(`[bench:compare] section ${name} failed:`, error);
  }
}
try {
  await section(
    "redis",
    () => redisSections({ client, port: server.port, sessions, budget, quick, log, extra }),
  );
  await section("cpu", () => cpuSections({ budget, log }));
  await section("memory", () => memorySection({ quick, log, extra }));
  await section(
    "scale",
    () => scaleSections({ client, sessions, scale, budget, quick, log, extra }),
  );
  // The same Redis rows through ioredis 6, on an emptied server (last: the fixtures above are gone).
  await section("redis6", async () => {
    await client.flushall();
    const client6 = new Redis6({ port: server.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    try {
      return await redisSections({
        client: client6 as unknown as Redis,
        port: server.port,
        sessions,
        budget,
        quick,
        log,
        extra,
        variant: "ioredis 6",
      });
    } finally {
      client6.disconnect();
    }
  });
} finally {
  client.disconnect();
  server.stop();
}

const versions = await import("./_versions.ts").then((m) => m.versions());
const meta = {
  command: `npm run bench:compare${args.length ? ` -- ${args.join(" ")}` : ""}`,
  date: new Date().toISOString(),
  node: process.version,
  redis: server.version,
  cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  packages: versions,
  sessions,
  scale,
  budget,
  seconds: Math.round((performance.now() - started) / 1000),
};
console.log(table(rows, meta));
mkdirSync(out, { recursive: true });
const name = quick ? "compare-quick" : "compare";
writeFileSync(join(out, `${name}.json`), JSON.stringify({ meta, rows, extra }, null, 2) + "\n");
writeFileSync(join(out, `${name}.svg`), svgChart(rows, meta));
writeFileSync(join(out, `${name}.md`), table(rows, meta) + "\n");
console.log(`\nwrote ${join(out, name)}.json, .md and .svg`);
if (failures.length > 0) console.error(`\nsections that failed: ${failures.join(", ")}`);
// A complete full run into docs/bench is what the documents show: it rewrites their figures.
if (!quick && only === undefined && flag("out") === undefined && failures.length === 0) {
  const git = (...a: string[]) => spawnSync("git", a, { encoding: "utf8" }).stdout.trim();
  const dirty = git("status", "--porcelain", "--", "src", "bench") !== "" ? "+changes" : "";
  const block = docsBlock(rows, meta, extra, `${git("rev-parse", "--short", "HEAD")}${dirty}`);
  const missing = spliceDocs(block, {
    "README.md": "docs/bench/compare.svg",
    "docs/performance.md": "bench/compare.svg",
  });
  // Their tables are then laid out the way `deno fmt --check` (part of `npm test`) wants them.
  spawnSync("npx", ["deno", "fmt", "README.md", "docs/performance.md"], { stdio: "ignore" });
  console.log(
    `rewrote the figures of README.md and docs/performance.md${
      missing.length ? ` (no markers in ${missing.join(", ")})` : ""
    }`,
  );
}
process.exit(failures.length > 0 ? 1 : 0);
