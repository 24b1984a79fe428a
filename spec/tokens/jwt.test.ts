import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProtectedHeader, exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { seededRandom } from "../../src/core/random.ts";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";
import {
  DEFAULT_ACCESS_TOKEN_TTL_MS,
  signAccessToken,
  verifyAccessToken,
} from "../../src/tokens/access_token.ts";
import type { TokenIdentity } from "../../src/model/store.ts";
import { claimsAt, clockAt, forge, hmacKey, hmacKeys, rejectsWith, T0 } from "./_jwt_helpers.ts";

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}

describe("AccessTokenKey", () => {
  it("import() refuses an HS256 secret under 32 bytes with a RangeError", async () => {
    await assert.rejects(
      AccessTokenKey.import({ kid: "k", secret: new Uint8Array(31) }),
      (e) => e instanceof RangeError && codeOf(e) === "invalid-argument",
    );
    await assert.rejects(
      AccessTokenKey.import({ kid: "k", secret: "x".repeat(31) }),
      (e) => e instanceof RangeError && codeOf(e) === "invalid-argument",
    );
  });

  it("import() accepts a 32-byte secret and a 32-byte UTF-8 string", async () => {
    const a = await AccessTokenKey.import({ kid: "a", secret: new Uint8Array(32).fill(7) });
    const b = await AccessTokenKey.import({ kid: "b", secret: "é".repeat(16) });
    assert.equal(a.algorithm, "HS256");
    assert.equal(b.canSign, true);
  });

  it("import() does not keep or zero the caller's secret array", async () => {
    const secret = new Uint8Array(32).fill(9);
    await AccessTokenKey.import({ kid: "a", secret });
    assert.deepEqual(secret, new Uint8Array(32).fill(9));
  });

  it("HS256 keys are non-extractable CryptoKeys", async () => {
    const key = await hmacKey("k");
    assert.equal(key.verificationKey.extractable, false);
    assert.equal(key.verificationKey.algorithm.name, "HMAC");
    await assert.rejects(key.toPublicJwk(), (e) => codeOf(e) === "invalid-argument");
  });

  it("refuses bad kids and unknown algorithms", async () => {
    for (const kid of ["", "a b", "x".repeat(65), "ké", 7]) {
      await assert.rejects(
        AccessTokenKey.import({ kid: kid as string, secret: new Uint8Array(32) }),
        (e) => e instanceof TypeError && codeOf(e) === "invalid-argument",
      );
    }
    await assert.rejects(
      AccessTokenKey.generate("k", { algorithm: "RS256" as "HS256" }),
      (e) => e instanceof TypeError && codeOf(e) === "invalid-argument",
    );
    await assert.rejects(
      AccessTokenKey.import({ kid: "k", algorithm: "none" as "HS256", secret: new Uint8Array(32) }),
      (e) => e instanceof TypeError,
    );
  });

  for (const algorithm of ["EdDSA", "ES256"] as const) {
    it(`imports an ${algorithm} key pair from PEM and from JWK, and exports the public JWK`, async () => {
      const pair = await generateKeyPair(algorithm, { extractable: true });
      const fromPem = await AccessTokenKey.import({
        kid: "pem",
        algorithm,
        privateKey: await exportPKCS8(pair.privateKey),
        publicKey: await exportSPKI(pair.publicKey),
      });
      const fromJwk = await AccessTokenKey.import({
        kid: "jwk",
        algorithm,
        privateKey: await exportJWK(pair.privateKey),
        publicKey: await exportJWK(pair.privateKey), // a private JWK: only its public half is kept
      });
      const keys = new AccessTokenKeySet(fromPem, { verificationKeys: [fromJwk] });
      const signed = await signAccessToken(keys, { sub: "ada", sid: "s1" });
      assert.equal(decodeProtectedHeader(signed.token).alg, algorithm);
      const other = new AccessTokenKeySet(fromJwk);
      const signedByJwk = await signAccessToken(other, { sub: "ada", sid: "s1" });
      assert.equal((await verifyAccessToken(signedByJwk.token, keys)).sub, "ada");
      assert.equal(fromJwk.verificationKey.type, "public");
      const jwk = await fromPem.toPublicJwk();
      assert.equal(jwk.kid, "pem");
      assert.equal(jwk.alg, algorithm);
      assert.equal(jwk.use, "sig");
      assert.equal(jwk.d, undefined);
    });

    it(`refuses an ${algorithm} private key that does not match the public key`, async () => {
      const a = await generateKeyPair(algorithm);
      const b = await generateKeyPair(algorithm);
      await assert.rejects(
        AccessTokenKey.import({
          kid: "k",
          algorithm,
          privateKey: a.privateKey,
          publicKey: b.publicKey,
        }),
        (e) => e instanceof TypeError && codeOf(e) === "invalid-argument",
      );
    });

    it(`a verify-only ${algorithm} key verifies but cannot sign or head a key set`, async () => {
      const signer = await AccessTokenKey.generate("k", { algorithm });
      const pair = await generateKeyPair(algorithm, { extractable: true });
      const verifier = await AccessTokenKey.import({
        kid: "v",
        algorithm,
        publicKey: pair.publicKey,
      });
      assert.equal(verifier.canSign, false);
      assert.throws(() => verifier.signingKey, TypeError);
      assert.throws(() => new AccessTokenKeySet(verifier), TypeError);
      const keys = new AccessTokenKeySet(signer, { verificationKeys: [verifier] });
      assert.deepEqual(keys.kids, ["k", "v"]);
    });
  }

  it("refuses key material of the wrong algorithm or type", async () => {
    const ec = await generateKeyPair("ES256");
    const ed = await generateKeyPair("EdDSA");
    await assert.rejects(
      AccessTokenKey.import({ kid: "k", algorithm: "EdDSA", publicKey: ec.publicKey }),
      (e) => codeOf(e) === "invalid-argument",
    );
    await assert.rejects(
      AccessTokenKey.import({ kid: "k", algorithm: "ES256", publicKey: ec.privateKey }),
      (e) => codeOf(e) === "invalid-argument",
    );
    await assert.rejects(
      AccessTokenKey.import({ kid: "k", algorithm: "ES256", publicKey: "not a pem" }),
      (e) => codeOf(e) === "invalid-argument",
    );
    await assert.rejects(
      AccessTokenKey.import({ kid: "k", algorithm: "ES256", publicKey: ed.publicKey }),
      (e) => codeOf(e) === "invalid-argument",
    );
  });
});

