/**
 * Access tokens: short signed views of a session (`sub`, `sid`, `jti`, `iat`, `exp`), signed and
 * verified with jose, verified without I/O (unless a revocation hook is given).
 *
 * - Header `{ alg, kid, typ: "at+jwt" }` (RFC 9068); the key is chosen by `kid` from an
 *   {@linkcode AccessTokenKeySet} and verifies only under its one pinned algorithm.
 * - Time comes from the injected {@linkcode Clock}; `iat`/`exp` are whole seconds, and a token is
 *   expired from the instant `exp * 1000` (plus the tolerance) on.
 * - Application claims are allowed but never override registered ones: signing refuses them.
 *
 * @module
 */

import { SignJWT } from "jose";
import { checkData } from "../model/_arguments.ts";
import { encodeBase64url } from "../core/_base64url.ts";
import {
  ACCESS_TOKEN_TYP,
  checkCommon,
  checkRevoked,
  checkWholeSecondsMs,
  deepFreeze,
  MAX_TOKEN_LENGTH,
  type ResolvedVerifyOptions,
  resolveVerifyOptions,
  verifyCore,
} from "./_verify.ts";
import { rangeError, typeError } from "../core/errors.ts";
import type { AccessTokenKeySet } from "./key_set.ts";
import { webCryptoRandom } from "../core/random.ts";
import type { JsonValue } from "../model/store.ts";
import { isSessionId } from "../core/credential.ts";

/** Longest access token accepted by verification, in bytes: 8 KiB. Longer ones are refused unread. */
export const MAX_ACCESS_TOKEN_BYTES: number = MAX_TOKEN_LENGTH;

/** Default lifetime of an access token: 15 minutes. */
export const DEFAULT_ACCESS_TOKEN_TTL_MS = 900_000;

/** Longest accepted access-token lifetime: 24 hours. */
export const MAX_ACCESS_TOKEN_TTL_MS = 86_400_000;

/** Largest JSON size of a token's application claims: 4 KiB (so tokens stay well under 8 KiB). */
export const MAX_APPLICATION_CLAIMS_BYTES = 4096;

/**
 * Claim names an application may not set: the registered claims of RFC 7519 (`sub` and `sid` are
 * given explicitly) and `__proto__`.
 */
export const RESERVED_CLAIMS: readonly string[] = Object.freeze([
  "iss",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "__proto__",
]);

export type {
  AccessTokenClaims,
  AccessTokenClaimsInput,
  AccessTokenCommonOptions,
  SignAccessTokenOptions,
  SignedAccessToken,
  VerifyAccessTokenOptions,
} from "./claims.ts";
import type {
  AccessTokenClaims,
  AccessTokenClaimsInput,
  SignAccessTokenOptions,
  SignedAccessToken,
  VerifyAccessTokenOptions,
} from "./claims.ts";

const JTI_BYTES = 16;

/**
 * Signs an access token for a session with the key set's signing key.
 *
 * @example
 * ```ts
 * import { AccessTokenKey, AccessTokenKeySet, signAccessToken } from "@sessionkit/sessionkit";
 * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
 * const signed = await signAccessToken(keys, { sub: "ada", sid: "s1", role: "admin" });
 * if (signed.claims.exp - signed.claims.iat !== 900) throw new Error("Not 15 minutes");
 * ```
 *
 * @param keys The key set; its signing key signs.
 * @param claims `sub`, `sid` and application claims (names in {@linkcode RESERVED_CLAIMS} refused).
 * @param options Clock, random source, lifetime, issuer and audience.
 * @returns The token, its claims, its expiry in ms and the signing `kid`.
 * @throws {TypeError} `invalid-argument` for a bad `sub`/`sid`, a reserved or non-JSON application
 * claim, or bad options.
 * @throws {RangeError} `invalid-argument` for a bad `ttlMs`; `data-too-large` when application
 * claims exceed 4 KiB of JSON or the token would exceed 8 KiB.
 */
