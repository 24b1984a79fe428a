import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AccessTokenCache } from "../../src/tokens/cache.ts";
import { signAccessToken, verifyAccessToken } from "../../src/tokens/access_token.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";
import type { TokenIdentity } from "../../src/model/store.ts";
import { clockAt, hmacKey, hmacKeys, rejectsWith, T0 } from "./_jwt_helpers.ts";

async function setup() {
  const { key, keys } = await hmacKeys("k1");
  const clock = clockAt();
  const sign = async (sub = "ada", sid = "s1", ttlMs = 60_000) =>
    (await signAccessToken(keys, { sub, sid }, { clock, ttlMs })).token;
  return { key, keys, clock, sign };
}

describe("AccessTokenCache", () => {
  it("a hit returns the stored claims without verifying again", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const token = await sign();
    const first = await cache.verify(token, keys, { clock });
    const second = await cache.verify(token, keys, { clock });
    assert.equal(second, first, "the same object: served from the cache");
    assert.notEqual(await verifyAccessToken(token, keys, { clock }), first);
    assert.equal(cache.size, 1);
  });

  it("a hit re-checks expiry at the exact boundary and drops the expired entry", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const token = await sign();
    await cache.verify(token, keys, { clock });
    clock.set(T0 + 59_999);
    await cache.verify(token, keys, { clock });
    clock.set(T0 + 60_000);
    await rejectsWith(cache.verify(token, keys, { clock }), "token-expired", token);
    assert.equal(cache.size, 0);
  });

  it("a hit honours the clock tolerance like a full verification", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const token = await sign();
    const options = { clock, clockToleranceMs: 2000 };
    await cache.verify(token, keys, options);
    clock.set(T0 + 61_999);
    await cache.verify(token, keys, options);
    clock.set(T0 + 62_000);
    await rejectsWith(cache.verify(token, keys, options), "token-expired");
  });

  it("never stores a failed verification", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    await rejectsWith(cache.verify("a.b.c", keys, { clock }), "token-invalid");
    const token = await sign();
    await rejectsWith(
      cache.verify(token, keys, { clock, issuer: "https://auth" }),
      "token-invalid",
    );
    const isRevoked = () => Promise.resolve(true);
    await rejectsWith(cache.verify(token, keys, { clock, isRevoked }), "token-revoked");
    clock.advance(60_000);
    await rejectsWith(cache.verify(token, keys, { clock }), "token-expired");
    assert.equal(cache.size, 0);
  });

  it("runs the revocation hook on every hit and drops a revoked entry", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const token = await sign();
    const revoked = new Set<string>();
    const seen: TokenIdentity[] = [];
    const isRevoked = (identity: TokenIdentity) => {
      seen.push(identity);
      return Promise.resolve(revoked.has(identity.jti));
    };
    const claims = await cache.verify(token, keys, { clock, isRevoked });
    await cache.verify(token, keys, { clock, isRevoked });
    revoked.add(claims.jti);
    await rejectsWith(cache.verify(token, keys, { clock, isRevoked }), "token-revoked", token);
    assert.equal(seen.length, 3);
    assert.equal(cache.size, 0);
  });

  it("a token of a key removed from the set is not served from the cache", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const token = await sign();
    await cache.verify(token, keys, { clock });
    const rotated = keys.rotate(await hmacKey("k2", 2));
    await cache.verify(token, rotated, { clock });
    await rejectsWith(
      cache.verify(token, rotated.without("k1"), { clock }),
      "token-invalid",
      token,
    );
    assert.equal(cache.size, 0, "the stale entry is dropped");
  });

  it("a different key under the same kid is not served from the cache", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const token = await sign();
    await cache.verify(token, keys, { clock });
    const impostor = new AccessTokenKeySet(await hmacKey("k1", 99));
    await rejectsWith(cache.verify(token, impostor, { clock }), "token-invalid", token);
  });

  it("a hit requires the same issuer and audience checks", async () => {
    const { keys, clock } = await setup();
    const cache = new AccessTokenCache();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, {
      clock,
      issuer: "https://auth",
      audience: "api",
    });
    await cache.verify(token, keys, { clock, issuer: "https://auth", audience: "api" });
    await rejectsWith(
      cache.verify(token, keys, { clock, issuer: "https://other" }),
      "token-invalid",
    );
    await rejectsWith(cache.verify(token, keys, { clock, audience: "billing" }), "token-invalid");
  });

  it("revokeToken(jti) empties the matching entry only", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const a = await cache.verify(await sign("ada", "s1"), keys, { clock });
    await cache.verify(await sign("bob", "s2"), keys, { clock });
    assert.equal(cache.revokeToken(a.jti), 1);
    assert.equal(cache.revokeToken(a.jti), 0);
    assert.equal(cache.size, 1);
  });

  it("revokeTokens({ sessionId }) empties the session's tokens issued before the instant", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    await cache.verify(await sign("ada", "s1"), keys, { clock });
    await cache.verify(await sign("ada", "s2"), keys, { clock });
    clock.advance(1000);
    const later = await sign("ada", "s1");
    await cache.verify(later, keys, { clock });
    assert.equal(
      cache.revokeTokens({ sessionId: "s1", issuedBefore: T0 + 1000, until: T0 + 61_000 }),
      1,
    );
    assert.equal(cache.size, 2);
    assert.equal(
      cache.revokeTokens({ sessionId: "s1", issuedBefore: T0 + 1001, until: T0 + 61_000 }),
      1,
    );
    assert.equal(cache.size, 1);
  });

  it("revokeTokens({ userId }) empties every token of the user issued before the instant", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    await cache.verify(await sign("ada", "s1"), keys, { clock });
    await cache.verify(await sign("ada", "s2"), keys, { clock });
    await cache.verify(await sign("bob", "s3"), keys, { clock });
    assert.equal(
      cache.revokeTokens({ userId: "ada", issuedBefore: T0 + 1, until: T0 + 60_000 }),
      2,
    );
    assert.equal(cache.size, 1);
    assert.throws(
      () => cache.revokeTokens({ issuedBefore: 1, until: 2 } as never),
      TypeError,
    );
  });

  it("a verification in flight during a revocation is not stored", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const token = await sign();
    for (
      const revoke of [
        () => cache.clear(),
        () => cache.revokeToken("anything"),
        () => cache.revokeTokens({ userId: "ada", issuedBefore: T0 + 1, until: T0 + 60_000 }),
        () => cache.delete(token),
      ]
    ) {
      const pending = cache.verify(token, keys, { clock });
      revoke();
      await pending;
      assert.equal(cache.size, 0);
    }
    await cache.verify(token, keys, { clock });
    assert.equal(cache.size, 1);
  });

  it("delete() and clear() forget tokens", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache();
    const a = await sign("ada");
    await cache.verify(a, keys, { clock });
    await cache.verify(await sign("bob"), keys, { clock });
    assert.equal(cache.delete(a), true);
    assert.equal(cache.delete(a), false);
    assert.equal(cache.size, 1);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it("is bounded: the least recently used entry goes first", async () => {
    const { keys, clock, sign } = await setup();
    const cache = new AccessTokenCache({ maxEntries: 3 });
    const tokens = [];
    for (const sub of ["a", "b", "c"]) tokens.push(await sign(sub));
    const claimsA = await cache.verify(tokens[0]!, keys, { clock });
    const claimsB = await cache.verify(tokens[1]!, keys, { clock });
    await cache.verify(tokens[2]!, keys, { clock });
    assert.equal(await cache.verify(tokens[0]!, keys, { clock }), claimsA); // a is now most recent
    await cache.verify(await sign("d"), keys, { clock }); // evicts b
    assert.equal(cache.size, 3);
    assert.equal(await cache.verify(tokens[0]!, keys, { clock }), claimsA);
    assert.notEqual(await cache.verify(tokens[1]!, keys, { clock }), claimsB, "b was evicted");
    assert.equal(cache.size, 3);
    for (let i = 0; i < 20; i++) await cache.verify(await sign(`u${i}`), keys, { clock });
    assert.equal(cache.size, 3);
  });

  it("refuses a bad maxEntries", () => {
    for (const maxEntries of [0, -1, 1.5, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new AccessTokenCache({ maxEntries }), RangeError);
    }
  });
});
