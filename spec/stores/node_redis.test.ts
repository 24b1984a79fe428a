// RedisStore over node-redis (the `redis` package) through fromNodeRedis, on a real redis-server:
// the conformance kit, the manager's flows, and the NOSCRIPT fallback.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { ManualClock, SessionManager } from "../../mod.ts";
import { fromNodeRedis, RedisStore } from "../../src/stores/redis.ts";
import { verifyStore } from "../../src/testing/mod.ts";
import { after } from "../_support/_hooks.ts";
import {
  deletePrefix,
  dumpPrefix,
  realRedisOrSkip,
  standaloneClient,
  type StandaloneServer,
  startStandalone,
} from "../_support/_redis_servers.ts";
import { KIT_COMMAND_TIMEOUT_MS, RUNS, SEEDS } from "../_support/_budget.ts";

const REAL = realRedisOrSkip("node-redis on redis-server");
const connectNodeRedis = (url: string) => createClient({ url }).connect();

describe("RedisStore over node-redis", { skip: !REAL }, () => {
  let server: StandaloneServer | undefined;
  let raw: ReturnType<typeof standaloneClient> | undefined;
  let client: Awaited<ReturnType<typeof connectNodeRedis>> | undefined;
  let run = 0;
  const connect = async () => {
    server ??= await startStandalone();
    raw ??= standaloneClient(server.url);
    client ??= await connectNodeRedis(server.url);
    return { client, raw };
  };
  after(async () => {
    await client?.quit();
    raw?.disconnect();
    server?.stop();
  });

  for (const seed of SEEDS) {
    it(`conforms to the model (seed ${seed})`, async () => {
      const { client, raw } = await connect();
      const adapted = fromNodeRedis(client);
      await verifyStore(({ clock, random, maxDataBytes }) => {
        const prefix = `nr${run++}:`;
        return {
          store: new RedisStore(adapted, {
            prefix,
            clock,
            random,
            maxDataBytes,
            commandTimeoutMs: KIT_COMMAND_TIMEOUT_MS,
          }),
          dump: () => dumpPrefix([raw], prefix),
          cleanup: () => deletePrefix([raw], prefix),
        };
      }, {
        name: "RedisStore over node-redis",
        seed,
        runs: Math.ceil(RUNS / 3),
        raceRuns: Math.ceil(RUNS / 6),
      });
    });
  }

  it("runs the manager's refresh rotation and survives SCRIPT FLUSH (NOSCRIPT → EVAL)", async () => {
    const { client } = await connect();
    const clock = new ManualClock(2_000_000_000_000);
    const store = new RedisStore(fromNodeRedis(client), { prefix: `nrm${run++}:`, clock });
    const manager = new SessionManager({ store, clock });
    const login = await manager.login("ada");
    await client.scriptFlush();
    const fresh = await manager.regenerate(login.credential, { graceMs: 0 });
    assert.ok(fresh.credential !== null);
    await assert.rejects(manager.validate(login.credential), { code: "session-reused" });
    await assert.rejects(manager.validate(fresh.credential!), { code: "session-invalid" });
  });
});
