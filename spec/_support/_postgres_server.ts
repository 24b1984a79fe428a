// Test helpers: a real Postgres cluster in a temp folder, on a free loopback port, started by the
// tests and stopped by pid (SIGINT: fast shutdown), never by name. Postgres refuses to run as
// root, so when the tests run as root initdb and postgres run as the `postgres` OS user (setpriv
// execs in place: the pid we hold is the postmaster's). DATABASE_URL, when set, points the tests
// at the user's own server instead (then tables go in fresh schemas, never dropped wholesale).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** The folder of initdb/postgres/pg_isready: the newest /usr/lib/postgresql/N/bin, or PATH. */
export function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], "bin");
  }
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  const found = which.stdout.trim();
  return which.status === 0 && found !== "" ? found.slice(0, -"/initdb".length) : null;
}

/**
 * Decides whether the real-Postgres suites run. Without Postgres they are skipped with a loud
 * message, except under CI=true where a skip is a failure.
 */
export function realPostgresOrSkip(what: string): boolean {
  if (process.env.DATABASE_URL !== undefined) return true;
  if (postgresBin() !== null) return true;
  const message =
    `\n!!! SKIPPED ${what} tests: Postgres is not installed (apt-get install postgresql)\n`;
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

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (port !== 5432 && await portFree(port)) return port;
  }
  throw new Error("No free port found");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** argv that runs `command` as the postgres OS user when we are root. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [command, args];
  return ["setpriv", [
    "--reuid=postgres",
    "--regid=postgres",
    "--init-groups",
    "--reset-env",
    command,
    ...args,
  ]];
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGINT");
});

/** A Postgres server the tests started. */
export interface PostgresServer {
  /** Connection URL (user postgres, trust auth, database postgres). */
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGINT, fast shutdown) and waits for the postmaster to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same data folder and port. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

/** initdb in a temp folder and start a postmaster on a free loopback port. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (bin === null) throw new Error("Postgres is not installed");
  const dir = mkdtempSync(join(tmpdir(), "sessionkit-pg-"));
  const data = join(dir, "data");
  if (isRoot()) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
  const [cmd, args] = asPostgres(join(bin, "initdb"), [
    "-D",
    data,
    "--auth=trust",
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-sync",
    "--no-instructions",
  ]);
  const init = spawnSync(cmd, args, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: PostgresServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      const [command, argv] = asPostgres(join(bin, "postgres"), [
        "-D",
        data,
        "-p",
        String(port),
        "-k",
        dir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "max_connections=200",
      ]);
      const started = spawn(command, argv, { stdio: ["ignore", "ignore", "pipe"] });
      let log = "";
      started.stderr?.on("data", (chunk) => log = (log + String(chunk)).slice(-4_000));
      running.add(started);
      started.once("exit", () => running.delete(started));
      child = started;
      for (let i = 0; i < 600; i++) {
        if (started.exitCode !== null) throw new Error(`postgres exited: ${log}`);
        const ready = spawnSync(join(bin, "pg_isready"), ["-h", dir, "-p", String(port)]);
        if (ready.status === 0) return;
        await sleep(50);
      }
      throw new Error(`postgres did not become ready: ${log}`);
    },
    async stop() {
      const current = child;
      child = undefined;
      if (current === undefined || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once("exit", resolve));
      current.kill("SIGINT");
      await exited;
    },
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** The URL of the server under test: DATABASE_URL, or a server started here (shared, lazy). */
let shared: Promise<PostgresServer> | undefined;
export async function serverUrl(): Promise<string> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined) return url;
  shared ??= startPostgres();
  return (await shared).url;
}

/** Stops the shared server, if one was started. */
export async function stopSharedServer(): Promise<void> {
  const started = shared;
  shared = undefined;
  if (started !== undefined) await (await started).destroy();
}