export async function signAccessToken(
  keys: AccessTokenKeySet,
  claims: AccessTokenClaimsInput,
  options: SignAccessTokenOptions = {},
): Promise<SignedAccessToken> {
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw typeError("invalid-argument", "claims must be an object");
  }
  const { sub, sid, ...application } = claims;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 256) {
    throw typeError("invalid-argument", "sub must be a string of 1 to 256 characters");
  }
  if (!isSessionId(sid)) {
    throw typeError("invalid-argument", "sid must be a session id (1-64 base64url characters)");
  }
  for (const name of Object.keys(application)) {
    if (RESERVED_CLAIMS.includes(name)) {
      throw typeError("invalid-argument", `The claim ${name} is reserved`);
    }
  }
  const applicationJson = checkData(application, MAX_APPLICATION_CLAIMS_BYTES);
  const { clock, issuer, audience } = checkCommon(options);
  const ttlMs = options.ttlMs === undefined
    ? DEFAULT_ACCESS_TOKEN_TTL_MS
    : checkWholeSecondsMs(options.ttlMs, "ttlMs", 1000, MAX_ACCESS_TOKEN_TTL_MS);
  const random = options.random ?? webCryptoRandom;
  const key = keys.signingKey;

  const iat = Math.floor(clock.now() / 1000);
  const exp = iat + ttlMs / 1000;
  const jti = encodeBase64url(random.fill(new Uint8Array(JTI_BYTES)));
  const payload: Record<string, JsonValue> = {
    ...(JSON.parse(applicationJson) as Record<string, JsonValue>),
    ...(issuer === undefined ? {} : { iss: issuer }),
    ...(audience === undefined
      ? {}
      : { aud: typeof audience === "string" ? audience : [...audience] }),
    sub,
    sid,
    jti,
    iat,
    exp,
  };
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: ACCESS_TOKEN_TYP })
    .sign(key.signingKey);
  if (token.length > MAX_TOKEN_LENGTH) {
    throw rangeError("data-too-large", `The token would exceed ${MAX_TOKEN_LENGTH} bytes`);
  }
  return Object.freeze({
    token,
    claims: deepFreeze(payload) as AccessTokenClaims,
    expiresAt: exp * 1000,
    kid: key.kid,
  });
}

// The checked defaults (system clock, no issuer, audience or hook), resolved once.
let defaultOptions: ResolvedVerifyOptions | undefined;

/**
 * Verifies an access token: size (at most 8 KiB, checked before parsing), the key named by `kid`
 * under its pinned algorithm, `typ: at+jwt`, `iss`/`aud` when configured, `sub`/`sid`/`jti`/`iat`/
 * `exp` present and well-typed, expiry and not-before against the injected clock, then the
 * revocation hook if any. `jku`, `x5u`, `jwk` and `x5c` headers are ignored, never fetched.
 *
 * @example
 * ```ts
 * import {
 *   AccessTokenKey,
 *   AccessTokenKeySet,
 *   ManualClock,
 *   SessionError,
 *   signAccessToken,
 *   verifyAccessToken,
 * } from "@sessionkit/sessionkit";
 * const clock = new ManualClock(1_700_000_000_000);
 * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
 * const { token } = await signAccessToken(keys, { sub: "ada", sid: "s1" }, { clock });
 * const claims = await verifyAccessToken(token, keys, { clock });
 * if (claims.sub !== "ada") throw new Error("Wrong user");
 * clock.advance(15 * 60_000);
 * try {
 *   await verifyAccessToken(token, keys, { clock });
 *   throw new Error("Accepted an expired token");
 * } catch (error) {
 *   if (!(error instanceof SessionError) || error.code !== "token-expired") throw error;
 * }
 * ```
 *
 * @param token The compact JWS, e.g. from an `Authorization: Bearer` header.
 * @param keys The key set whose keys are accepted.
 * @param options Clock, tolerance, issuer, audience and revocation hook.
 * @returns The verified claims, deep-frozen.
 * @throws {SessionError} `token-invalid` (malformed, oversized, unknown `kid`, bad signature or
 * algorithm, wrong `typ`/`iss`/`aud`, missing or malformed claims, not yet valid), `token-expired`,
 * or `token-revoked` (the hook said so); jose's error is the `cause`. The message never contains
 * the token.
 * @throws {TypeError} `invalid-argument` when `token` is not a string or options are bad.
 */
export async function verifyAccessToken(
  token: string,
  keys: AccessTokenKeySet,
  options?: VerifyAccessTokenOptions,
): Promise<AccessTokenClaims> {
  if (typeof token !== "string") throw typeError("invalid-argument", "token must be a string");
  const resolved = options === undefined
    ? (defaultOptions ??= resolveVerifyOptions({}))
    : resolveVerifyOptions(options);
  const { claims } = await verifyCore(token, keys, resolved);
  if (resolved.isRevoked !== undefined) await checkRevoked(claims, resolved);
  return claims;
}
