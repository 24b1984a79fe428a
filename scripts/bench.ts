// `npm run bench` and `deno task bench`: runs every bench/*.bench.ts with `deno bench`, leaving out
// the Redis benchmark (with a note) when there is no redis-server and no REDIS_URL, so no file
// prints an empty table. Extra arguments go to `deno bench` (e.g. `--filter cookie`).
import { redisInstalled } from "../spec/_support/_redis_servers.ts";

const files: string[] = [];
for await (const entry of Deno.readDir(new URL("../bench/", import.meta.url))) {
  if (entry.isFile && entry.name.endsWith(".bench.ts")) files.push(`bench/${entry.name}`);
}
files.sort();
if (!redisInstalled() && Deno.env.get("REDIS_URL") === undefined) {
  const redis = files.indexOf("bench/redis_validate.bench.ts");
  if (redis !== -1) files.splice(redis, 1);
  console.log("Redis benchmark left out: redis-server is not installed and REDIS_URL is not set.");
}
const permissions = [
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-net=127.0.0.1,localhost",
  "--allow-sys",
];
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["bench", ...permissions, ...Deno.args, ...files],
  cwd: new URL("..", import.meta.url),
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(code);
