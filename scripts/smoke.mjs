// Packs the package, installs the tarball into a fresh temporary project and uses it from Node
// (import and require) and from Deno: a tiny login → validate → rotate → reuse → logout flow.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { smokeBun, smokeWorkerd } from "./_smoke_runtimes.mjs";

const root = resolve(new URL("..", import.meta.url).pathname);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString();
const dir = mkdtempSync(join(tmpdir(), "sessionkit-smoke-"));
try {
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], root));
  const tarball = join(dir, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const forbidden of ["spec/", "bench/", "src/", "node_modules/"]) {
    if (files.some((f) => f.startsWith(forbidden))) {
      throw new Error(`Tarball contains ${forbidden}`);
    }
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "smoke", private: true, type: "module" }),
  );
  const fastCheck = JSON.parse(run("npm", ["pkg", "get", "devDependencies.fast-check"], root));
  run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    tarball,
    `fast-check@${fastCheck}`,
  ], dir);

  const flow = (imports) =>
    `${imports}
const clock = new ManualClock(0);
const store = new MemoryStore({ clock });
const login = await store.create({ userId: "ada", idleTtlMs: 1000, absoluteTtlMs: 5000 });
if (login.status !== "created") throw new Error("login failed");
if ((await store.validate(login.credential)).status !== "valid") throw new Error("validate failed");
const rotated = await store.rotate(login.credential);
if (rotated.status !== "rotated") throw new Error("rotate failed");
if ((await store.validate(login.credential)).status !== "reused") throw new Error("reuse not detected");
if ((await store.validate(rotated.credential)).status !== "invalid") throw new Error("family not revoked");
await verifyStore(({ clock, random }) => ({ store: new MemoryStore({ clock, random }) }), { runs: 5, raceRuns: 2 });
console.log("smoke ok:", typeof SessionError);
`;
  writeFileSync(
    join(dir, "esm.mjs"),
    flow(`import { ManualClock, MemoryStore, SessionError } from "sessionkit";
import { verifyStore } from "sessionkit/testing";`),
  );
  writeFileSync(
    join(dir, "cjs.cjs"),
    `(async () => {${
      flow(`const { ManualClock, MemoryStore, SessionError } = require("sessionkit");
const { verifyStore } = require("sessionkit/testing");`)
    }})().catch((e) => { console.error(e); process.exit(1); });`,
  );
  writeFileSync(
    join(dir, "deno.mjs"),
    flow(`import { ManualClock, MemoryStore, SessionError } from "sessionkit";
import { verifyStore } from "sessionkit/testing";`),
  );
  writeFileSync(
    join(dir, "kit.test.mjs"),
    `import { test } from "node:test";
import { MemoryStore } from "sessionkit";
import { verifyStore } from "sessionkit/testing";
test("the conformance kit runs under node:test", async () => {
  await verifyStore(({ clock, random }) => ({ store: new MemoryStore({ clock, random }) }), { runs: 20, raceRuns: 5 });
});
`,
  );
  process.stdout.write(`node import:  ${run("node", ["esm.mjs"], dir)}`);
  const nodeTest = run("node", ["--test", "kit.test.mjs"], dir);
  if (!/# pass 1/.test(nodeTest)) throw new Error(`node --test did not pass:\n${nodeTest}`);
  process.stdout.write("node --test:  the conformance kit ran under node:test\n");
  process.stdout.write(`node require: ${run("node", ["cjs.cjs"], dir)}`);
  const deno = join(root, "node_modules", ".bin", "deno");
  process.stdout.write(
    `deno import:  ${run(deno, ["run", "--allow-env", "--allow-read", "deno.mjs"], dir)}`,
  );
  smokeBun(root, dir);
  await smokeWorkerd(root, dir);
  console.log(
    `Packed tarball works from Node (ESM, CJS), Deno, Bun and workerd: ${files.length} files`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