describe("AccessTokenKeySet", () => {
  it("refuses two different keys under one kid", async () => {
    const a = await hmacKey("same", 1);
    const b = await hmacKey("same", 2);
    assert.throws(() => new AccessTokenKeySet(a, { verificationKeys: [b] }), TypeError);
    assert.doesNotThrow(() => new AccessTokenKeySet(a, { verificationKeys: [a] }));
  });

  it("rotate() signs with the new key and still verifies the old key's tokens", async () => {
    const clock = clockAt();
    const old = new AccessTokenKeySet(await hmacKey("k1", 1));
    const before = await signAccessToken(old, { sub: "ada", sid: "s1" }, { clock });
    const rotated = old.rotate(await hmacKey("k2", 2));
    const after = await signAccessToken(rotated, { sub: "ada", sid: "s1" }, { clock });
    assert.equal(after.kid, "k2");
    assert.equal(decodeProtectedHeader(after.token).kid, "k2");
    assert.equal((await verifyAccessToken(before.token, rotated, { clock })).sub, "ada");
    assert.equal((await verifyAccessToken(after.token, rotated, { clock })).sub, "ada");
    await rejectsWith(verifyAccessToken(after.token, old, { clock }), "token-invalid");
  });

  it("without() refuses to remove the signing key", async () => {
    const keys = new AccessTokenKeySet(await hmacKey("k1"));
    assert.throws(() => keys.without("k1"), TypeError);
  });
});

