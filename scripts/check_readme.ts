// Checks the README against the code: every TypeScript block is a complete program (type-checked
// with the repository's strict settings, then run) unless its first line starts with
// "// Excerpt"; the subpath table lists every subpath of package.json `exports`; every relative
// link points at a file that ships in the npm tarball (package.json `files`).
//
//   deno run --allow-all scripts/check_readme.ts
//
// Imports of "sessionkit", "@sessionkit/sessionkit" and "jsr:@sessionkit/sessionkit" (and their
// subpaths) are pointed at this checkout's sources. Programs that serve HTTP (`Deno.serve`,
// `.listen(`, or `export default app` run with `deno serve`) get a free port in PORT and must
// answer the README's tiny protocol: `POST /login` sets a session cookie, `GET /` with it greets
// ada, `GET /` with a stale or malformed cookie answers (no 5xx) and clears the cookie. Programs that
// need Redis get a redis-server started on a free port (skipped loudly without one, except in CI).
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { redisInstalled, startStandalone } from "../spec/_support/_redis_servers.ts";
import { webCryptoRandom } from "../mod.ts";
import { formatCredential, generateSecret, generateSessionId } from "../src/stores/store.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = await Deno.readTextFile(join(root, "README.md"));
const denoJson = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
const packageJson = JSON.parse(await Deno.readTextFile(join(root, "package.json")));
const exportsMap: Record<string, string> = denoJson.exports;
const failures: string[] = [];

// ---- the subpath table ---------------------------------------------------------------------
const tableSubpaths = new Set(
  [...readme.matchAll(/^\| `(\.[^`]*)` +\|/gm)].map((m) => m[1]),
);
for (const subpath of Object.keys(packageJson.exports)) {
  if (subpath === "./package.json") continue;
  if (!tableSubpaths.has(subpath)) failures.push(`subpath table lacks ${subpath}`);
}

// ---- relative links ship in the tarball ----------------------------------------------------
const files: string[] = packageJson.files;
for (const [, target] of readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
  if (/^[a-z]+:/i.test(target!)) continue;
  const path = target!.replace(/^\.\//, "");
  const shipped = files.some((f) =>
    f.includes("*")
      ? new RegExp(`^${f.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`).test(
        path,
      )
      : path === f || path.startsWith(`${f.replace(/\/$/, "")}/`)
  );
  if (!shipped) failures.push(`README links ${target}, which package.json "files" does not ship`);
  try {
    await Deno.stat(join(root, path));
  } catch {
    failures.push(`README links ${target}, which does not exist`);
  }
}

// ---- code blocks ---------------------------------------------------------------------------
interface Block {
  readonly line: number;
  readonly code: string;
}
const blocks: Block[] = [];
let excerpts = 0;
for (const match of readme.matchAll(/^```(ts|typescript)[^\n]*\n([\s\S]*?)^```/gm)) {
  const code = match[2]!;
  if (code.startsWith("// Excerpt")) {
    excerpts++;
    continue;
  }
  blocks.push({ line: readme.slice(0, match.index).split("\n").length, code });
}

// A fixed folder (git-ignored) so that Deno's type-check cache serves repeated runs.
const work = join(root, ".tmp", "readme");
await Deno.mkdir(work, { recursive: true });
function rewrite(code: string, file: string): string {
  return code.replace(
    /(from\s+|import\()"(?:jsr:@sessionkit\/sessionkit|@sessionkit\/sessionkit|sessionkit)(\/[a-z-]+)?"/g,
    (whole, head: string, sub: string | undefined) => {
      const target = exportsMap[sub === undefined ? "." : `.${sub}`];
      if (target === undefined) return whole; // left alone: the type check reports it
      const path = relative(dirname(file), join(root, target));
      return `${head}"${path.startsWith(".") ? path : `./${path}`}"`;
    },
  );
}

async function deno(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).spawn();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, text };
}

async function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

async function protocol(base: string): Promise<void> {
  const cookieName = "__Host-session";
  const login = await fetch(`${base}/login`, { method: "POST" });
  await login.body?.cancel();
  check(login.status === 200, `POST /login answered ${login.status}`);
  const set = login.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
  check(set !== undefined, "POST /login set no session cookie");
  const me = await fetch(`${base}/`, { headers: { cookie: set!.split(";")[0]! } });
  check((await me.text()).includes("ada"), "GET / with the session cookie does not greet ada");
  // Well-formed but unknown to the server (as after a restart or a revocation), then malformed.
  const unknown = formatCredential(
    generateSessionId(webCryptoRandom),
    generateSecret(webCryptoRandom),
  );
  const stale = `${cookieName}=${unknown}`;
  for (const cookie of [stale, `${cookieName}=%%%`]) {
    const res = await fetch(`${base}/`, { headers: { cookie } });
    const text = await res.text();
    check(res.status < 500, `GET / with a bad cookie answered ${res.status}`);
    check(!text.includes("ada"), "GET / with a bad cookie greets ada");
    const cleared = res.headers.getSetCookie().some((c) =>
      c.startsWith(`${cookieName}=`) && /Max-Age=0/i.test(c)
    );
    check(cleared, "GET / with a bad cookie does not clear it");
  }
}

async function serve(file: string, args: string[]): Promise<void> {
  const port = await freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: args.map((a) => a.replace("$PORT", String(port))).concat(file),
    cwd: root,
    env: { PORT: String(port) },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        await res.body?.cancel();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error("never answered");
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await protocol(`http://127.0.0.1:${port}`);
  } catch (error) {
    child.kill("SIGTERM");
    const out = await output;
    throw new Error(
      `${(error as Error).message}\n${new TextDecoder().decode(out.stderr).slice(-2000)}`,
    );
  }
  child.kill("SIGTERM");
  await output;
}

