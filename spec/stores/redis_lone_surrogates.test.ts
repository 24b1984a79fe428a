// User ids and jti values that differ only in a lone UTF-16 surrogate are different values: the
// store must not map them to one key (a client sends strings as UTF-8, where "\ud83d", "\ude00"
// and "\ufffd" all become U+FFFD). Runs on ioredis-mock and on a real redis-server (the ground
// truth: the mock keeps JavaScript strings, so only Redis shows the jti case).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import RedisMock from "ioredis-mock";
import type { Redis } from "ioredis";
import { after } from "../_support/_hooks.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { hashSecret } from "../../src/core/credential.ts";
import { hmacSha256 } from "../../src/core/_hmac.ts";
import { encodeBase64url } from "../../src/core/_base64url.ts";
import { type RedisClient, RedisStore } from "../../src/stores/redis.ts";
import { userKeys } from "../../src/stores/_redis_codec.ts";
import { routingKey, userTag } from "../../src/stores/_redis_routing.ts";
import { isWellFormed, losslessBytes } from "../../src/stores/_redis_key_text.ts";
import {
  realRedisOrSkip,
  standaloneClient,
  type StandaloneServer,
  startStandalone,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis-server");
const LONE = ["\ud83d", "\ude00", "\ufffd", "a\ud83d", "a\ude00\ud83d"];
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
const SESSION = "A".repeat(33);
const FAR = 1_800_000_000_000 + 3_600_000;
let run = 0;

function cases(client: () => Promise<RedisClient>): void {
  const fresh = async () =>
    new RedisStore(await client(), {
      prefix: `lone${run++}:`,
      clock: new ManualClock(1_800_000_000_000),
    });

  it("revokeTokens for one lone-surrogate user id revokes no other user's tokens", async () => {
    for (const revoked of LONE) {
      const store = await fresh();
      await store.revokeTokens({ userId: revoked, issuedBefore: FAR, until: FAR });
      for (const userId of LONE) {
        const token = { userId, sessionId: SESSION, jti: "t", issuedAt: 1 };
        assert.equal(
          await store.isTokenRevoked(token),
          userId === revoked,
          `${revoked} vs ${userId}`,
        );
      }
    }
  });

  it("revokeToken for one lone-surrogate jti revokes no other jti", async () => {
    for (const revoked of LONE) {
      const store = await fresh();
      await store.revokeToken({ sessionId: SESSION, jti: revoked, expiresAt: FAR });
      for (const jti of LONE) {
        const token = { userId: "u", sessionId: SESSION, jti, issuedAt: FAR };
        assert.equal(await store.isTokenRevoked(token), jti === revoked, `${revoked} vs ${jti}`);
      }
    }
  });

  it("logins of one lone-surrogate user id neither count nor evict under another's limit", async () => {
    const store = await fresh();
    for (const userId of LONE) {
      for (let i = 0; i < 2; i++) {
        const login = await store.create({ userId, limit: 2, ...TTL });
        assert.equal(login.status, "created");
        if (login.status === "created") assert.deepEqual(login.evicted, []);
      }
    }
    for (const userId of LONE) {
      const sessions = await store.list(userId);
      assert.equal(sessions.length, 2);
      for (const session of sessions) assert.equal(session.userId, userId);
    }
    const removed = await store.destroyAll(LONE[0]!);
    assert.equal(removed.length, 2);
    for (const userId of LONE.slice(1)) assert.equal((await store.list(userId)).length, 2);
  });

  it("the sweep removes a past revocation of a lone-surrogate jti", async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const redis = await client();
    const prefix = `lone${run++}:`;
    const store = new RedisStore(redis, { prefix, clock });
    await store.revokeToken({ sessionId: SESSION, jti: "\ud83d", expiresAt: clock.now() + 1_000 });
    const key = `${prefix}{${SESSION.slice(0, 11)}}:r:${SESSION}`;
    assert.equal(await (redis as unknown as Redis).exists(key), 1);
    clock.advance(1_000);
    await store.sweep();
    assert.equal(await (redis as unknown as Redis).exists(key), 0);
  });

  it("refuses a prefix with a lone surrogate (two such prefixes would share every key)", async () => {
    const redis = await client();
    for (const prefix of ["\ud83d:", "a\ude00"]) {
      assert.throws(() => new RedisStore(redis, { prefix }), { code: "invalid-argument" });
    }
    new RedisStore(redis, { prefix: "\ud83d\ude00:" }); // a surrogate pair is well-formed
  });
}

describe("RedisStore keys of lone-surrogate ids on ioredis-mock", () => {
  const mock = new RedisMock({ port: 47_000 + Math.floor(Math.random() * 900) });
  after(() => mock.disconnect());
  cases(() => Promise.resolve(mock as unknown as RedisClient));
});

describe("RedisStore keys of lone-surrogate ids on a real redis-server", { skip: !REAL }, () => {
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

describe("RedisStore key text of well-formed ids (unchanged, so existing keys stay found)", () => {
  const ids = ["ada", "é", "日本", "\ud83d\ude00", "x".repeat(256), "a\u0000b"];

  it("hashes a well-formed user id as its UTF-8, as earlier versions did", () => {
    const key = routingKey("sk:", undefined);
    for (const id of ids) {
      assert.equal(userKeys("sk:", id).map, `sk:{u.${hashSecret(id)}}`);
      const tag = encodeBase64url(hmacSha256(key, new TextEncoder().encode(id)).subarray(0, 8));
      assert.equal(userTag(key, id), tag);
    }
  });

  it("encodes every lone surrogate as its own WTF-8 bytes", () => {
    for (const id of ids) assert.ok(isWellFormed(id));
    for (const id of LONE.filter((x) => x !== "\ufffd")) assert.ok(!isWellFormed(id));
    assert.deepEqual([...losslessBytes("\ud83d")], [0xed, 0xa0, 0xbd]);
    assert.deepEqual([...losslessBytes("\ude00")], [0xed, 0xb8, 0x80]);
    assert.deepEqual([...losslessBytes("\ud83d\ude00")], [0xf0, 0x9f, 0x98, 0x80]);
    assert.deepEqual([...losslessBytes("\ude00\ud83d")], [0xed, 0xb8, 0x80, 0xed, 0xa0, 0xbd]);
    const seen = new Set(LONE.map((id) => losslessBytes(id).join(",")));
    assert.equal(seen.size, LONE.length);
  });
});
