// The scale sections of bench/compare/compare.ts: validation with 1,000,000 sessions against 10,000 (two
// redis-servers side by side; two MemoryStores side by side), and MemoryStore's heap per session
// against a plain Map of JSON strings.
import process from "node:process";
import { Redis } from "ioredis";
import { RedisStore } from "../../src/stores/redis.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import { type Budget, type Candidate, measure, median, ratio } from "./_measure.ts";
import { startRedis } from "./_redis_server.ts";
import { DATA, IDLE_MS, loadRaw, loadSessions } from "./_compare_redis.ts";
import type { Row } from "./_compare_report.ts";

export interface ScaleContext {
  readonly client: Redis;
  readonly sessions: number;
  /** 0: no million-scale runs (heap only). */
  readonly scale: number;
  readonly budget: Budget;
  readonly quick: boolean;
  readonly log: (text: string) => void;
  readonly extra: Record<string, unknown>;
}

const DEVICE = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", ip: "203.0.113.7" };

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("Run node with --expose-gc");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function fillMemory(store: MemoryStore, count: number): Promise<string[]> {
  const credentials: string[] = [];
  for (let i = 0; i < count; i++) {
    const made = await store.create({
      userId: `user${i}`,
      data: DATA,
      device: DEVICE,
      idleTtlMs: IDLE_MS,
      absoluteTtlMs: 86_400_000,
      limit: 5,
    });
    if (made.status !== "created") throw new Error("Fixture login refused");
    credentials.push(made.credential);
  }
  return credentials;
}

function jsonMap(count: number): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const id = `${i.toString(36).padStart(11, "0")}${"x".repeat(22)}`;
    map.set(
      id,
      JSON.stringify({
        id,
        userId: `user${i}`,
        data: DATA,
        version: 1,
        device: DEVICE,
        createdAt: 1_700_000_000_000 + i,
        lastActiveAt: 1_700_000_000_000 + i,
        idleExpiresAt: 1_700_003_600_000 + i,
        absoluteExpiresAt: 1_700_086_400_000 + i,
        idleTtlMs: IDLE_MS,
        rotatedAt: 1_700_000_000_000 + i,
        hash: "Vk9tKQ3v1g8Fz0pC2rNwL5xYdA7eHsJuQbTqXiM4oRk",
      }),
    );
  }
  return map;
}

/**
 * Heap growth per entry of one structure, in its own function frame: when it returns, nothing of
 * it stays reachable (an async function's locals can outlive their block otherwise).
 */
async function heapPerEntry(
  count: number,
  build: () => Promise<{ size: number }>,
): Promise<number> {
  const before = heapUsed();
  const built = await build();
  const after = heapUsed();
  if (built.size !== count) throw new Error("Lost entries");
  return (after - before) / count;
}

async function heapRows(
  count: number,
  log: (text: string) => void,
  extra: Record<string, unknown>,
): Promise<Row[]> {
  log(`heap per session, ${count} sessions`);
  const perSession: number[] = [];
  const perString: number[] = [];
  for (let run = -1; run < 3; run++) {
    const sessionBytes = await heapPerEntry(count, async () => {
      const store = new MemoryStore();
      await fillMemory(store, count);
      return store;
    });
    const stringBytes = await heapPerEntry(count, () => Promise.resolve(jsonMap(count)));
    if (run >= 0) { // run -1 warms up (code, hidden classes, interned strings)
      perSession.push(sessionBytes);
      perString.push(stringBytes);
    }
  }
  extra["heap-bytes-per-session"] = { memoryStore: perSession, mapOfJson: perString };
  const runs = perSession.map((b, i) => b / perString[i]!);
  const sorted = [...runs].sort((a, b) => a - b);
  return [{
    id: "heap",
    label: "MemoryStore heap per session / a plain Map of JSON strings",
    inFlight: 1,
    ratio: { median: sorted[1]!, min: sorted[0]!, max: sorted[2]! },
    target: 2.0,
    note: `${Math.round(median(perSession))} B vs ${Math.round(median(perString))} B per session`,
  }];
}

