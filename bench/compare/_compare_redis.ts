// The Redis sections of bench/compare/compare.ts: validation and logins against their references.
import { createClient } from "redis";
import type { Redis } from "ioredis";
import { RedisStore } from "../../src/stores/redis.ts";
import type { CreateResult } from "../../src/model/store.ts";
import { SessionManager } from "../../src/manager/manager.ts";
import { type Budget, type Candidate, measure, type Measured, ratio } from "./_measure.ts";
import { perOperation } from "./_redis_server.ts";
import type { Row } from "./_compare_report.ts";

/** The part of connect-redis's store the harness calls (express-session's callback API). */
interface ConnectStore {
  get(sid: string, callback: (error: unknown, session?: unknown) => void): void;
  set(sid: string, session: unknown, callback: (error?: unknown) => void): void;
  touch(sid: string, session: unknown, callback: (error?: unknown) => void): void;
}

/**
 * connect-redis, loaded by a name the type checker does not follow: its types pull in
 * express-session's, which augment Express' `Request` for every file checked with this one.
 */
async function connectRedisStore(
  options: { client: unknown; prefix: string; ttl: number },
): Promise<ConnectStore> {
  const name = "connect-redis";
  const module = (await import(name)) as {
    RedisStore: new (o: typeof options) => ConnectStore;
  };
  return new module.RedisStore(options);
}

/** ~200 bytes of session data, as JSON. */
export const DATA = {
  role: "member",
  name: "Ada Lovelace",
  email: "ada@example.org",
  prefs: { theme: "dark", lang: "en-GB", tz: "Europe/London" },
  cart: [101, 202, 303],
  csrf: "k3J9xQ2mP0vL8nR4tY6wZ1aB5cD7eF9g",
};
export const IDLE_MS = 3_600_000;
const ABSOLUTE_MS = 86_400_000;

export interface RedisContext {
  readonly client: Redis;
  readonly port: number;
  readonly sessions: number;
  readonly budget: Budget;
  readonly quick: boolean;
  readonly log: (text: string) => void;
  readonly extra: Record<string, unknown>;
  /** Another client library's pass (e.g. "ioredis 6"): its rows' ids and labels say so. */
  readonly variant?: string;
}

const cycle = <T>(items: readonly T[]) => {
  let i = 0;
  return () => items[i++ % items.length]!;
};

