// Runs the README's Deno commands exactly as a Deno user types them: `deno task walkthrough` and
// `deno task example` (which must answer on its port; stopped by its process group id).
//
// Why this exists: `deno task` resolves a task's leading `deno` to `node_modules/.bin/deno` and
// runs that file as JavaScript. After `npm ci` that file is the npm package's native binary, so a
// task written `deno run …` fails with a SyntaxError. The tasks in deno.json therefore start with
//   $(env deno eval 0 2> /dev/null && echo env) deno …
// `env deno` finds the first real `deno` on PATH (native binary or the npm package's Node shim);
// when that cannot start (a `deno install` layout on a machine without Node), the prefix is empty
// and the task runner's own handling of the JavaScript shim runs instead.
//
// Layouts checked: the repository as `npm ci` left it (native binary in .bin), and a mirror of it
// whose node_modules/.bin holds only the npm package's JavaScript shim (what `deno install` makes)
// run with a PATH that has no Node at all.
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
/** The native deno: the npm package's (placed next to its shim) or the first on PATH. */
function findDeno() {
  const places = [
    join(root, "node_modules", "deno", "deno"),
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "deno")),
  ];
  for (const place of places) {
    if (!existsSync(place)) continue;
    const real = realpathSync(place);
    if (!real.endsWith(".cjs") && !real.endsWith(".js")) return real;
  }
  throw new Error("No deno binary: run npm ci (deno is a pinned devDependency)");
}
const denoBinary = findDeno();

/** A port nobody listens on right now. */
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

function walkthrough(cwd, env) {
  const out = execFileSync(denoBinary, ["task", "walkthrough"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  }).toString();
  for (const step of ["login as ada", "reuse", "logout"]) {
    if (!out.includes(step)) throw new Error(`deno task walkthrough printed no "${step}":\n${out}`);
  }
}

async function example(cwd, env) {
  const port = await freePort();
  const child = spawn(denoBinary, ["task", "example"], {
    cwd,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: the task runner and the deno it starts stop together
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((done) => child.once("exit", (code) => done(code)));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`deno task example exited (${child.exitCode}):\n${output}`);
      }
      try {
        const res = await fetch(`http://localhost:${port}/login`);
        const body = await res.text();
        if (res.status !== 200 || !body.includes("<form")) {
          throw new Error(`deno task example answered ${res.status} without a login form`);
        }
        return;
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("deno task example")) throw error;
        if (Date.now() > deadline) throw new Error(`deno task example never answered:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** A copy of the repository (by symlinks) whose node_modules/.bin has only the JavaScript shim. */
function shimLayout(dir) {
  for (const name of ["deno.json", "package.json", "mod.ts", "src", "examples"]) {
    symlinkSync(join(root, name), join(dir, name));
  }
  const modules = join(dir, "node_modules");
  mkdirSync(join(modules, ".bin"), { recursive: true });
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name !== ".bin") symlinkSync(join(root, "node_modules", name), join(modules, name));
  }
  symlinkSync(join(root, "node_modules", "deno", "bin.cjs"), join(modules, ".bin", "deno"));
  // A PATH with `env` and nothing else: no Node, no deno.
  const bin = join(dir, "path-bin");
  mkdirSync(bin);
  const envPath = ["/usr/bin/env", "/bin/env"].find((p) => existsSync(p));
  if (envPath !== undefined) symlinkSync(envPath, join(bin, "env"));
  return { ...process.env, PATH: bin };
}

const started = Date.now();
const repoEnv = { ...process.env };
// As after `npm ci`: node_modules/.bin/deno is the native binary, and it is first on PATH.
repoEnv.PATH = [join(root, "node_modules", ".bin"), dirname(denoBinary), process.env.PATH].join(
  delimiter,
);
walkthrough(root, repoEnv);
await example(root, repoEnv);
process.stdout.write("deno task walkthrough, deno task example: ok after npm ci\n");

const dir = mkdtempSync(join(tmpdir(), "sessionkit-tasks-"));
try {
  const env = shimLayout(dir);
  walkthrough(dir, env);
  await example(dir, env);
  process.stdout.write(
    "deno task walkthrough, deno task example: ok with the JavaScript shim and no Node on PATH\n",
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`deno tasks checked in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