let redis: { url: string; stop(): void } | undefined;
const ci = Deno.env.get("CI") === "true";
try {
  const written: { block: Block; file: string }[] = [];
  for (const block of blocks) {
    const file = join(work, `readme_line_${block.line}.ts`);
    await Deno.writeTextFile(file, rewrite(block.code, file));
    written.push({ block, file });
  }
  // @types/node 20 (what Deno type-checks node:* against here) has no node:sqlite, which Deno
  // ships: the README's SQLite program is checked against this declaration of what it uses.
  const sqliteTypes = join(work, "node_sqlite.d.ts");
  await Deno.writeTextFile(
    sqliteTypes,
    `declare module "node:sqlite" {
  export class DatabaseSync {
    constructor(path: string);
    prepare(sql: string): {
      run(...params: (string | number | null)[]): { changes: number | bigint };
      get(...params: (string | number | null)[]): unknown;
      all(...params: (string | number | null)[]): unknown[];
    };
    exec(sql: string): void;
    close(): void;
  }
}
`,
  );
  const checkStarted = performance.now();
  const checked = await deno([
    "check",
    "--quiet",
    "--unstable-kv",
    sqliteTypes,
    ...written.map((w) => w.file),
  ]);
  console.log(
    `README blocks type-checked (${((performance.now() - checkStarted) / 1000).toFixed(1)} s)`,
  );
  if (!checked.ok) failures.push(`README blocks fail the type check:\n${checked.text}`);
  else {
    for (const { block, file } of written) {
      const where = `README.md:${block.line}`;
      // A fresh secret for programs that sign access tokens.
      const env: Record<string, string> = {
        TOKEN_SECRET: crypto.randomUUID() + crypto.randomUUID(),
      };
      if (/from "ioredis"/.test(block.code)) {
        if (!redisInstalled() && Deno.env.get("REDIS_URL") === undefined) {
          if (ci) failures.push(`${where}: needs redis-server, which is not installed`);
          else console.warn(`!!! ${where} not run: redis-server is not installed`);
          continue;
        }
        redis ??= await startStandalone();
        env.REDIS_URL = redis.url;
      }
      const started = performance.now();
      try {
        if (/^export default app;/m.test(block.code)) {
          await serve(file, ["serve", "--allow-env", "--allow-net", "--port", "$PORT"]);
        } else if (/Deno\.serve\(|\.listen\(/.test(block.code)) {
          await serve(file, ["run", "--allow-env", "--allow-net", "--allow-read", "--allow-sys"]);
        } else {
          // Deno KV programs need --unstable-kv (Deno 2); SQLite programs write their database.
          const extra = [
            ...(/Deno\.openKv\(/.test(block.code) ? ["--unstable-kv"] : []),
            ...(/sessionkit\/sqlite"/.test(block.code) ? ["--allow-write"] : []),
          ];
          const ran = await deno(
            ["run", "--allow-env", "--allow-net", "--allow-read", ...extra, file],
            env,
          );
          if (!ran.ok) throw new Error(ran.text);
        }
      } catch (error) {
        failures.push(`${where} failed: ${(error as Error).message}`);
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`${where}: ran (${seconds} s)`);
    }
  }
} finally {
  redis?.stop();
  await Deno.remove(work, { recursive: true });
}

if (failures.length > 0) {
  console.error(failures.join("\n\n"));
  Deno.exit(1);
}
console.log(
  `README: ${blocks.length} complete programs type-checked and run, ${excerpts} excerpt(s); ` +
    `${Object.keys(packageJson.exports).length - 1} subpaths in the table; links ship`,
);
