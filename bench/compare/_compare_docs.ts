// The figures block of README.md and docs/performance.md, written by a full `npm run
// bench:compare` run so the documents only ever show what the harness measured: a header naming
// the command, date, commit, machine and versions; the ratio table (c=1 and c=64 side by side);
// Redis commands + Redis CPU per operation; and Redis memory per session. Everything between the
// `<!-- perf:begin` line and `<!-- perf:end -->` is replaced.

import { readFileSync, writeFileSync } from "node:fs";
import { met, type Row } from "./_compare_report.ts";
import type { RedisMemory } from "./_compare_memory.ts";

/** `INFO commandstats` deltas per operation, as `_compare_redis.ts` records them. */
type PerOp = Record<string, { calls: Record<string, number>; usec: Record<string, number> }>;

const f = (n: number) => n.toFixed(2);
const cell = (row: Row | undefined) =>
  row === undefined ? "" : `${f(row.ratio.median)} (${f(row.ratio.min)}–${f(row.ratio.max)})`;

const OPERATIONS: readonly (readonly [string, string])[] = [
  ["getex", "raw `GETEX`"],
  ["get+expire", "`GET` + `EXPIRE` (the seed)"],
  ["connect-redis", "connect-redis `get` + `touch`"],
  ["store", "`RedisStore.validate` (no slide due)"],
  ["manager", "`SessionManager.validate`"],
  ["set-ex", "raw `SET … EX`"],
  ["login-new", "login, new user"],
  ["login-full", "login at the limit (evicts one)"],
];

function commandsTable(perOp: PerOp): string[] {
  const lines = [
    "| operation | Redis commands (inside a script too) | Redis µs per op |",
    "| --- | --- | --- |",
  ];
  for (const [id, label] of OPERATIONS) {
    const op = perOp[id];
    if (op === undefined) continue;
    const names = Object.entries(op.calls).filter(([name]) => name !== "evalsha");
    const script = op.calls.evalsha !== undefined;
    const listed = names.map(([name, n]) => `${n} ${name.toUpperCase()}`).join(", ");
    const usec = script
      ? `${op.usec.evalsha} (whole script)`
      : Object.values(op.usec).reduce((a, b) => a + b, 0).toFixed(1);
    lines.push(`| ${label} | ${script ? `1 EVALSHA running ${listed}` : listed} | ${usec} |`);
  }
  return lines;
}

function memoryTable(m: RedisMemory): string[] {
  const over = (n: number) => `${n - m.payloadBytes}`;
  return [
    `Redis memory per session (section \`memory\`: \`used_memory\` growth over ${m.sessions} sessions per population, each on an emptied server; ${m.payloadBytes} bytes of JSON data per session plus device metadata; the record is ${m.recordBytes} bytes, \`MEMORY USAGE\` ${m.recordMemoryUsage}):`,
    "",
    "| population | bytes per session | of which beyond the data |",
    "| --- | --- | --- |",
    `| anonymous sessions | ${m.perSession.anonymous} | ${over(m.perSession.anonymous)} |`,
    `| users with 5 sessions each | ${m.perSession.fivePerUser} | ${
      over(m.perSession.fivePerUser)
    } |`,
    `| users with 1 session each | ${m.perSession.onePerUser} | ${over(m.perSession.onePerUser)} |`,
    `| a login's replay key, for its first minute only | ${m.replayKeyPerLogin} | |`,
  ];
}

/** The generated block (without its marker lines). */
export function docsBlock(
  rows: readonly Row[],
  meta: Record<string, unknown>,
  extra: Record<string, unknown>,
  commit: string,
): string {
  const packages = Object.entries(meta.packages as Record<string, string>)
    .map(([name, version]) => `${name} ${version}`).join(", ");
  const lines = [
    "",
    `\`${meta.command}\`, ${
      String(meta.date).slice(0, 16).replace("T", " ")
    } UTC, commit ${commit}, Node ${meta.node}, redis-server ${meta.redis} on loopback, ${meta.cpu} cores, ${meta.memoryGiB} GiB; ${packages}. Ratio = time(sessionkit) / time(reference) in the same process, interleaved; median of 3 runs (min–max of the 3 in brackets).`,
    "",
    "| hot path | c=1 | c=64 | target | met |",
    "| --- | --- | --- | --- | --- |",
  ];
  const ids = [...new Set(rows.map((r) => `${r.id}\u0000${r.label}`))];
  for (const key of ids) {
    const [id, label] = key.split("\u0000") as [string, string];
    const one = rows.find((r) => r.id === id && r.inFlight === 1);
    const many = rows.find((r) => r.id === id && r.inFlight === 64);
    const targets = [one, many].filter((r) => r?.target != null) as Row[];
    const target = targets.map((r) => `≤ ${f(r.target!)}`).join(" / ") ||
      (one?.note.startsWith("target") ? one.note.replace("target: ", "") : "");
    const verdict = targets.map((r) => met(r) ? "yes" : "no").join(" / ");
    const note = one?.note && !one.note.startsWith("target") ? ` — ${one.note}` : "";
    lines.push(`| ${label}${note} | ${cell(one)} | ${cell(many)} | ${target} | ${verdict} |`);
  }
  const perOp = extra["redis-per-op"] as PerOp | undefined;
  if (perOp !== undefined) {
    lines.push(
      "",
      "Redis commands and Redis CPU per operation (`INFO commandstats` deltas over 500 sequential operations, same run):",
      "",
      ...commandsTable(perOp),
    );
  }
  const memory = extra["redis-memory"] as RedisMemory | undefined;
  if (memory !== undefined) lines.push("", ...memoryTable(memory));
  lines.push("", "![ratio chart](CHART)", "");
  return lines.join("\n");
}

/**
 * Replaces the block between the markers in each file; `chart` maps a file to the chart's path
 * relative to it. A file without the markers is left as it is and named in the result.
 */
export function spliceDocs(block: string, files: Readonly<Record<string, string>>): string[] {
  const missing: string[] = [];
  for (const [file, chart] of Object.entries(files)) {
    const text = readFileSync(file, "utf8");
    const begin = text.indexOf("<!-- perf:begin");
    const end = text.indexOf("<!-- perf:end -->");
    if (begin < 0 || end < begin) {
      missing.push(file);
      continue;
    }
    const head = text.slice(0, text.indexOf("\n", begin) + 1);
    const body = block.replace("CHART", chart);
    writeFileSync(file, head + body + "\n" + text.slice(end));
  }
  return missing;
}
