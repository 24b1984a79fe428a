// Test helpers: real redis-server processes on free loopback ports, started by the tests and
// stopped by port (SHUTDOWN NOSAVE) or pid, never by name. REDIS_URL, when set, is used instead of
// starting a standalone server (then keys are removed by prefix, never FLUSHALL).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Cluster, Redis } from "ioredis";

/** Whether `redis-server` and `redis-cli` can be run here. */
export function redisInstalled(): boolean {
  const server = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  const cli = spawnSync("redis-cli", ["--version"], { encoding: "utf8" });
  return server.status === 0 && cli.status === 0;
}

/**
 * Decides whether the real-Redis suites run. Without redis-server they are skipped with a loud
 * message, except under CI=true where a skip is a failure.
 */
export function realRedisOrSkip(what: string): boolean {
  if (process.env.REDIS_URL !== undefined && what === "redis-server") return true;
  if (redisInstalled()) return true;
  const message =
    `\n!!! SKIPPED ${what} tests: redis-server is not installed (apt-get install redis-server)\n`;
  if (process.env.CI === "true") throw new Error(`CI=true and ${message.trim()}`);
  console.warn(message);
  return false;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (+10000) is free too. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (await portFree(port) && await portFree(port + 10_000)) return port;
  }
  throw new Error("No free port found");
}

const started = new Set<number>();

function shutdown(port: number, pidFile: string): void {
  if (!started.delete(port)) return;
  const result = spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"], {
    encoding: "utf8",
    timeout: 5_000,
  });
  if (result.status !== 0 || result.stdout.includes("ERR")) {
    try {
      process.kill(Number(readFileSync(pidFile, "utf8").trim()));
    } catch {
      // Already gone.
    }
  }
}

// Servers still running when the process exits are stopped by port: tests must not leak them.
process.on("exit", () => {
  for (const port of [...started]) {
    spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"], { timeout: 5_000 });
  }
});

