// RedisStore under faults and hostile values: values it did not write, an unreachable or slow
// Redis, lost scripts; and its promises on keys: every key has a TTL, nothing is left after the
// sweep, validation is one round trip that writes nothing when it does not slide.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import RedisMock from "ioredis-mock";
import { Redis } from "ioredis";
import { ManualClock } from "../../src/core/clock.ts";
import { SessionError } from "../../src/core/errors.ts";
import { seededRandom } from "../../src/core/random.ts";
import { type RedisClient, RedisStore, type RedisStoreOptions } from "../../src/stores/redis.ts";
import {
  freePort,
  keysWithoutTtl,
  realRedisOrSkip,
  standaloneClient,
  type StandaloneServer,
  startStandalone,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis-server");
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
const T0 = 1_800_000_000_000;
let mockPort = 43_000 + Math.floor(Math.random() * 1_000) * 10;
let run = 0;

interface Backend {
  readonly name: string;
  readonly client: () => Promise<Redis>;
  readonly done: () => Promise<void>;
}

const mock: Backend = (() => {
  let client: Redis | undefined;
  return {
    name: "ioredis-mock",
    client: () =>
      Promise.resolve(client ??= new RedisMock({ port: mockPort++ }) as unknown as Redis),
    done: async () => client?.disconnect(),
  };
})();

const real: Backend = (() => {
  let server: StandaloneServer | undefined;
  let client: Redis | undefined;
  return {
    name: "redis-server",
    client: async () => {
      server ??= await startStandalone();
      return client ??= standaloneClient(server.url);
    },
    done: async () => {
      await client?.quit();
      server?.stop();
    },
  };
})();

async function setup(backend: Backend, options: RedisStoreOptions = {}) {
  const client = await backend.client();
  const prefix = `f${run++}:`;
  const clock = new ManualClock(T0);
  const corrupt: SessionError[] = [];
  const store = new RedisStore(client, {
    prefix,
    clock,
    random: seededRandom(run),
    onCorrupt: (error) => corrupt.push(error),
    ...options,
  });
  return { client, prefix, clock, corrupt, store };
}

async function keysOf(client: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== "0");
  return out.sort();
}