/** Loads `count` sessions through RedisStore (64 in flight); returns their credentials. */
export async function loadSessions(
  store: RedisStore,
  count: number,
  userPrefix: string,
): Promise<string[]> {
  const credentials: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const made = await store.create({
        userId: `${userPrefix}${i}`,
        data: DATA,
        device: { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", ip: "203.0.113.7" },
        idleTtlMs: IDLE_MS,
        absoluteTtlMs: ABSOLUTE_MS,
        limit: 5,
      });
      if (made.status !== "created") throw new Error("Fixture login refused");
      credentials[i] = made.credential;
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return credentials;
}

/** Raw keys holding the same JSON, for the GETEX floor. */
export async function loadRaw(client: Redis, count: number, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  const json = JSON.stringify(DATA);
  for (let i = 0; i < count; i += 1000) {
    const pipeline = client.pipeline();
    for (let j = i; j < Math.min(count, i + 1000); j++) {
      keys.push(`${prefix}${j}`);
      pipeline.set(`${prefix}${j}`, json, "EX", 3600);
    }
    await pipeline.exec();
  }
  return keys;
}

function row(
  id: string,
  label: string,
  measured: Measured[],
  of: string,
  to: string,
  c: number,
  target: number | null,
  note = "",
): Row {
  const find = (name: string) => measured.find((m) => m.name === name)!;
  return { id, label, inFlight: c, ratio: ratio(find(of), find(to)), target, note };
}

export async function redisSections(ctx: RedisContext): Promise<Row[]> {
  const { client, budget, log } = ctx;
  const store = new RedisStore(client, { prefix: "sk:" });
  log(`loading ${ctx.sessions} sessions (RedisStore), raw keys and connect-redis sessions`);
  const credentials = await loadSessions(store, ctx.sessions, "user");
  const rawKeys = await loadRaw(client, ctx.sessions, "raw:");
  const nodeRedis = createClient({ socket: { host: "127.0.0.1", port: ctx.port } });
  await nodeRedis.connect();
  const connect = await connectRedisStore({ client: nodeRedis, prefix: "cr:", ttl: 3600 });
  const sids: string[] = [];
  for (let i = 0; i < ctx.sessions; i++) {
    const sid = `sid${i}`;
    sids.push(sid);
    await new Promise<void>((resolve, reject) =>
      connect.set(
        sid,
        {
          cookie: { originalMaxAge: IDLE_MS, expires: new Date(Date.now() + IDLE_MS) },
          ...DATA,
        },
        (error?: unknown) => error ? reject(error) : resolve(),
      )
    );
  }
  const manager = new SessionManager({ store }); // default options: the throttled slide (0.5)
  // Validations whose slide is due (threshold 0.5, as the manager's default): a store whose clock
  // runs ahead by 0.6 idle TTLs per pass over its sessions (smoothly, per validation started), so
  // each validation finds its session's idle expiry about 0.4 idle TTLs away and slides it (the
  // calls in flight move the clock by at most 64 / sessions of that). A year of absolute lifetime
  // leaves room for every pass a run makes.
  let slides = 0;
  const slideCount = ctx.sessions;
  const slideClock = {
    now: () => Math.floor(Date.now() + (1 + slides / slideCount) * 0.6 * IDLE_MS),
  };
  const slideStore = new RedisStore(client, { prefix: "sd:", clock: slideClock });
  // Session j is created at the clock of validation j − sessions (one pass earlier): create reads
  // the clock before it returns its promise.
  const slideCredentials: string[] = [];
  for (let i = 0; i < slideCount; i += 64) {
    const batch: Promise<CreateResult>[] = [];
    for (let j = i; j < Math.min(slideCount, i + 64); j++) {
      slides = j - slideCount;
      batch.push(slideStore.create({
        userId: `slider${j}`,
        data: DATA,
        device: { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", ip: "203.0.113.7" },
        idleTtlMs: IDLE_MS,
        absoluteTtlMs: 365 * 86_400_000,
        limit: 5,
      }));
    }
    for (const made of await Promise.all(batch)) {
      if (made.status !== "created") throw new Error("Fixture login refused");
      slideCredentials.push(made.credential);
    }
  }
  slides = 0;
  /** A validation of the next session; true when it slid (answered a fresh idle expiry). */
  const slideValidate = async () => {
    const now = slideClock.now();
    const r = await slideStore.validate(slideCredentials[slides++ % slideCount]!, {
      slideThreshold: 0.5,
    });
    if (r.status !== "valid") throw new Error(`Fixture session ${r.status}`);
    return r.session.idleExpiresAt - now >= 0.5 * IDLE_MS;
  };

  const rows: Row[] = [];
  try {
    const nextRaw = cycle(rawKeys);
    const nextCredential = cycle(credentials);
    const nextSid = cycle(sids);
    const validation: Candidate[] = [
      {
        name: "getex",
        op: async () => JSON.parse((await client.getex(nextRaw(), "EX", 3600))!),
      },
      {
        name: "get+expire",
        op: async () => {
          const key = nextRaw();
          JSON.parse((await client.get(key))!);
          await client.expire(key, 3600);
        },
      },
      {
        name: "connect-redis",
        op: () =>
          new Promise<void>((resolve, reject) => {
            const sid = nextSid();
            connect.get(sid, (error: unknown, session?: unknown) => {
              if (error || !session) return reject(error ?? new Error("No session"));
              connect.touch(sid, session, (e?: unknown) => e ? reject(e) : resolve());
            });
          }),
      },
      {
        name: "store",
        op: async () => {
          const r = await store.validate(nextCredential(), { slideThreshold: 0.5 });
          if (r.status !== "valid") throw new Error(`Fixture session ${r.status}`);
        },
      },
      {
        name: "manager",
        op: () => manager.validate(nextCredential()),
      },
      {
        name: "slide-due",
        op: async () => {
          // Slid: the idle expiry answered is a full idle TTL from this validation.
          if (!await slideValidate()) throw new Error("Fixture validation did not slide");
        },
      },
    ];
    for (const c of [1, 64]) {
      log(`validation, ${c} in flight`);
      const m = await measure(validation, c, budget);
      rows.push(
        row(
          "validate",
          "RedisStore.validate / raw GETEX + JSON.parse",
          m,
          "store",
          "getex",
          c,
          c === 1 ? 1.15 : 1.30,
        ),
        row(
          "manager",
          "SessionManager.validate / raw GETEX + JSON.parse",
          m,
          "manager",
          "getex",
          c,
          null,
          "target: ≤ store ratio + 5 %",
        ),
        row(
          "connect",
          "RedisStore.validate / connect-redis get+touch",
          m,
          "store",
          "connect-redis",
          c,
          0.40,
        ),
        row(
          "validate-slide",
          "RedisStore.validate whose slide is due (threshold 0.5) / raw GETEX + JSON.parse",
          m,
          "slide-due",
          "getex",
          c,
          1.6,
        ),
        row("seed", "(reference) GET + EXPIRE / GETEX", m, "get+expire", "getex", c, null),
        row(
          "connect-floor",
          "(reference) connect-redis get+touch / GETEX",
          m,
          "connect-redis",
          "getex",
          c,
          null,
        ),
      );
      ctx.extra[extraKey(ctx, `validation-c${c}-ns`)] = m;
    }

    // Logins: a new user (limit 5), and a user at the limit (evicts the oldest).
    const full: string[] = [];
    const fullUsers = ctx.quick ? 20 : 500;
    for (let u = 0; u < fullUsers; u++) full.push(`full${u}`);
    log(`loading ${fullUsers} users at the limit of 5`);
    for (const userId of full) {
      for (let k = 0; k < 5; k++) {
        await store.create({
          userId,
          data: DATA,
          idleTtlMs: IDLE_MS,
          absoluteTtlMs: ABSOLUTE_MS,
          limit: 5,
        });
      }
    }
    let fresh = 0;
    const nextFull = cycle(full);
    const json = JSON.stringify(DATA);
    const login = (userId: string) =>
      store.create({
        userId,
        data: DATA,
        device: { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", ip: "203.0.113.7" },
        idleTtlMs: IDLE_MS,
        absoluteTtlMs: ABSOLUTE_MS,
        limit: 5,
      });
    const logins: Candidate[] = [
      { name: "set-ex", op: () => client.set(`rawlogin:${fresh++ % 100_000}`, json, "EX", 3600) },
      { name: "login-new", op: () => login(`new${fresh++}`) },
      {
        name: "login-full",
        op: async () => {
          const r = await login(nextFull());
          if (r.status !== "created" || r.evicted.length !== 1) throw new Error("No eviction");
        },
      },
    ];
    for (const c of [1, 64]) {
      log(`logins, ${c} in flight`);
      const m = await measure(logins, c, budget);
      rows.push(
        row(
          "login-new",
          "login, new user, limit 5 / raw SET … EX",
          m,
          "login-new",
          "set-ex",
          c,
          c === 1 ? 1.5 : 2.5,
        ),
        row(
          "login-full",
          "login at the limit (evicts one) / raw SET … EX",
          m,
          "login-full",
          "set-ex",
          c,
          c === 1 ? 2.0 : 4.0,
        ),
      );
      ctx.extra[extraKey(ctx, `logins-c${c}-ns`)] = m;
    }

    if (ctx.variant === undefined) {
      // The commands a call sends do not depend on the client library: counted once.
      log("Redis commands per operation");
      const count = ctx.quick ? 20 : 500;
      const perOp: Record<string, unknown> = {};
      for (const c of [...validation, ...logins]) {
        perOp[c.name] = await perOperation(client, c.op, count);
      }
      ctx.extra["redis-per-op"] = perOp;
    }
  } finally {
    await nodeRedis.quit().catch(() => {});
  }
  const variant = ctx.variant;
  if (variant === undefined) return rows;
  const slug = variant.replace(/[^a-z0-9]+/gi, "");
  return rows.map((r) => ({ ...r, id: `${r.id}-${slug}`, label: `${r.label} (${variant})` }));
}

/** A key of `extra`, told apart per client library. */
const extraKey = (ctx: RedisContext, key: string): string =>
  ctx.variant === undefined ? key : `${key}-${ctx.variant.replace(/[^a-z0-9]+/gi, "")}`;
