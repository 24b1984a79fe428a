// The cheapest slide (issue 20): a validation whose only write is a due slide is a GET and the
// slide script (a compare-and-set of the record through its current hash). It must write exactly
// what the validate script writes, never lose a write that lands between the GET and the slide,
// never revive a removed session, and never slide past the absolute expiry. On ioredis-mock and a
// real redis-server.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import RedisMock from "ioredis-mock";
import type { Redis } from "ioredis";
import { after } from "../_support/_hooks.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { type RedisClient, RedisStore } from "../../src/stores/redis.ts";
import {
  realRedisOrSkip,
  standaloneClient,
  type StandaloneServer,
  startStandalone,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis-server");
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
let run = 0;

const keyOf = (prefix: string, id: string, kind = "s:") =>
  `${prefix}{${id.slice(0, 11)}}:${kind}${id.slice(11)}`;

function cases(connect: () => Promise<Redis>): void {
  /** A store whose client runs `between` after each GET answered, before the answer is used. */
  const setup = async (between?: () => Promise<void>) => {
    const client = await connect();
    const prefix = `slide${run++}:`;
    const clock = new ManualClock(1_800_000_000_000);
    const calls: string[] = [];
    const wrapped: RedisClient = {
      evalsha: (...args) => {
        calls.push("evalsha");
        return client.evalsha(...(args as [string, number, ...string[]]));
      },
      eval: (...args) => {
        calls.push("eval");
        return client.eval(...(args as [string, number, ...string[]]));
      },
      get: async (key: string) => {
        calls.push("get");
        const value = await client.get(key);
        if (between) await between();
        return value;
      },
    };
    const store = new RedisStore(client as unknown as RedisClient, { prefix, clock });
    const watched = new RedisStore(wrapped, { prefix, clock });
    return { client, prefix, clock, store, watched, calls };
  };

  it("writes what the validate script writes (record, TTL, user index), in one script call", async () => {
    for (const userId of ["ada", null]) {
      const a = await setup();
      const login = await a.store.create({ userId, ...TTL, data: { n: 1 } });
      if (login.status !== "created") throw new Error("Not created");
      const id = login.session.id;
      // The same session under a second prefix, slid by the validate script (threshold 1).
      const b = await setup();
      const raw = (await a.client.get(keyOf(a.prefix, id)))!;
      await b.client.set(keyOf(b.prefix, id), raw, "PX", await a.client.pttl(keyOf(a.prefix, id)));
      for (const set of ["i", "x"]) {
        const members = await a.client.zrange(
          `${a.prefix}{${id.slice(0, 11)}}:${set}`,
          0,
          -1,
          "WITHSCORES",
        );
        for (let i = 0; i < members.length; i += 2) {
          await b.client.zadd(
            `${b.prefix}{${id.slice(0, 11)}}:${set}`,
            members[i + 1]!,
            members[i]!,
          );
        }
      }
      a.clock.advance(40_000);
      b.clock.advance(40_000);
      a.calls.length = 0;
      const slid = await a.watched.validate(login.credential, { slideThreshold: 0.5 });
      // One GET, one script (an EVAL follows only the first EVALSHA, when Redis had no copy).
      assert.deepEqual(a.calls.filter((call) => call !== "eval"), ["get", "evalsha"]);
      const scripted = await b.store.validate(login.credential, { slideThreshold: 1 });
      assert.deepEqual(slid, scripted);
      assert.equal(slid.status === "valid" && slid.session.lastActiveAt, a.clock.now());
      assert.equal(
        await a.client.get(keyOf(a.prefix, id)),
        await b.client.get(keyOf(b.prefix, id)),
      );
      const score = (c: Redis, p: string) => c.zscore(`${p}{${id.slice(0, 11)}}:x`, id.slice(11));
      assert.equal(await score(a.client, a.prefix), await score(b.client, b.prefix));
      if (userId === null) assert.equal(await score(a.client, a.prefix), null);
      assert.ok(await a.client.pttl(keyOf(a.prefix, id)) > 0);
    }
  });

  it("never slides past the absolute expiry", async () => {
    const { store, clock } = await setup();
    const login = await store.create({ userId: "ada", idleTtlMs: 60_000, absoluteTtlMs: 70_000 });
    if (login.status !== "created") throw new Error("Not created");
    clock.advance(40_000);
    const checked = await store.validate(login.credential, { slideThreshold: 0.5 });
    assert.equal(
      checked.status === "valid" && checked.session.idleExpiresAt,
      login.session.absoluteExpiresAt,
    );
  });

  it("loses no update that lands between the GET and the slide", async () => {
    let during: (() => Promise<void>) | undefined;
    const { store, watched, clock } = await setup(() => during?.() ?? Promise.resolve());
    const login = await store.create({ userId: "ada", ...TTL, data: { n: 1 } });
    if (login.status !== "created") throw new Error("Not created");
    clock.advance(40_000);
    during = async () => {
      during = undefined;
      const updated = await store.update(login.session.id, { n: 2 }, { expectedVersion: 1 });
      assert.equal(updated.status, "updated");
    };
    const checked = await watched.validate(login.credential, { slideThreshold: 0.5 });
    assert.equal(checked.status, "valid");
    const now = await store.get(login.session.id);
    assert.deepEqual(now?.data, { n: 2 });
    assert.equal(now?.version, 2);
    assert.equal(now?.lastActiveAt, clock.now(), "the validate script slid the updated record");
  });

  it("does not revive a session removed between the GET and the slide", async () => {
    let during: (() => Promise<void>) | undefined;
    const { store, watched, clock, client, prefix } = await setup(() =>
      during?.() ?? Promise.resolve()
    );
    const login = await store.create({ userId: "ada", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    clock.advance(40_000);
    during = async () => {
      during = undefined;
      assert.notEqual(await store.destroy(login.session.id), null);
    };
    const checked = await watched.validate(login.credential, { slideThreshold: 0.5 });
    assert.equal(checked.status, "invalid");
    assert.equal(await client.exists(keyOf(prefix, login.session.id)), 0);
    assert.deepEqual(await store.list("ada"), []);
  });

  it("a rotation between the GET and the slide keeps its new secret", async () => {
    let during: (() => Promise<void>) | undefined;
    const { store, watched, clock } = await setup(() => during?.() ?? Promise.resolve());
    const login = await store.create({ userId: "ada", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    clock.advance(40_000);
    let rotated = "";
    during = async () => {
      during = undefined;
      const r = await store.rotate(login.credential, { graceMs: 5_000 });
      if (r.status !== "rotated") throw new Error("Not rotated");
      rotated = r.credential;
    };
    const checked = await watched.validate(login.credential, { slideThreshold: 0.5 });
    assert.equal(checked.status, "valid");
    assert.equal((await store.validate(rotated)).status, "valid");
  });
}

describe("RedisStore slide on ioredis-mock", () => {
  const mock = new RedisMock({ port: 46_000 + Math.floor(Math.random() * 900) });
  after(() => mock.disconnect());
  cases(() => Promise.resolve(mock as unknown as Redis));
});

describe("RedisStore slide on a real redis-server", { skip: !REAL }, () => {
  let server: StandaloneServer | undefined;
  let redis: Redis | undefined;
  cases(async () => {
    server ??= await startStandalone();
    redis ??= standaloneClient(server.url);
    return redis;
  });
  after(async () => {
    await redis?.quit();
    server?.stop();
  });
});