function hostileValues(backend: Backend): void {
  const sessionKey = (prefix: string, id: string) =>
    `${prefix}{${id.slice(0, 11)}}:s:${id.slice(11)}`;

  const cases: [string, (client: Redis, key: string, good: string) => Promise<unknown>][] = [
    ["garbage", (c, k) => c.set(k, "garbage")],
    ["a truncated record", (c, k, good) => c.set(k, good.slice(0, good.length - 10))],
    ["a record with broken data JSON", (c, k, good) => c.set(k, good.replace(/\{\}\]$/, "{x]"))],
    [
      "a record with a non-numeric field",
      (c, k, good) => c.set(k, good.replace(/^\["S3",1,/, '["S3","x",')),
    ],
    ["a hash", async (c, k) => {
      await c.del(k);
      await c.hset(k, "u", "ada");
    }],
    ["a list", async (c, k) => {
      await c.del(k);
      await c.rpush(k, "a");
    }],
  ];
  for (const [what, write] of cases) {
    it(`treats ${what} in place of a session as no session, removes and reports it (${backend.name})`, async () => {
      const { client, prefix, corrupt, store } = await setup(backend);
      const login = await store.create({ userId: "ada", ...TTL });
      if (login.status !== "created") throw new Error("Not created");
      const key = sessionKey(prefix, login.session.id);
      const good = (await client.get(key))!;
      assert.match(good, /^\["S3",/);
      await write(client, key, good);
      assert.deepEqual(await store.validate(login.credential), { status: "invalid" });
      assert.equal(corrupt.length, 1);
      assert.ok(corrupt[0] instanceof SessionError);
      assert.equal(corrupt[0]!.code, "store-corrupt");
      assert.equal(await client.exists(key), 0);
      assert.deepEqual(await store.list("ada"), []);
    });
  }

  it(`survives hostile values in the index, mapping and revocation keys (${backend.name})`, async () => {
    const { client, prefix, corrupt, store } = await setup(backend);
    const login = await store.create({ userId: "ada", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    const tag = login.session.id.slice(0, 11);
    await client.set(`${prefix}{${tag}}:i`, "not a sorted set");
    assert.deepEqual(await store.list("ada"), []);
    assert.equal(corrupt.length, 1);
    const again = await store.create({ userId: "ada", ...TTL });
    assert.equal(again.status, "created");
    // The user's cutoff hash (no key exists before a cutoff: a login does not need one).
    await store.revokeTokens({ userId: "ada", issuedBefore: T0 - 1, until: T0 + 1 });
    const [mapping] = (await keysOf(client, prefix)).filter((k) => k.includes("{u."));
    await client.del(mapping!);
    await client.set(mapping!, "garbage");
    const sid = login.session.id;
    await client.set(`${prefix}{${tag}}:r:${sid}`, "garbage");
    const token = { jti: "j1", sessionId: sid, userId: "ada", issuedAt: T0 };
    // A revocation entry or cutoff that is not ours fails closed: the token counts as revoked.
    assert.equal(await store.isTokenRevoked(token), true);
    assert.equal(corrupt.length, 3);
    assert.equal(await store.isTokenRevoked(token), false);
  });

  it(`a login over an index that is not ours drops it, reports it once and still applies the limit (${backend.name})`, async () => {
    const { client, prefix, corrupt, store } = await setup(backend);
    const first = await store.create({ userId: "ada", ...TTL });
    if (first.status !== "created") throw new Error("Not created");
    const tag = first.session.id.slice(0, 11);
    await client.del(`${prefix}{${tag}}:i`);
    await client.set(`${prefix}{${tag}}:i`, "not a sorted set");
    const second = await store.create({ userId: "ada", ...TTL, limit: 1 });
    assert.equal(second.status, "created");
    assert.equal(corrupt.length, 1);
    const third = await store.create({ userId: "ada", ...TTL, limit: 1 });
    if (third.status !== "created" || second.status !== "created") throw new Error("Not created");
    assert.deepEqual(third.evicted.map((e) => e.id), [second.session.id]);
    assert.equal(corrupt.length, 1);
  });

  it(`a new cutoff merges only with one still in force; a past one is replaced (${backend.name})`, async () => {
    const { clock, store } = await setup(backend);
    const token = (userId: string, issuedAt: number) => ({
      jti: "j",
      sessionId: "A".repeat(33),
      userId,
      issuedAt,
    });
    // Past by the second cutoff (until T0 + 1), not yet swept: replaced, not merged.
    await store.revokeTokens({ userId: "ada", issuedBefore: T0 + 5_000, until: T0 + 1 });
    clock.advance(10);
    await store.revokeTokens({ userId: "ada", issuedBefore: T0, until: T0 + 60_000 });
    assert.equal(await store.isTokenRevoked(token("ada", T0 - 1)), true);
    assert.equal(await store.isTokenRevoked(token("ada", T0 + 100)), false);
    // Still in force: merged (max of each).
    await store.revokeTokens({ userId: "bob", issuedBefore: T0 + 5_000, until: T0 + 100 });
    await store.revokeTokens({ userId: "bob", issuedBefore: T0, until: T0 + 60_000 });
    clock.advance(1_000);
    assert.equal(await store.isTokenRevoked(token("bob", T0 + 4_000)), true);
  });

  it(`answers a write run twice (a resent command) as the first run, changing nothing more (${backend.name})`, async () => {
    const { client, clock, store: once, prefix } = await setup(backend);
    // Every script runs twice; the caller sees the second run's reply (the first one was "lost").
    const twice: RedisClient = {
      evalsha: (...args) => client.evalsha(...args).then(() => client.evalsha(...args)),
      eval: (...args) => client.eval(...args).then(() => client.eval(...args)),
    };
    const store = new RedisStore(twice, { prefix, clock, random: seededRandom(run + 100) });
    const user = { userId: "ada", limit: 2, ...TTL };
    const a = await store.create(user);
    const b = await store.create(user);
    const c = await store.create(user);
    if (a.status !== "created" || b.status !== "created" || c.status !== "created") {
      throw new Error("Not created");
    }
    assert.deepEqual(c.evicted.map((e) => e.id), [a.session.id]);
    assert.deepEqual(
      (await once.list("ada")).map((s) => s.id).sort(),
      [b.session.id, c.session.id].sort(),
    );
    const rotated = await store.rotate(b.credential, { graceMs: 0 });
    assert.equal(rotated.status, "rotated");
    if (rotated.status !== "rotated") return;
    assert.equal((await once.validate(rotated.credential)).status, "valid");
    const updated = await store.update(c.session.id, { n: 1 }, { expectedVersion: 1 });
    assert.equal(updated.status, "updated");
    const blind = await store.update(c.session.id, { n: 2 });
    assert.equal(blind.status === "updated" && blind.session.version, 3);
    assert.equal((await once.get(c.session.id))?.version, 3);
    const reused = await store.validate(b.credential);
    assert.equal(reused.status, "reused");
    assert.equal((await once.validate(rotated.credential)).status, "invalid");
    assert.equal((await store.destroy(c.session.id))?.id, c.session.id);
    const d = await store.create(user);
    const e = await store.create(user);
    if (d.status !== "created" || e.status !== "created") throw new Error("Not created");
    assert.deepEqual(
      (await store.destroyAll("ada")).map((s) => s.id).sort(),
      [d.session.id, e.session.id].sort(),
    );
    const anon = await store.create({ userId: null, ...TTL });
    if (anon.status !== "created") throw new Error("Not created");
    const attached = await store.attach(anon.credential, user);
    assert.equal(attached.status, "attached");
    assert.equal((await once.validate(anon.credential)).status, "invalid");
    assert.equal((await once.list("ada")).length, 1);
  });
}

describe("RedisStore faults on ioredis-mock", () => {
  hostileValues(mock);

  it("rejects with store-unavailable when Redis does not answer in time, never with a secret", async () => {
    const never: RedisClient = {
      evalsha: () => new Promise(() => {}),
      eval: () => new Promise(() => {}),
    };
    const store = new RedisStore(never, { commandTimeoutMs: 50 });
    const credential = `${"A".repeat(33)}.${"Q".repeat(43)}`;
    await assert.rejects(store.validate(credential), (error: unknown) => {
      assert.ok(error instanceof SessionError);
      assert.equal(error.code, "store-unavailable");
      assert.ok(error.cause instanceof Error);
      assert.ok(!error.message.includes("QQQQ") && !String(error.cause).includes("QQQQ"));
      return true;
    });
  });

  it("answers a credential it cannot have issued without touching Redis", async () => {
    const calls: string[] = [];
    const spy: RedisClient = {
      evalsha: (sha) => {
        calls.push(sha);
        return Promise.resolve([0, "invalid"]);
      },
      eval: (script) => {
        calls.push(script);
        return Promise.resolve([0, "invalid"]);
      },
    };
    const store = new RedisStore(spy);
    assert.deepEqual(await store.validate(`short.${"B".repeat(43)}`), { status: "invalid" });
    assert.deepEqual(await store.validate("garbage"), { status: "invalid" });
    assert.equal(await store.get("short"), null);
    assert.deepEqual(calls, []);
  });

  it("refuses a bad configuration with a coded error", () => {
    const client = new RedisMock() as unknown as RedisClient;
    assert.throws(() => new RedisStore(client, { prefix: "a{b}:" }), { code: "invalid-argument" });
    assert.throws(() => new RedisStore(client, { commandTimeoutMs: 0 }), {
      code: "invalid-argument",
    });
    assert.throws(() => new RedisStore(client, { gcMarginMs: -1 }), { code: "invalid-argument" });
    assert.throws(() => new RedisStore({} as RedisClient), { code: "invalid-argument" });
  });

  it("does one round trip per validation and writes nothing when it does not slide", async () => {
    const { client, prefix, clock, store } = await setup(mock);
    const login = await store.create({ userId: "ada", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    let calls = 0;
    const counting: RedisClient = {
      evalsha: (...args) => {
        calls++;
        return client.evalsha(...args);
      },
      eval: (...args) => {
        calls++;
        return client.eval(...args);
      },
    };
    const counted = new RedisStore(counting, { prefix, clock });
    await counted.validate(login.credential); // first call may load the script (NOSCRIPT → EVAL)
    calls = 0;
    const key = `${prefix}{${login.session.id.slice(0, 11)}}:s:${login.session.id.slice(11)}`;
    const before = await client.get(key);
    clock.advance(1_000);
    const checked = await counted.validate(login.credential, { slideThreshold: 0.5 });
    assert.equal(checked.status, "valid");
    assert.equal(calls, 1);
    assert.equal(await client.get(key), before);
    clock.advance(40_000);
    await counted.validate(login.credential, { slideThreshold: 0.5 });
    assert.notEqual(await client.get(key), before);
  });

  it("validates without a script when nothing is to be written, and scripts only a slide", async () => {
    const { client, prefix, clock, store } = await setup(mock);
    const login = await store.create({ userId: "ada", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    const calls: string[] = [];
    const counting: RedisClient = {
      evalsha: (...args) => {
        calls.push("evalsha");
        return client.evalsha(...args);
      },
      eval: (...args) => {
        calls.push("eval");
        return client.eval(...args);
      },
      get: (key) => {
        calls.push("get");
        return client.get(key);
      },
    };
    const counted = new RedisStore(counting, { prefix, clock });
    clock.advance(1_000);
    const checked = await counted.validate(login.credential, { slideThreshold: 0.5 });
    assert.equal(checked.status, "valid");
    assert.deepEqual(calls, ["get"]);
    assert.deepEqual(checked, await store.validate(login.credential, { slideThreshold: 0.5 }));
    calls.length = 0;
    clock.advance(40_000);
    const slid = await counted.validate(login.credential, { slideThreshold: 0.5 });
    assert.equal(slid.status === "valid" && slid.session.lastActiveAt, T0 + 41_000);
    assert.equal(calls[0], "get");
    assert.ok(calls.length > 1 && calls.slice(1).every((c) => c !== "get"));
    calls.length = 0;
    const [id] = login.credential.split(".");
    const wrong = `${id}.${"A".repeat(43)}`;
    assert.deepEqual(await counted.validate(wrong, { slideThreshold: 0.5 }), { status: "invalid" });
    calls.length = 0;
    await counted.validate(login.credential); // slideThreshold 1: every validation slides
    assert.ok(!calls.includes("get"));
  });

  it("routes a user by a keyed hash of the user id: the same in every store with the same key", async () => {
    const { client, prefix } = await setup(mock);
    const key = new Uint8Array(32).fill(7);
    const a = new RedisStore(client, { prefix, routingKey: key, random: seededRandom(1) });
    const b = new RedisStore(client, { prefix, routingKey: key.slice(), random: seededRandom(2) });
    const other = new RedisStore(client, { prefix, routingKey: new Uint8Array(32).fill(8) });
    const plain = new RedisStore(client, { prefix });
    const tagOf = async (store: RedisStore) => {
      const made = await store.create({ userId: "ada", ...TTL });
      if (made.status !== "created") throw new Error("Not created");
      return made.session.id.slice(0, 11);
    };
    const tag = await tagOf(a);
    assert.equal(await tagOf(b), tag);
    assert.notEqual(await tagOf(other), tag);
    assert.notEqual(await tagOf(plain), tag);
    assert.equal(await tagOf(new RedisStore(client, { prefix })), await tagOf(plain));
    assert.equal((await a.list("ada")).length, 2);
    assert.throws(() => new RedisStore(client, { routingKey: new Uint8Array(15) }), {
      code: "invalid-argument",
    });
  });

  it("keeps the user id out of session ids, keys and credentials", async () => {
    const { client, prefix, store } = await setup(mock);
    const a = await store.create({ userId: "alice@example.com", ...TTL });
    const b = await store.create({ userId: "alice@example.com", ...TTL });
    const c = await store.create({ userId: "bob", ...TTL });
    if (a.status !== "created" || b.status !== "created" || c.status !== "created") {
      throw new Error("Not created");
    }
    assert.equal(a.session.id.slice(0, 11), b.session.id.slice(0, 11));
    assert.notEqual(a.session.id.slice(0, 11), c.session.id.slice(0, 11));
    for (const key of await keysOf(client, prefix)) assert.ok(!key.includes("alice"));
    assert.ok(!a.credential.includes("alice"));
  });
});

describe("RedisStore faults on a real redis-server", { skip: !REAL }, () => {
  hostileValues(real);

  it("rejects with store-unavailable when the connection is refused", async () => {
    const port = await freePort();
    const client = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => {});
    const store = new RedisStore(client);
    await assert.rejects(store.create({ userId: "ada", ...TTL }), {
      name: "SessionError",
      code: "store-unavailable",
    });
    client.disconnect();
  });

  it("rejects with store-unavailable once the connection is closed", async () => {
    const { store } = await setup(real);
    const server = await startStandalone();
    const client = standaloneClient(server.url);
    client.on("error", () => {});
    const closing = new RedisStore(client, { commandTimeoutMs: 500 });
    assert.equal((await closing.create({ userId: null, ...TTL })).status, "created");
    server.stop();
    await assert.rejects(closing.create({ userId: null, ...TTL }), { code: "store-unavailable" });
    client.disconnect();
    assert.ok(store);
  });

  it("falls back to EVAL when the script cache was flushed (NOSCRIPT)", async () => {
    const { client, store } = await setup(real);
    const login = await store.create({ userId: "ada", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    await client.script("FLUSH");
    assert.equal((await store.validate(login.credential)).status, "valid");
  });

  it("gives every key a TTL and leaves no key after expiry and the sweep", async () => {
    const { client, prefix, clock, store, corrupt } = await setup(real);
    for (let i = 0; i < 30; i++) {
      const login = await store.create({
        userId: i % 3 === 0 ? null : `user${i % 5}`,
        limit: 4,
        idleTtlMs: 1_000 + i,
        absoluteTtlMs: 5_000 + i,
      });
      if (login.status !== "created") throw new Error("Not created");
      await store.rotate(login.credential, { graceMs: 100 });
      await store.revokeToken({ jti: `j${i}`, sessionId: login.session.id, expiresAt: T0 + 900 });
      await store.revokeTokens({ sessionId: login.session.id, issuedBefore: T0, until: T0 + 900 });
    }
    await store.revokeTokens({ userId: "user1", issuedBefore: T0, until: T0 + 3_000 });
    assert.deepEqual(await keysWithoutTtl([client], prefix), []);
    assert.ok((await keysOf(client, prefix)).length > 30);
    clock.advance(3 * 3_600_000);
    await store.sweep();
    assert.deepEqual(await keysOf(client, prefix), []);
    assert.deepEqual(corrupt, []);
  });

  it("leaves no key after every session was destroyed and the sweep", async () => {
    const { client, prefix, store } = await setup(real, { commandTimeoutMs: 100 });
    const anonymous: string[] = [];
    for (let i = 0; i < 12; i++) {
      const login = await store.create({ userId: i % 2 ? `user${i % 3}` : null, ...TTL });
      if (login.status === "created" && login.session.userId === null) {
        anonymous.push(login.session.id);
      }
    }
    for (const user of ["user0", "user1", "user2"]) await store.destroyAll(user);
    for (const id of anonymous) await store.destroy(id);
    await store.sweep();
    assert.deepEqual(await keysOf(client, prefix), []);
  });

  it("prunes the per-user index as sessions expire", async () => {
    const { client, prefix, clock, store } = await setup(real);
    let tag = "";
    for (let i = 0; i < 10; i++) {
      const login = await store.create({ userId: "ada", idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
      if (login.status === "created") tag = login.session.id.slice(0, 11);
    }
    assert.equal(await client.zcard(`${prefix}{${tag}}:i`), 10);
    clock.advance(1_000);
    await store.create({ userId: "ada", ...TTL });
    assert.equal(await client.zcard(`${prefix}{${tag}}:i`), 1);
  });

  it("stops the server it started", async () => {
    await real.done();
    await mock.done();
  });
});
