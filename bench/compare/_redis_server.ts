// A redis-server for bench/compare/compare.ts: its own free loopback port, its own directory, stopped by
// its pid (read from its pidfile) — never by name. DEBUG is enabled (for DEBUG POPULATE).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Redis } from "ioredis";
import { freePort, launchRedis } from "../../spec/_support/_redis_servers.ts";

/** A server this process started. */
export interface BenchServer {
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  stop(): void;
}

const running = new Set<BenchServer>();
process.on("exit", () => {
  for (const server of [...running]) server.stop();
});

/** Starts a redis-server on a free port; resolves once it answers PING. */
export async function startRedis(): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), "sessionkit-bench-"));
  const port = await freePort();
  const pidFile = await launchRedis(dir, port, ["--enable-debug-command", "yes"]);
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!(pid > 0)) throw new Error("redis-server wrote no pidfile");
  const version = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout
    .match(/v=([\d.]+)/)?.[1] ?? "unknown";
  const server: BenchServer = {
    port,
    pid,
    version,
    stop: () => {
      if (!running.delete(server)) return;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      // Wait (briefly, synchronously: this also runs in the exit hook) for it to exit.
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        spawnSync("sleep", ["0.02"]);
      }
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // A file still being written: the temp directory is left behind, nothing else.
      }
    },
  };
  running.add(server);
  return server;
}

/** Calls and CPU time per command since the last reset, from `INFO commandstats`. */
export type CommandStats = Map<string, { calls: number; usec: number }>;

export async function commandStats(client: Redis): Promise<CommandStats> {
  const text = await client.info("commandstats");
  const stats: CommandStats = new Map();
  for (const line of text.split("\n")) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (m && m[1] !== "info" && m[1] !== "config") {
      stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
    }
  }
  return stats;
}

/**
 * Redis commands and Redis CPU per operation, over `count` sequential operations. Commands run
 * inside a script are counted too (under their own names), and their time is ALSO inside the
 * script's own `evalsha` time: `usec.evalsha` is the whole script, the rest is the part of it
 * spent in each command (or, without a script, the command itself).
 */
export async function perOperation(
  client: Redis,
  op: () => unknown,
  count: number,
): Promise<{ calls: Record<string, number>; usec: Record<string, number>; commands: number }> {
  await client.config("RESETSTAT");
  for (let i = 0; i < count; i++) await op();
  const stats = await commandStats(client);
  const calls: Record<string, number> = {};
  const usec: Record<string, number> = {};
  let commands = 0;
  for (const [name, s] of stats) {
    if (name.startsWith("config")) continue;
    calls[name] = Math.round((s.calls / count) * 100) / 100;
    usec[name] = Math.round((s.usec / count) * 10) / 10;
    commands += s.calls;
  }
  return { calls, usec, commands: commands / count };
}
