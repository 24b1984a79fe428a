// Redis memory per session for bench/compare/compare.ts (section "memory"): `MEMORY USAGE` of one session
// record, and the growth of `used_memory` per session for three populations — anonymous sessions,
// users with 5 sessions each, users with 1 session each — each created on an emptied server of its
// own. Bytes, not times: the same on every run of one Redis version. A login's replay key
// (`P{tag}:o:<operation>`, kept `max(60 s, 30 × commandTimeoutMs)` so that a resent command answers
// the same) is transient; it is measured apart and removed before the steady-state figure.

import type { Redis } from "ioredis";
import { Redis as RedisClient } from "ioredis";
import { RedisStore } from "../../src/stores/redis.ts";
import { DATA } from "./_compare_redis.ts";
import { startRedis } from "./_redis_server.ts";

/** The figures, in bytes, as recorded in `extra["redis-memory"]`. */
export interface RedisMemory {
  readonly sessions: number;
  readonly payloadBytes: number;
  readonly recordBytes: number;
  readonly recordMemoryUsage: number;
  readonly perSession: { anonymous: number; fivePerUser: number; onePerUser: number };
  readonly replayKeyPerLogin: number;
}

const DEVICE = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", ip: "203.0.113.7" };

const bytes = (text: string): number => new TextEncoder().encode(text).length;

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info("memory");
  const used = Number(info.match(/^used_memory:(\d+)/m)?.[1]);
  if (!(used > 0)) throw new Error("INFO memory has no used_memory");
  return used;
}

/** Every key matching `pattern` (SCAN; the servers here hold only what this section wrote). */
async function keysOf(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found;
}

/** Creates `users × perUser` sessions (`users` anonymous ones when `perUser` is 0), 16 at a time. */
async function populate(store: RedisStore, users: number, perUser: number): Promise<void> {
  const total = perUser === 0 ? users : users * perUser;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const made = await store.create({
        userId: perUser === 0 ? null : `mem-user-${i % users}`,
        data: DATA,
        device: DEVICE,
        idleTtlMs: 3_600_000,
        absoluteTtlMs: 86_400_000,
        ...(perUser === 0 ? {} : { limit: perUser }),
      });
      if (made.status !== "created" || made.evicted.length > 0) {
        throw new Error("Memory fixture: a login was refused or evicted");
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Measures memory on a server of its own; records it in `extra` and returns no ratio rows. */
export async function memorySection(
  ctx: { quick: boolean; log: (text: string) => void; extra: Record<string, unknown> },
): Promise<[]> {
  const sessions = ctx.quick ? 200 : 2_000;
  ctx.log(`Redis memory per session, ${sessions} sessions per population`);
  const server = await startRedis();
  const client = new RedisClient({ port: server.port, host: "127.0.0.1" });
  try {
    const store = new RedisStore(client, { prefix: "m:" });
    const measure = async (users: number, perUser: number) => {
      await client.flushall();
      const before = await usedMemory(client);
      await populate(store, users, perUser);
      const replay = await keysOf(client, "m:*:o:*");
      const withReplay = await usedMemory(client);
      if (replay.length > 0) await client.del(...replay);
      const after = await usedMemory(client);
      return {
        perSession: Math.round((after - before) / sessions),
        replayPerLogin: replay.length > 0 ? Math.round((withReplay - after) / replay.length) : 0,
      };
    };
    const anonymous = await measure(sessions, 0);
    const record = (await keysOf(client, "m:*:s:*"))[0];
    if (record === undefined) throw new Error("Memory fixture: no session record found");
    const recordBytes = bytes((await client.get(record)) ?? "");
    const recordMemoryUsage = Number(await client.memory("USAGE", record, "SAMPLES", "0"));
    const five = await measure(sessions / 5, 5);
    const one = await measure(sessions, 1);
    const figures: RedisMemory = {
      sessions,
      payloadBytes: bytes(JSON.stringify(DATA)),
      recordBytes,
      recordMemoryUsage,
      perSession: {
        anonymous: anonymous.perSession,
        fivePerUser: five.perSession,
        onePerUser: one.perSession,
      },
      replayKeyPerLogin: one.replayPerLogin,
    };
    ctx.extra["redis-memory"] = figures;
    ctx.log(`Redis memory: ${JSON.stringify(figures)}`);
  } finally {
    client.disconnect();
    server.stop();
  }
  return [];
}
