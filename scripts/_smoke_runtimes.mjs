// Bun and workerd checks of the packed tarball, called by scripts/smoke.mjs with the temporary
// project where the tarball is installed. The fixtures are scripts/fixtures/worker.mjs (a Worker),
// worker_client.mjs (drives it and checks every answer) and bun_smoke.mjs.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";

const FIXTURES = ["worker.mjs", "worker_client.mjs", "bun_smoke.mjs"];

function copyFixtures(root, dir) {
  for (const name of FIXTURES) {
    copyFileSync(join(root, "scripts", "fixtures", name), join(dir, name));
  }
}

function required(path, what) {
  if (existsSync(path)) return path;
  throw new Error(`${what} is missing at ${path}: run npm ci (it is a pinned devDependency)`);
}

// Bun's npm package takes its binary from a per-platform optional dependency (@oven/bun-<os>-<cpu>)
// that npm installs for this machine only; npm 11 links it as the package's own bin/bun.exe.
function bunBinary(root) {
  const linked = join(root, "node_modules", "bun", "bin", "bun.exe");
  if (existsSync(linked)) return linked;
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  return join(root, "node_modules", "@oven", `bun-${process.platform}-${arch}`, "bin", "bun");
}

/** Runs the kit and the Worker's flows under Bun (the pinned \`bun\` devDependency). */
export function smokeBun(root, dir) {
  const started = performance.now();
  copyFixtures(root, dir);
  const bun = required(bunBinary(root), "Bun");
  const out = execFileSync(bun, ["bun_smoke.mjs"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "inherit"],
  }).toString();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`bun:          ${out.trim()} (${seconds} s)\n`);
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Bundles the Worker from the installed tarball, serves it with workerd, drives it over HTTP. */
export async function smokeWorkerd(root, dir) {
  const started = performance.now();
  copyFixtures(root, dir);
  const require = createRequire(join(root, "package.json"));
  const esbuild = require("esbuild");
  await esbuild.build({
    absWorkingDir: dir, // "sessionkit" resolves to the installed tarball, not to this checkout
    entryPoints: ["worker.mjs"],
    outfile: "worker.bundle.mjs",
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    logLevel: "error",
  });
  const port = await freePort();
  writeFileSync(
    join(dir, "worker.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.bundle.mjs", esModule = embed "worker.bundle.mjs")],
  compatibilityDate = "2026-11-01",
);
`,
  );
  const workerd = required(join(root, "node_modules", ".bin", "workerd"), "workerd");
  const child = spawn(workerd, ["serve", "worker.capnp"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group, stopped by its id below
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((done) => child.once("exit", done));
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`workerd exited (${child.exitCode}):\n${output}`);
      }
      try {
        await fetch(`${base}/`);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`workerd never answered:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const { exercise } = await import(join(dir, "worker_client.mjs"));
    const exchanges = await exercise((path, init) => fetch(`${base}${path}`, init));
    const version = execFileSync(workerd, ["--version"]).toString().trim();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `workerd:      ${version}: ${exchanges} HTTP exchanges on loopback ok (${seconds} s)\n`,
    );
  } catch (error) {
    if (output !== "") process.stderr.write(`workerd output:\n${output}\n`);
    throw error;
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  }
}
