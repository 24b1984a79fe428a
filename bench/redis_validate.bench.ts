// Session validation through RedisStore against the floor: raw ioredis GETEX (one round trip) on a
// real redis-server, 10k sessions with ~200 bytes of data. Ratios, never absolute gates. For the
// time inside Redis, read `INFO commandstats` (usec_per_call of evalsha vs getex) after
// `CONFIG RESETSTAT`: it is less noisy than wall time on a shared machine.
//
//   npx deno bench --allow-all bench/redis_validate.bench.ts
//   (REDIS_URL=redis://… to use a server you run; otherwise one is started on a free port)

import { bench } from "./_bench.ts";
import { RedisStore } from "../src/stores/redis.ts";
import {
  redisInstalled,
  standaloneClient,
  startStandalone,
} from "../spec/_support/_redis_servers.ts";

const SESSIONS = 10_000;
const data = { cart: "x".repeat(150), theme: "dark", locale: "en-GB", n: 42 };

if (
  !redisInstalled() && (globalThis as { process?: { env: Record<string, string> } }).process?.env
      .REDIS_URL === undefined
) {
  console.warn("!!! bench/redis_validate.bench.ts skipped: redis-server is not installed");
} else {
  const server = await startStandalone();
  const client = standaloneClient(server.url);
  const prefix = `bench${Date.now()}:`;
  const store = new RedisStore(client, { prefix });
  const credentials: string[] = [];
  const rawKeys: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const login = await store.create({
      userId: `user${i}`,
      data,
      device: { userAgent: "Mozilla/5.0 (bench)" },
      idleTtlMs: 3_600_000,
      absoluteTtlMs: 86_400_000,
    });
    if (login.status !== "created") throw new Error("Not created");
    credentials.push(login.credential);
    const key = `${prefix}raw:${i}`;
    rawKeys.push(key);
    await client.set(key, JSON.stringify(data), "EX", 3600);
  }
  let i = 0;
  const next = () => (i = (i + 1) % SESSIONS);
  const group = "validate a session in Redis, one request at a time";

  bench("npm ioredis GETEX alone (lower bound: one round trip)", async () => {
    await client.getex(rawKeys[next()]!, "EX", 3600);
  }, { group, baseline: true });

  bench("npm ioredis GET then PEXPIRE (two round trips)", async () => {
    const key = rawKeys[next()]!;
    await client.get(key);
    await client.pexpire(key, 3_600_000);
  }, { group });

  bench("sessionkit RedisStore.validate (no write: slideThreshold 0.5)", async () => {
    const result = await store.validate(credentials[next()]!, { slideThreshold: 0.5 });
    if (result.status !== "valid") throw new Error("Invalid");
  }, { group });

  bench("sessionkit RedisStore.validate (writes the new expiry: slideThreshold 1)", async () => {
    const result = await store.validate(credentials[next()]!);
    if (result.status !== "valid") throw new Error("Invalid");
  }, { group });

  bench(
    "sessionkit RedisStore.validate as the manager with UA binding (kind + bind in the script)",
    async () => {
      const result = await store.validate(credentials[next()]!, {
        slideThreshold: 0.5,
        kind: "cookie",
        bind: { userAgent: "Mozilla/5.0 (bench)" },
      });
      if (result.status !== "valid") throw new Error("Invalid");
    },
    { group },
  );

  const parallel = "validate sessions in Redis, 64 requests at once";
  bench("npm ioredis GETEX alone, 64 at once (lower bound)", async () => {
    await Promise.all(Array.from({ length: 64 }, () => client.getex(rawKeys[next()]!, "EX", 3600)));
  }, { group: parallel, baseline: true });

  bench("sessionkit RedisStore.validate, 64 at once", async () => {
    await Promise.all(
      Array.from(
        { length: 64 },
        () => store.validate(credentials[next()]!, { slideThreshold: 0.5 }),
      ),
    );
  }, { group: parallel });

  // The server is stopped by the helper's exit hook (by port).
  void server;
}