async function waitPing(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if (ping.stdout.trim() === "PONG") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

/**
 * Runs `redis-server` daemonized on `port` with its files (pidfile `redis-<port>.pid`, log, data)
 * in `dir`, no persistence unless `extra` asks for it, and waits until it answers PING. Returns
 * the pidfile's path. The server is stopped by port at exit unless stopped before.
 */
export async function launchRedis(dir: string, port: number, extra: string[]): Promise<string> {
  const pidFile = join(dir, `redis-${port}.pid`);
  const args = [
    ["--port", String(port)],
    ["--bind", "127.0.0.1"],
    ["--save", ""],
    ["--appendonly", "no"],
    ["--daemonize", "yes"],
    ["--pidfile", pidFile],
    ["--dir", dir],
    ["--logfile", join(dir, `redis-${port}.log`)],
  ].flat();
  const result = spawnSync("redis-server", [...args, ...extra], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`redis-server failed: ${result.stderr}`);
  started.add(port);
  await waitPing(port);
  return pidFile;
}

async function startServer(dir: string, extra: string[]): Promise<number> {
  const port = await freePort();
  await launchRedis(dir, port, extra);
  return port;
}

/** A standalone server for one test file. */
export interface StandaloneServer {
  readonly url: string;
  /** True when the tests started it (FLUSHALL is then allowed). */
  readonly own: boolean;
  readonly port: number;
  stop(): void;
}

/** Starts a standalone redis-server on a free port, or uses REDIS_URL. */
export async function startStandalone(): Promise<StandaloneServer> {
  const url = process.env.REDIS_URL;
  if (url !== undefined) return { url, own: false, port: 0, stop: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "sessionkit-redis-"));
  const port = await startServer(dir, []);
  return {
    url: `redis://127.0.0.1:${port}`,
    own: true,
    port,
    stop: () => {
      shutdown(port, join(dir, `redis-${port}.pid`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A 3-master cluster on loopback (with `replicas` replicas per master when asked). */
export interface LocalCluster {
  /** Every node's port, masters first as created. */
  readonly ports: readonly number[];
  /** The pid of the server on `port` (from its pidfile). */
  pidOf(port: number): number;
  /** Runs a redis-cli command against the node on `port`. */
  cli(port: number, ...args: string[]): string;
  stop(): void;
}

/**
 * Starts cluster-enabled servers and joins them into a 3-master cluster. `fullCoverage: false`
 * sets `cluster-require-full-coverage no`: with a master lost for good, the other masters keep
 * serving their slots (with the default, the whole cluster refuses queries once the lost master is
 * marked failed, `cluster-node-timeout` after the loss).
 */
export async function startCluster(
  options: { replicas?: number; fullCoverage?: boolean } = {},
): Promise<LocalCluster> {
  const replicas = options.replicas ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "sessionkit-cluster-"));
  const ports: number[] = [];
  for (let i = 0; i < 3 * (1 + replicas); i++) {
    const nodeDir = join(dir, String(i));
    spawnSync("mkdir", ["-p", nodeDir]);
    ports.push(
      await startServer(nodeDir, [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(nodeDir, "nodes.conf"),
        "--cluster-node-timeout",
        "2000",
        // Replicas sync at once (the default waits 5 s before a diskless full sync).
        "--repl-diskless-sync-delay",
        "0",
        ...(options.fullCoverage === false ? ["--cluster-require-full-coverage", "no"] : []),
      ]),
    );
  }
  const pidFileOf = (port: number) => join(dir, String(ports.indexOf(port)), `redis-${port}.pid`);
  const stop = () => {
    ports.forEach((port) => shutdown(port, pidFileOf(port)));
    rmSync(dir, { recursive: true, force: true });
  };
  const create = spawnSync("redis-cli", [
    "--cluster",
    "create",
    ...ports.map((port) => `127.0.0.1:${port}`),
    "--cluster-replicas",
    String(replicas),
    "--cluster-yes",
  ], { encoding: "utf8", timeout: 30_000 });
  if (create.status !== 0) {
    stop();
    throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
  }
  const cluster: LocalCluster = {
    ports,
    pidOf: (port) => Number(readFileSync(pidFileOf(port), "utf8").trim()),
    cli: (port, ...args) =>
      spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8", timeout: 10_000 })
        .stdout,
    stop,
  };
  for (let i = 0; i < 150; i++) {
    const info = ports.map((port) =>
      spawnSync("redis-cli", ["-p", String(port), "cluster", "info"], { encoding: "utf8" }).stdout
    );
    const synced = replicas === 0 || ports.every((port) => {
      const replication = cluster.cli(port, "info", "replication");
      return replication.includes("role:master") || replication.includes("master_link_status:up");
    });
    if (synced && info.every((text) => text.includes("cluster_state:ok"))) return cluster;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error("Cluster did not reach cluster_state:ok");
}

/** An ioredis Cluster client for a local cluster. */
export function clusterClient(cluster: LocalCluster): Cluster {
  return new Cluster(cluster.ports.map((port) => ({ host: "127.0.0.1", port })), {
    enableReadyCheck: true,
  });
}

/** An ioredis client for a URL. */
export function standaloneClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

/** Deletes every key under a prefix on the given nodes (SCAN + DEL, never KEYS). */
export async function deletePrefix(nodes: readonly Redis[], prefix: string): Promise<void> {
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) await node.del(key);
    } while (cursor !== "0");
  }
}

/** Every key under a prefix with its type, value and TTL, as text (for the kit's secret check). */
export async function dumpPrefix(nodes: readonly Redis[], prefix: string): Promise<string> {
  const lines: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const type = await node.type(key);
        const value = type === "string"
          ? await node.get(key)
          : type === "hash"
          ? JSON.stringify(await node.hgetall(key))
          : type === "zset"
          ? JSON.stringify(await node.zrange(key, 0, -1, "WITHSCORES"))
          : type;
        lines.push(`${key} ${type} ttl=${await node.pttl(key)} ${value}`);
      }
    } while (cursor !== "0");
  }
  return lines.join("\n");
}

