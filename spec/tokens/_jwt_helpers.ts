// Shared helpers of the access-token specs: key sets, a forger for hand-made tokens, and an
// assertion on SessionError codes.

import assert from "node:assert/strict";
import { base64url, CompactSign } from "jose";
import { SessionError, type SessionErrorCode } from "../../src/core/errors.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";

/** A whole-second instant to start manual clocks at (2023-11-14T22:13:20Z). */
export const T0 = 1_700_000_000_000;

export function clockAt(ms: number = T0): ManualClock {
  return new ManualClock(ms);
}

export async function hmacKey(kid: string, seed = 1): Promise<AccessTokenKey> {
  return await AccessTokenKey.generate(kid, { random: seededRandom(seed) });
}

export async function hmacKeys(
  kid = "k1",
): Promise<{ key: AccessTokenKey; keys: AccessTokenKeySet }> {
  const key = await hmacKey(kid);
  return { key, keys: new AccessTokenKeySet(key) };
}

/** Well-formed claims of a token issued at `nowMs` lasting 15 minutes. */
export function claimsAt(nowMs: number = T0): Record<string, unknown> {
  const iat = Math.floor(nowMs / 1000);
  return { sub: "ada", sid: "s1", jti: "j1", iat, exp: iat + 900 };
}

const encoder = new TextEncoder();

/**
 * Signs arbitrary header and payload bytes with a key's signing CryptoKey, bypassing every check
 * of signAccessToken: the attacker's (or a buggy issuer's) view.
 */
export async function forge(
  key: AccessTokenKey,
  payload: unknown,
  header: Record<string, unknown> = {},
): Promise<string> {
  const bytes = typeof payload === "string" ? encoder.encode(payload) : encoder.encode(
    JSON.stringify(payload),
  );
  return await new CompactSign(bytes)
    .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: "at+jwt", ...header })
    .sign(key.signingKey);
}

/** Builds `header.payload.signature` by hand, signature given as raw text. */
export function unsigned(header: unknown, payload: unknown, signature = ""): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.${signature}`;
}

/** Asserts that `promise` rejects with a SessionError of `code` whose message omits `token`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: SessionErrorCode,
  token?: string,
): Promise<SessionError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SessionError, `expected a SessionError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (token !== undefined && token.length > 0) {
    assert.ok(!caught.message.includes(token), "the message contains the token");
    for (const part of token.split(".")) {
      if (part.length > 8) {
        assert.ok(!caught.message.includes(part), "the message quotes the token");
      }
    }
  }
  return caught;
}