export async function scaleSections(ctx: ScaleContext): Promise<Row[]> {
  const rows = await heapRows(ctx.quick ? 20_000 : 50_000, ctx.log, ctx.extra);
  if (ctx.scale === 0) return rows;

  ctx.log(`Redis: ${ctx.sessions} sessions vs ${ctx.scale} keys (two servers)`);
  const small = await startRedis();
  const large = await startRedis();
  const clients = [small, large].map((s) =>
    new Redis({ port: s.port, host: "127.0.0.1", maxRetriesPerRequest: 1 })
  );
  try {
    const stores = clients.map((c) => new RedisStore(c, { prefix: "sk:" }));
    const credentials = await Promise.all(stores.map((s) => loadSessions(s, ctx.sessions, "user")));
    const raw = await Promise.all(clients.map((c) => loadRaw(c, ctx.sessions, "raw:")));
    const keys = Number(await clients[1]!.dbsize());
    await clients[1]!.call(
      "DEBUG",
      "POPULATE",
      String(Math.max(0, ctx.scale - keys)),
      "filler",
      "200",
    );
    ctx.extra["redis-large-dbsize"] = Number(await clients[1]!.dbsize());
    ctx.extra["redis-small-dbsize"] = Number(await clients[0]!.dbsize());
    const at = [0, 0, 0, 0];
    const candidates: Candidate[] = [0, 1].flatMap((s) => [
      {
        name: `getex-${s}`,
        op: async () =>
          JSON.parse((await clients[s]!.getex(raw[s]![at[s]!++ % ctx.sessions]!, "EX", 3600))!),
      },
      {
        name: `store-${s}`,
        op: async () => {
          const r = await stores[s]!.validate(credentials[s]![at[2 + s]!++ % ctx.sessions]!, {
            slideThreshold: 0.5,
          });
          if (r.status !== "valid") throw new Error("Invalid");
        },
      },
    ]);
    const m = await measure(candidates, 1, ctx.budget);
    const getex = ratio(m[2]!, m[0]!);
    rows.push({
      id: "redis-scale",
      label: `RedisStore validate, ${ctx.scale.toLocaleString("en")} vs ${
        ctx.sessions.toLocaleString("en")
      } keys`,
      inFlight: 1,
      ratio: ratio(m[3]!, m[1]!),
      target: getex.median * 1.05,
      note: `raw GETEX: ${getex.median.toFixed(2)} (target: within 5 % of it)`,
    });
  } finally {
    for (const c of clients) c.disconnect();
    small.stop();
    large.stop();
  }

  ctx.log(`MemoryStore: ${ctx.sessions} vs ${ctx.scale} sessions`);
  const smallStore = new MemoryStore();
  const largeStore = new MemoryStore();
  const smallCredentials = await fillMemory(smallStore, ctx.sessions);
  const largeCredentials = await fillMemory(largeStore, ctx.scale);
  let i = 0;
  let j = 0;
  const memory: Candidate[] = [
    {
      name: "small",
      op: () =>
        smallStore.validate(smallCredentials[(i++ * 7919) % smallCredentials.length]!, {
          slideThreshold: 0.5,
        }),
    },
    {
      name: "large",
      op: () =>
        largeStore.validate(largeCredentials[(j++ * 7919) % largeCredentials.length]!, {
          slideThreshold: 0.5,
        }),
    },
  ];
  const mm = await measure(memory, 1, ctx.budget);
  rows.push({
    id: "memory-scale",
    label: `MemoryStore validate, ${ctx.scale.toLocaleString("en")} vs ${
      ctx.sessions.toLocaleString("en")
    } sessions`,
    inFlight: 1,
    ratio: ratio(mm[1]!, mm[0]!),
    target: 1.2,
    note: "",
  });
  return rows;
}