describe("signAccessToken", () => {
  it("writes sub, sid, jti, iat, exp, the at+jwt typ and the kid", async () => {
    const { keys } = await hmacKeys("k1");
    const signed = await signAccessToken(keys, { sub: "ada", sid: "s1" }, { clock: clockAt() });
    assert.deepEqual(decodeProtectedHeader(signed.token), {
      alg: "HS256",
      kid: "k1",
      typ: "at+jwt",
    });
    const { claims } = signed;
    assert.equal(claims.sub, "ada");
    assert.equal(claims.sid, "s1");
    assert.equal(claims.iat, T0 / 1000);
    assert.equal(claims.exp, T0 / 1000 + DEFAULT_ACCESS_TOKEN_TTL_MS / 1000);
    assert.equal(signed.expiresAt, T0 + 900_000);
    assert.match(claims.jti, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(Object.isFrozen(claims));
    assert.deepEqual(await verifyAccessToken(signed.token, keys, { clock: clockAt() }), claims);
  });

  it("draws the jti from the injected random source", async () => {
    const { keys } = await hmacKeys();
    const a = await signAccessToken(keys, { sub: "u", sid: "s" }, { random: seededRandom(5) });
    const b = await signAccessToken(keys, { sub: "u", sid: "s" }, { random: seededRandom(5) });
    const c = await signAccessToken(keys, { sub: "u", sid: "s" }, { random: seededRandom(6) });
    assert.equal(a.claims.jti, b.claims.jti);
    assert.notEqual(a.claims.jti, c.claims.jti);
  });

  it("writes iss and aud when configured", async () => {
    const { keys } = await hmacKeys();
    const options = { issuer: "https://auth.example", audience: ["api", "admin"] };
    const signed = await signAccessToken(keys, { sub: "u", sid: "s" }, options);
    assert.equal(signed.claims.iss, "https://auth.example");
    assert.deepEqual(signed.claims.aud, ["api", "admin"]);
    const verified = await verifyAccessToken(signed.token, keys, {
      issuer: options.issuer,
      audience: "admin",
    });
    assert.equal(verified.iss, "https://auth.example");
  });

  it("carries application claims through", async () => {
    const { keys } = await hmacKeys();
    const signed = await signAccessToken(keys, {
      sub: "u",
      sid: "s",
      role: "admin",
      scopes: ["a", "b"],
    });
    const verified = await verifyAccessToken(signed.token, keys);
    assert.equal(verified.role, "admin");
    assert.deepEqual(verified.scopes, ["a", "b"]);
    assert.ok(Object.isFrozen(verified.scopes));
  });

  it("refuses application claims that would override registered ones", async () => {
    const { keys } = await hmacKeys();
    for (const name of ["iss", "aud", "exp", "nbf", "iat", "jti"]) {
      await assert.rejects(
        signAccessToken(keys, { sub: "u", sid: "s", [name]: 1 }),
        (e) =>
          e instanceof TypeError && codeOf(e) === "invalid-argument" && e.message.includes(name),
        name,
      );
    }
    const proto = JSON.parse('{"sub":"u","sid":"s","__proto__":{"admin":true}}');
    await assert.rejects(signAccessToken(keys, proto), TypeError);
  });

  it("refuses a bad sub or sid, non-JSON claims and oversized claims", async () => {
    const { keys } = await hmacKeys();
    await assert.rejects(signAccessToken(keys, { sub: "", sid: "s" }), TypeError);
    await assert.rejects(signAccessToken(keys, { sub: "u", sid: "a.b" }), TypeError);
    await assert.rejects(
      signAccessToken(keys, { sub: "u", sid: "s", n: Number.NaN }),
      TypeError,
    );
    await assert.rejects(
      signAccessToken(keys, { sub: "u", sid: "s", big: "x".repeat(5000) }),
      (e) => e instanceof RangeError && codeOf(e) === "data-too-large",
    );
  });

  it("refuses a ttlMs that is not whole seconds between 1 s and 24 h", async () => {
    const { keys } = await hmacKeys();
    for (const ttlMs of [0, 999, 1500, 86_401_000, -1000, Number.NaN]) {
      await assert.rejects(
        signAccessToken(keys, { sub: "u", sid: "s" }, { ttlMs }),
        (e) => e instanceof RangeError && codeOf(e) === "invalid-argument",
        String(ttlMs),
      );
    }
  });
});

describe("verifyAccessToken expiry boundaries (ManualClock)", () => {
  it("a token is valid until exp * 1000 - 1 and expired from exp * 1000", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock, ttlMs: 60_000 });
    clock.set(T0 + 59_999);
    assert.equal((await verifyAccessToken(token, keys, { clock })).sub, "u");
    clock.set(T0 + 60_000);
    await rejectsWith(verifyAccessToken(token, keys, { clock }), "token-expired", token);
  });

  it("a token signed mid-second never outlives its ttl", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt(T0 + 700);
    const signed = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock, ttlMs: 60_000 });
    assert.equal(signed.expiresAt, T0 + 60_000);
    clock.set(T0 + 59_999);
    await verifyAccessToken(signed.token, keys, { clock });
    clock.set(T0 + 60_000);
    await rejectsWith(verifyAccessToken(signed.token, keys, { clock }), "token-expired");
  });

  it("clockToleranceMs extends acceptance by exactly the tolerance", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock, ttlMs: 60_000 });
    clock.set(T0 + 64_999);
    await verifyAccessToken(token, keys, { clock, clockToleranceMs: 5000 });
    clock.set(T0 + 65_000);
    await rejectsWith(
      verifyAccessToken(token, keys, { clock, clockToleranceMs: 5000 }),
      "token-expired",
    );
  });

  it("an iat in the future is accepted within the tolerance and refused beyond it", async () => {
    const { key, keys } = await hmacKeys();
    const clock = clockAt();
    const ahead = claimsAt(T0 + 5000);
    const token = await forge(key, ahead);
    await verifyAccessToken(token, keys, { clock, clockToleranceMs: 5000 });
    await rejectsWith(
      verifyAccessToken(token, keys, { clock, clockToleranceMs: 4000 }),
      "token-invalid",
    );
    clock.set(T0 + 1000);
    await verifyAccessToken(token, keys, { clock, clockToleranceMs: 4000 });
  });

  it("refuses a tolerance that is not whole seconds up to 5 minutes", async () => {
    const { keys } = await hmacKeys();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" });
    for (const clockToleranceMs of [-1000, 500, 301_000]) {
      await assert.rejects(
        verifyAccessToken(token, keys, { clockToleranceMs }),
        (e) => e instanceof RangeError && codeOf(e) === "invalid-argument",
      );
    }
  });
});

