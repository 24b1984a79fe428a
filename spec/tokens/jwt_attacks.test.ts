// The access-token attack matrix: every attack is a named test asserting its expected code.

import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { formatCredential, generateSecret, generateSessionId } from "../../src/core/credential.ts";
import { seededRandom } from "../../src/core/random.ts";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";
import { signAccessToken, verifyAccessToken } from "../../src/tokens/access_token.ts";
import {
  claimsAt,
  clockAt,
  forge,
  hmacKey,
  hmacKeys,
  rejectsWith,
  T0,
  unsigned,
} from "./_jwt_helpers.ts";

const encoder = new TextEncoder();

function swapSegment(token: string, index: number, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}

function decodeSegment(token: string, index: number): Record<string, unknown> {
  const part = token.split(".")[index]!;
  return JSON.parse(new TextDecoder().decode(base64url.decode(part)));
}

describe("access-token attacks", () => {
  it("alg: none is token-invalid (empty and non-empty signature)", async () => {
    const { keys } = await hmacKeys("k1");
    const clock = clockAt();
    const header = { alg: "none", kid: "k1", typ: "at+jwt" };
    for (const signature of ["", "AAAA"]) {
      const token = unsigned(header, claimsAt(), signature);
      await rejectsWith(verifyAccessToken(token, keys, { clock }), "token-invalid", token);
    }
  });

  for (const algorithm of ["ES256", "EdDSA"] as const) {
    it(`HS256 signed with the ${algorithm} public key (PEM and JWK bytes) as HMAC secret is token-invalid`, async () => {
      const pair = await generateKeyPair(algorithm, { extractable: true });
      const key = await AccessTokenKey.import({
        kid: "pub",
        algorithm,
        privateKey: pair.privateKey,
        publicKey: pair.publicKey,
      });
      const keys = new AccessTokenKeySet(key);
      const clock = clockAt();
      const pem = await exportSPKI(pair.publicKey);
      const jwk = JSON.stringify(await exportJWK(pair.publicKey));
      for (const secret of [pem, jwk]) {
        const token = await new SignJWT(claimsAt())
          .setProtectedHeader({ alg: "HS256", kid: "pub", typ: "at+jwt" })
          .sign(encoder.encode(secret));
        const error = await rejectsWith(
          verifyAccessToken(token, keys, { clock }),
          "token-invalid",
          token,
        );
        assert.match(error.message, /ERR_JOSE_ALG_NOT_ALLOWED/);
      }
    });
  }

  it("a token re-labelled with another algorithm of the same family is token-invalid", async () => {
    const key = await AccessTokenKey.generate("ed", { algorithm: "EdDSA" });
    const keys = new AccessTokenKeySet(key);
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock });
    const header = { ...decodeSegment(token, 0), alg: "Ed25519" };
    const relabelled = swapSegment(token, 0, base64url.encode(JSON.stringify(header)));
    await rejectsWith(verifyAccessToken(relabelled, keys, { clock }), "token-invalid", relabelled);
  });

  it("a tampered header is token-invalid", async () => {
    const { keys } = await hmacKeys("k1");
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock });
    const header = { ...decodeSegment(token, 0), cty: "evil" };
    const tampered = swapSegment(token, 0, base64url.encode(JSON.stringify(header)));
    await rejectsWith(verifyAccessToken(tampered, keys, { clock }), "token-invalid", tampered);
  });

  it("a tampered payload is token-invalid", async () => {
    const { keys } = await hmacKeys("k1");
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "mallory", sid: "s" }, { clock });
    const payload = { ...decodeSegment(token, 1), sub: "admin" };
    const tampered = swapSegment(token, 1, base64url.encode(JSON.stringify(payload)));
    await rejectsWith(verifyAccessToken(tampered, keys, { clock }), "token-invalid", tampered);
  });

  it("a tampered signature is token-invalid", async () => {
    const { keys } = await hmacKeys("k1");
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock });
    const signature = token.split(".")[2]!;
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    const tampered = swapSegment(token, 2, flipped);
    await rejectsWith(verifyAccessToken(tampered, keys, { clock }), "token-invalid", tampered);
  });

  it("a segment whose last character differs only in unused bits is token-invalid", async () => {
    const { keys } = await hmacKeys("k1");
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const index of [0, 1, 2]) {
      const segment = token.split(".")[index]!;
      const spare = segment.length % 4 === 2 ? 15 : segment.length % 4 === 3 ? 3 : 0;
      if (spare === 0) continue; // a whole number of bytes: no unused bits to vary
      const value = alphabet.indexOf(segment.at(-1)!);
      for (let bits = 1; bits <= spare; bits++) {
        // Decodes to the same bytes, so the signature would still match: a different string.
        const twin = segment.slice(0, -1) + alphabet[(value & ~spare) | bits]!;
        const tampered = swapSegment(token, index, twin);
        await rejectsWith(verifyAccessToken(tampered, keys, { clock }), "token-invalid", tampered);
      }
    }
  });

  it("an expired token is token-expired", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt();
    const { token } = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock });
    clock.advance(900_000);
    await rejectsWith(verifyAccessToken(token, keys, { clock }), "token-expired", token);
  });

  it("a token not yet valid (nbf in the future beyond tolerance) is token-invalid", async () => {
    const { key, keys } = await hmacKeys();
    const clock = clockAt();
    const token = await forge(key, { ...claimsAt(), nbf: T0 / 1000 + 60 });
    await rejectsWith(
      verifyAccessToken(token, keys, { clock, clockToleranceMs: 30_000 }),
      "token-invalid",
      token,
    );
    clock.advance(30_000);
    assert.equal(
      (await verifyAccessToken(token, keys, { clock, clockToleranceMs: 30_000 })).sub,
      "ada",
    );
  });

  it("a token not yet valid (iat in the future beyond tolerance) is token-invalid", async () => {
    const { key, keys } = await hmacKeys();
    const clock = clockAt();
    const token = await forge(key, claimsAt(T0 + 3_600_000));
    await rejectsWith(
      verifyAccessToken(token, keys, { clock, clockToleranceMs: 60_000 }),
      "token-invalid",
      token,
    );
  });

  it("a wrong iss is token-invalid, and so is a missing one when configured", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt();
    const other = await signAccessToken(keys, { sub: "u", sid: "s" }, {
      clock,
      issuer: "https://evil",
    });
    const none = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock });
    for (const { token } of [other, none]) {
      await rejectsWith(
        verifyAccessToken(token, keys, { clock, issuer: "https://auth" }),
        "token-invalid",
        token,
      );
    }
  });

  it("a wrong aud is token-invalid, and so is a missing one when configured", async () => {
    const { keys } = await hmacKeys();
    const clock = clockAt();
    const other = await signAccessToken(keys, { sub: "u", sid: "s" }, {
      clock,
      audience: "billing",
    });
    const none = await signAccessToken(keys, { sub: "u", sid: "s" }, { clock });
    for (const { token } of [other, none]) {
      await rejectsWith(
        verifyAccessToken(token, keys, { clock, audience: ["api"] }),
        "token-invalid",
        token,
      );
    }
  });

  it("a wrong or missing typ (an ID token, a plain JWT) is token-invalid", async () => {
    const { key, keys } = await hmacKeys();
    const clock = clockAt();
    for (const typ of ["JWT", "id_token+jwt", "at+jwt-ish", undefined]) {
      const token = await forge(key, claimsAt(), { typ });
      await rejectsWith(verifyAccessToken(token, keys, { clock }), "token-invalid", token);
    }
  });

  it("a refresh token (opaque <id>.<secret>) presented as access token is token-invalid", async () => {
    const { keys } = await hmacKeys();
    const random = seededRandom(3);
    const refresh = formatCredential(generateSessionId(random), generateSecret(random));
    await rejectsWith(
      verifyAccessToken(refresh, keys, { clock: clockAt() }),
      "token-invalid",
      refresh,
    );
  });

  it("an unknown kid is token-invalid, and so is a missing or non-string kid", async () => {
    const { keys } = await hmacKeys("k1");
    const stranger = await hmacKey("k9", 9);
    const clock = clockAt();
    const unknown = await forge(stranger, claimsAt());
    await rejectsWith(verifyAccessToken(unknown, keys, { clock }), "token-invalid", unknown);
    const key = keys.get("k1")!;
    for (const kid of [undefined, 1, ["k1"]]) {
      const token = await forge(key, claimsAt(), { kid });
      await rejectsWith(verifyAccessToken(token, keys, { clock }), "token-invalid", token);
    }
  });

  it("a kid naming another key of the set is token-invalid", async () => {
    const k1 = await hmacKey("k1", 1);
    const k2 = await hmacKey("k2", 2);
    const keys = new AccessTokenKeySet(k1, { verificationKeys: [k2] });
    const token = await forge(k1, claimsAt(), { kid: "k2" });
    await rejectsWith(verifyAccessToken(token, keys, { clock: clockAt() }), "token-invalid", token);
  });

  it("a token of a key removed from the set is token-invalid", async () => {
    const clock = clockAt();
    const first = new AccessTokenKeySet(await hmacKey("k1", 1));
    const { token } = await signAccessToken(first, { sub: "u", sid: "s" }, { clock });
    const rotated = first.rotate(await hmacKey("k2", 2));
    await verifyAccessToken(token, rotated, { clock });
    await rejectsWith(
      verifyAccessToken(token, rotated.without("k1"), { clock }),
      "token-invalid",
      token,
    );
  });

  it("an oversized token (> 8 KiB) is token-invalid even when validly signed", async () => {
    const { key, keys } = await hmacKeys();
    const clock = clockAt();
    const token = await forge(key, { ...claimsAt(), pad: "x".repeat(6200) });
    assert.ok(token.length > 8192);
    const error = await rejectsWith(
      verifyAccessToken(token, keys, { clock }),
      "token-invalid",
      token,
    );
    assert.equal(error.cause, undefined, "refused before jose parsed anything");
    const huge = "a".repeat(10_000_000);
    await rejectsWith(
      verifyAccessToken(`${huge}.${huge}.${huge}`, keys, { clock }),
      "token-invalid",
    );
  });

  it("a token just under 8 KiB is still accepted", async () => {
    const { key, keys } = await hmacKeys();
    const token = await forge(key, { ...claimsAt(), pad: "x".repeat(5900) });
    assert.ok(token.length > 8000 && token.length <= 8192, String(token.length));
    assert.equal((await verifyAccessToken(token, keys, { clock: clockAt() })).sub, "ada");
  });

  it("a non-JSON payload is token-invalid", async () => {
    const { key, keys } = await hmacKeys();
    for (const payload of ["not json", '{"sub":', "\uFFFD"]) {
      const token = await forge(key, payload);
      await rejectsWith(
        verifyAccessToken(token, keys, { clock: clockAt() }),
        "token-invalid",
        token,
      );
    }
  });

  it("a non-object payload (array, number, string, null) is token-invalid", async () => {
    const { key, keys } = await hmacKeys();
    for (const payload of ["[1,2]", "42", '"ada"', "null", "true"]) {
      const token = await forge(key, payload);
      await rejectsWith(
        verifyAccessToken(token, keys, { clock: clockAt() }),
        "token-invalid",
        token,
      );
    }
  });

  it("missing or ill-typed registered claims are token-invalid", async () => {
    const { key, keys } = await hmacKeys();
    const good = claimsAt();
    const variants: Record<string, unknown>[] = [
      { ...good, sub: undefined },
      { ...good, sid: undefined },
      { ...good, jti: undefined },
      { ...good, iat: undefined },
      { ...good, exp: undefined },
      { ...good, sub: 42 },
      { ...good, sub: "" },
      { ...good, sid: "not a session id" },
      { ...good, jti: ["j"] },
      { ...good, iat: "1700000000" },
      { ...good, iat: 1.5 },
      { ...good, iat: -1 },
      { ...good, exp: 1e300 },
      { ...good, iss: 7 },
      { ...good, aud: [1] },
    ];
    for (const payload of variants) {
      const token = await forge(key, payload);
      await rejectsWith(
        verifyAccessToken(token, keys, { clock: clockAt() }),
        "token-invalid",
        token,
      );
    }
  });

  it("garbage strings are token-invalid", async () => {
    const { keys } = await hmacKeys();
    for (
      const token of ["", ".", "..", "a.b", "a.b.c.d", "a..c", "a.b.c", "é.é.é", "Bearer a.b.c"]
    ) {
      await rejectsWith(verifyAccessToken(token, keys, { clock: clockAt() }), "token-invalid");
    }
  });

  describe("jku / x5u / jwk headers", () => {
    const realFetch = globalThis.fetch;
    let fetches = 0;

    beforeEach(() => {
      fetches = 0;
      globalThis.fetch = ((..._args: unknown[]) => {
        fetches++;
        return Promise.reject(new Error("fetch must not be called"));
      }) as typeof fetch;
    });

    afterEach(() => {
      globalThis.fetch = realFetch;
    });

    it("jku and x5u headers are ignored, never fetched", async () => {
      const { key, keys } = await hmacKeys();
      const token = await forge(key, claimsAt(), {
        jku: "https://attacker.example/jwks.json",
        x5u: "https://attacker.example/cert.pem",
      });
      assert.equal((await verifyAccessToken(token, keys, { clock: clockAt() })).sub, "ada");
      assert.equal(fetches, 0);
    });

    it("a token signed by the attacker's key, published in jku/x5u/jwk headers, is token-invalid and never fetched", async () => {
      const { keys } = await hmacKeys("k1");
      const attacker = await generateKeyPair("ES256", { extractable: true });
      const token = await new SignJWT(claimsAt())
        .setProtectedHeader({
          alg: "ES256",
          kid: "k1",
          typ: "at+jwt",
          jku: "https://attacker.example/jwks.json",
          x5u: "https://attacker.example/cert.pem",
          jwk: await exportJWK(attacker.publicKey),
        })
        .sign(attacker.privateKey);
      await rejectsWith(
        verifyAccessToken(token, keys, { clock: clockAt() }),
        "token-invalid",
        token,
      );
      assert.equal(fetches, 0);
    });
  });
});