/** Keys under a prefix that have no TTL (each should have one). */
export async function keysWithoutTtl(nodes: readonly Redis[], prefix: string): Promise<string[]> {
  const bad: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) if (await node.pttl(key) < 0) bad.push(key);
    } while (cursor !== "0");
  }
  return bad;
}

/** How a {@linkcode ManagedServer} persists its data. */
export type Persistence = "aof-always" | "rdb" | "none";

/** A standalone server the fault tests kill, pause and restart on the same port and directory. */
export interface ManagedServer {
  readonly port: number;
  readonly url: string;
  /** The server's pid (read from its pidfile). */
  pid(): number;
  /** Sends a signal to the server's pid (never by name). */
  signal(signal: "SIGKILL" | "SIGSTOP" | "SIGCONT"): void;
  /** Starts the server again on the same port; `empty` first removes its data files. */
  restart(options?: { empty?: boolean }): Promise<void>;
  /** Runs a redis-cli command against the server (for SAVE, CLIENT KILL, CLIENT PAUSE…). */
  cli(...args: string[]): string;
  stop(): void;
}

function persistenceArgs(persistence: Persistence): string[] {
  if (persistence === "aof-always") {
    return ["--appendonly", "yes", "--appendfsync", "always", "--save", ""];
  }
  // RDB without automatic snapshots: the tests take the snapshot (SAVE) at a known point.
  if (persistence === "rdb") {
    return ["--appendonly", "no", "--save", "", "--dbfilename", "dump.rdb"];
  }
  return [];
}

/** Starts a standalone server with the given persistence, in its own directory. */
export async function startManagedServer(persistence: Persistence): Promise<ManagedServer> {
  const dir = mkdtempSync(join(tmpdir(), "sessionkit-fault-"));
  const extra = persistenceArgs(persistence);
  const port = await startServer(dir, extra);
  const pidFile = join(dir, `redis-${port}.pid`);
  const readPid = () => Number(readFileSync(pidFile, "utf8").trim());
  let pid = readPid();
  const server: ManagedServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => pid,
    signal: (signal) => process.kill(pid, signal),
    restart: async (options = {}) => {
      if (options.empty === true) {
        for (const name of ["dump.rdb", "appendonly.aof", "appendonlydir"]) {
          rmSync(join(dir, name), { recursive: true, force: true });
        }
      }
      rmSync(pidFile, { force: true });
      await launchRedis(dir, port, extra);
      pid = readPid();
    },
    cli: (...args) =>
      spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8", timeout: 10_000 })
        .stdout,
    stop: () => {
      try {
        process.kill(pid, "SIGCONT");
      } catch {
        // Not running.
      }
      shutdown(port, pidFile);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A standalone master with one replica (`--replicaof`), each stopped by its pid. */
export interface MasterWithReplica {
  readonly masterPort: number;
  readonly replicaPort: number;
  /** The pid of a server, read from its pidfile. */
  pidOf(port: number): number;
  stop(): void;
}

/** Starts a master and a replica of it on free ports; resolves once the link is up (≤ 10 s). */
export async function startMasterWithReplica(): Promise<MasterWithReplica> {
  const dir = mkdtempSync(join(tmpdir(), "sessionkit-replica-"));
  const masterPort = await freePort();
  const masterPid = await launchRedis(dir, masterPort, []);
  const replicaPort = await freePort();
  const replicaPid = await launchRedis(dir, replicaPort, [
    "--replicaof",
    "127.0.0.1",
    String(masterPort),
  ]);
  const pidFiles = new Map([[masterPort, masterPid], [replicaPort, replicaPid]]);
  for (let i = 0;; i++) {
    const info = spawnSync("redis-cli", ["-p", String(replicaPort), "info", "replication"], {
      encoding: "utf8",
    }).stdout;
    if (info.includes("master_link_status:up")) break;
    if (i === 200) throw new Error("The replica never linked to its master");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    masterPort,
    replicaPort,
    pidOf: (port) => Number(readFileSync(pidFiles.get(port)!, "utf8").trim()),
    stop: () => {
      for (const [port, pidFile] of pidFiles) {
        try {
          process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGCONT");
        } catch {
          // Already gone.
        }
        shutdown(port, pidFile);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