describe("verifyAccessToken revocation hook", () => {
  it("passes the token identity with issuedAt in ms and fails token-revoked on true", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt(T0 + 250);
    const signed = await signAccessToken(keys, { sub: "ada", sid: "s1" }, { clock });
    const seen: TokenIdentity[] = [];
    const isRevoked = (identity: TokenIdentity) => {
      seen.push(identity);
      return Promise.resolve(seen.length > 1);
    };
    await verifyAccessToken(signed.token, keys, { clock, isRevoked });
    await rejectsWith(
      verifyAccessToken(signed.token, keys, { clock, isRevoked }),
      "token-revoked",
      signed.token,
    );
    assert.deepEqual(seen[0], {
      jti: signed.claims.jti,
      sessionId: "s1",
      userId: "ada",
      issuedAt: T0,
    });
  });

  it("is not consulted for an invalid or expired token", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock, ttlMs: 1000 });
    clock.advance(1000);
    let calls = 0;
    const isRevoked = () => Promise.resolve(++calls > 0);
    await rejectsWith(verifyAccessToken(token, keys, { clock, isRevoked }), "token-expired");
    await rejectsWith(verifyAccessToken("x.y.z", keys, { clock, isRevoked }), "token-invalid");
    assert.equal(calls, 0);
  });

  it("propagates the hook's own failure (fail closed)", async () => {
    const { keys } = await hmacKeys();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" });
    const boom = new Error("store down");
    await assert.rejects(
      verifyAccessToken(token, keys, { isRevoked: () => Promise.reject(boom) }),
      (e) => e === boom,
    );
  });
});

describe("verifyAccessToken arguments", () => {
  it("refuses a non-string token with a TypeError", async () => {
    const { keys } = await hmacKeys();
    await assert.rejects(verifyAccessToken(42 as unknown as string, keys), TypeError);
  });
});
