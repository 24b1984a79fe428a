import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { seededRandom, webCryptoRandom } from "../../mod.ts";
import {
  constantTimeEqual,
  formatCredential,
  generateSecret,
  generateSessionId,
  hashSecret,
  isSessionId,
  parseCredential,
  tryParseCredential,
} from "../../src/stores/store.ts";
import { sha256, sha256ShortAscii, sha256ShortAsciiBase64url } from "../../src/core/_sha256.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("credential", () => {
  it("sha256 matches node:crypto on FIPS vectors and random inputs", () => {
    assert.equal(
      hex(sha256(new TextEncoder().encode("abc"))),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.equal(hex(sha256(bytes)), createHash("sha256").update(bytes).digest("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("the one-block ASCII fast path matches node:crypto and declines what it cannot hash", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii", maxLength: 55 }), (text) => {
        const fast = sha256ShortAscii(text);
        const encoded = sha256ShortAsciiBase64url(text);
        if ([...text].some((c) => c.charCodeAt(0) > 0x7f)) {
          assert.equal(fast, null);
          assert.equal(encoded, null);
        } else {
          assert.equal(hex(fast!), createHash("sha256").update(text).digest("hex"));
          assert.equal(encoded, createHash("sha256").update(text).digest("base64url"));
        }
      }),
      { numRuns: 500 },
    );
    assert.equal(sha256ShortAscii("a".repeat(56)), null);
    assert.equal(sha256ShortAscii("é"), null);
    assert.equal(sha256ShortAsciiBase64url("a".repeat(56)), null);
    assert.equal(
      hashSecret("é".repeat(40)),
      createHash("sha256").update("é".repeat(40)).digest("base64url"),
    );
  });

  it("hashSecret is base64url SHA-256 of the secret's ASCII", () => {
    const secret = generateSecret(webCryptoRandom);
    const expected = createHash("sha256").update(secret).digest("base64url");
    assert.equal(hashSecret(secret), expected);
  });

  it("generated secrets carry 256 bits and round-trip through format and parse", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = seededRandom(seed);
        const id = generateSessionId(random, { prefix: "t" });
        const secret = generateSecret(random);
        assert.equal(secret.length, 43);
        const credential = formatCredential(id, secret);
        assert.deepEqual(parseCredential(credential), { sessionId: id, secret });
      }),
    );
  });

  it("the strict parser refuses malformed credentials without echoing them", () => {
    const secret = generateSecret(seededRandom(1));
    const bad = [
      "",
      secret,
      `.${secret}`,
      `id.${secret}x`,
      `id.${secret.slice(1)}`,
      `i d.${secret}`,
      `id.${secret.slice(0, 42)}B`, // non-canonical: low bits of the last character set
      `id.id.${secret}`,
      `${"a".repeat(65)}.${secret}`,
      `id.${secret.slice(0, 42)}=`,
      `id:${secret}`,
    ];
    for (const value of bad) {
      assert.equal(tryParseCredential(value), null, `accepted ${JSON.stringify(value)}`);
      assert.throws(() => parseCredential(value), (error: Error & { code?: string }) => {
        assert.ok(error instanceof TypeError);
        assert.equal(error.code, "malformed-credential");
        assert.ok(!error.message.includes(secret.slice(0, 10)));
        return true;
      });
    }
    for (const value of [null, undefined, 42, {}, ["a"]]) {
      assert.equal(tryParseCredential(value), null);
    }
  });

  it("parser never throws and only accepts <id>.<43 canonical chars>", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (value) => {
        const parsed = tryParseCredential(value);
        if (parsed !== null) {
          assert.ok(isSessionId(parsed.sessionId));
          assert.equal(parsed.secret.length, 43);
          assert.equal(`${parsed.sessionId}.${parsed.secret}`, value);
        }
      }),
    );
  });

  it("constantTimeEqual agrees with ===", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        assert.equal(constantTimeEqual(a, b), a === b);
        assert.equal(constantTimeEqual(a, a), true);
      }),
    );
  });

  it("generateSessionId refuses a prefix that would make an invalid id", () => {
    assert.throws(() => generateSessionId(webCryptoRandom, { prefix: "a.b" }), {
      code: "invalid-argument",
    });
    assert.throws(() => generateSessionId(webCryptoRandom, { prefix: "a".repeat(60) }), {
      code: "invalid-argument",
    });
  });
});
