// Private core of access-token verification, shared by verifyAccessToken (access_token.ts) and the
// verified-token cache (cache.ts). Never re-exported.

import { decodeProtectedHeader, jwtVerify } from "jose";
import { type Clock, systemClock } from "../core/clock.ts";
import { rangeError, SessionError, typeError } from "../core/errors.ts";
import type { AccessTokenKey } from "./keys.ts";
import type { AccessTokenKeySet } from "./key_set.ts";
import type { TokenIdentity } from "../model/store.ts";
import type {
  AccessTokenClaims,
  AccessTokenCommonOptions,
  VerifyAccessTokenOptions,
} from "./claims.ts";
import { isSessionId } from "../core/credential.ts";

/** Longest token accepted, in characters (tokens are ASCII, so bytes): 8 KiB. */
export const MAX_TOKEN_LENGTH = 8192;
/** The `typ` header of every access token (RFC 9068). */
export const ACCESS_TOKEN_TYP = "at+jwt";
/** Largest accepted clock tolerance: 5 minutes. */
export const MAX_TOLERANCE_MS = 300_000;
const MAX_ID_LENGTH = 256;
const REQUIRED = ["sub", "sid", "jti", "iat", "exp"];

/** Verification options after checking, with defaults applied. */
export interface ResolvedVerifyOptions {
  readonly clock: Clock;
  readonly issuer: string | undefined;
  readonly audience: string | readonly string[] | undefined;
  readonly toleranceMs: number;
  readonly isRevoked: ((identity: TokenIdentity) => Promise<boolean>) | undefined;
}

/** A verification's result with the key that verified it. */
export interface Verified {
  readonly claims: AccessTokenClaims;
  readonly key: AccessTokenKey;
}

export function invalid(message: string, cause?: unknown): SessionError {
  return new SessionError("token-invalid", message, cause === undefined ? undefined : { cause });
}

export function expired(cause?: unknown): SessionError {
  return new SessionError(
    "token-expired",
    "Access token has expired",
    cause === undefined ? undefined : { cause },
  );
}

function checkString(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw typeError(
      "invalid-argument",
      `${what} must be a string of 1 to ${MAX_ID_LENGTH} characters`,
    );
  }
  return value;
}

/** Checks the options common to signing and verifying. */
export function checkCommon(options: AccessTokenCommonOptions): {
  clock: Clock;
  issuer: string | undefined;
  audience: string | readonly string[] | undefined;
} {
  if (typeof options !== "object" || options === null) {
    throw typeError("invalid-argument", "Options must be an object");
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock !== "object" || clock === null || typeof clock.now !== "function") {
    throw typeError("invalid-argument", "clock must be a Clock");
  }
  const issuer = options.issuer === undefined ? undefined : checkString(options.issuer, "issuer");
  let audience: string | readonly string[] | undefined;
  if (options.audience === undefined) {
    audience = undefined;
  } else if (Array.isArray(options.audience)) {
    if (options.audience.length === 0) {
      throw typeError("invalid-argument", "audience must not be an empty array");
    }
    audience = Object.freeze(options.audience.map((a) => checkString(a, "audience")));
  } else {
    audience = checkString(options.audience, "audience");
  }
  return { clock, issuer, audience };
}

/** Checks a duration that must be whole seconds expressed in milliseconds. */
export function checkWholeSecondsMs(
  value: unknown,
  what: string,
  min: number,
  max: number,
): number {
  if (
    typeof value !== "number" || !Number.isSafeInteger(value) || value % 1000 !== 0 ||
    value < min || value > max
  ) {
    throw rangeError(
      "invalid-argument",
      `${what} must be whole seconds in milliseconds, from ${min} to ${max}`,
    );
  }
  return value;
}

export function resolveVerifyOptions(options: VerifyAccessTokenOptions): ResolvedVerifyOptions {
  const common = checkCommon(options);
  const toleranceMs = options.clockToleranceMs === undefined
    ? 0
    : checkWholeSecondsMs(options.clockToleranceMs, "clockToleranceMs", 0, MAX_TOLERANCE_MS);
  const isRevoked = options.isRevoked;
  if (isRevoked !== undefined && typeof isRevoked !== "function") {
    throw typeError("invalid-argument", "isRevoked must be a function");
  }
  return {
    ...common,
    toleranceMs,
    isRevoked,
  };
}

/** Identifies the claim checks (iss, aud, tolerance) a verification was made under. */
export function contextOf(options: ResolvedVerifyOptions): string {
  return JSON.stringify([options.issuer ?? null, options.audience ?? null, options.toleranceMs]);
}

/** Whether a token with this `exp` (seconds) is expired at `nowMs`, as jose decides it. */
export function isExpired(exp: number, nowMs: number, toleranceMs: number): boolean {
  return exp * 1000 + toleranceMs <= Math.floor(nowMs / 1000) * 1000;
}

/** The value (0–63) of a base64url character code, or -1. */
function sextet(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  return c === 45 ? 62 : c === 95 ? 63 : -1;
}

/**
 * Whether a segment of `length` characters ending in the character of value `last` is canonical
 * base64url (no padding): a length of 1 mod 4 encodes nothing whole, and the bits a last
 * character carries beyond the final byte must be zero. Without this, a token whose last
 * character differs in those bits (a different string) would verify like the genuine one.
 */
function canonicalEnd(length: number, last: number): boolean {
  const tail = length % 4;
  return tail === 0 || (tail === 2 ? (last & 15) === 0 : tail === 3 ? (last & 3) === 0 : false);
}

/**
 * Cheap structural check before any parsing: three non-empty, canonical base64url segments.
 */
function isCompactShape(token: string): boolean {
  let dots = 0;
  let segment = 0;
  let last = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 46) {
      if (segment === 0 || !canonicalEnd(segment, last)) return false;
      dots++;
      segment = 0;
      continue;
    }
    last = sextet(c);
    if (last < 0) return false;
    segment++;
  }
  return dots === 2 && segment > 0 && canonicalEnd(segment, last);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function isSafeTime(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Checks the shape of verified claims beyond what jose checks; returns them deep-frozen. */
function checkClaims(
  payload: Record<string, unknown>,
  nowMs: number,
  toleranceMs: number,
): AccessTokenClaims {
  const { sub, sid, jti, iat, exp, iss, aud } = payload;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > MAX_ID_LENGTH) {
    throw invalid("Access token has a malformed sub claim");
  }
  if (!isSessionId(sid)) throw invalid("Access token has a malformed sid claim");
  if (typeof jti !== "string" || jti.length === 0 || jti.length > MAX_ID_LENGTH) {
    throw invalid("Access token has a malformed jti claim");
  }
  if (!isSafeTime(iat) || !isSafeTime(exp) || exp <= iat) {
    throw invalid("Access token has malformed iat/exp claims");
  }
  if (iat * 1000 > Math.floor(nowMs / 1000) * 1000 + toleranceMs) {
    throw invalid("Access token is not yet valid");
  }
  if (iss !== undefined && typeof iss !== "string") {
    throw invalid("Access token has a malformed iss claim");
  }
  if (
    aud !== undefined && typeof aud !== "string" &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === "string"))
  ) {
    throw invalid("Access token has a malformed aud claim");
  }
  return deepFreeze(payload) as AccessTokenClaims;
}

/** The store's view of a token, for revocation checks. */
export function identityOf(claims: AccessTokenClaims): TokenIdentity {
  return {
    jti: claims.jti,
    sessionId: claims.sid,
    userId: claims.sub,
    issuedAt: claims.iat * 1000,
  };
}

/** Runs the revocation hook; a revoked token is a `token-revoked` error. Hook errors propagate. */
export async function checkRevoked(
  claims: AccessTokenClaims,
  options: ResolvedVerifyOptions,
): Promise<void> {
  if (options.isRevoked === undefined) return;
  if ((await options.isRevoked(identityOf(claims))) !== false) {
    throw new SessionError("token-revoked", "Access token has been revoked");
  }
}

// Every token of one key has the same header segment, so its decoded `kid` is memoised (bounded:
// emptied when full, so hostile headers only cost their own decoding). Saves a few µs per token.
const MAX_MEMOISED_HEADERS = 64;
const kidByHeader = new Map<string, unknown>();

function kidOf(token: string): unknown {
  const segment = token.slice(0, token.indexOf("."));
  if (kidByHeader.has(segment)) return kidByHeader.get(segment);
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch (cause) {
    throw invalid("Access token has a malformed header", cause);
  }
  if (kidByHeader.size >= MAX_MEMOISED_HEADERS) kidByHeader.clear();
  kidByHeader.set(segment, kid);
  return kid;
}

/**
 * Verifies signature and claims (not revocation). Every failure is a `SessionError` with code
 * `token-invalid` or `token-expired`; messages never contain the token.
 */
export async function verifyCore(
  token: string,
  keys: AccessTokenKeySet,
  options: ResolvedVerifyOptions,
): Promise<Verified> {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw invalid(`Access token is longer than ${MAX_TOKEN_LENGTH} bytes`);
  }
  if (!isCompactShape(token)) throw invalid("Access token is not a compact JWS");
  const kid = kidOf(token);
  const key = typeof kid === "string" ? keys.get(kid) : undefined;
  if (key === undefined) throw invalid("Access token names no known key");
  const nowMs = options.clock.now();
  let payload: Record<string, unknown>;
  try {
    const result = await jwtVerify(token, key.verificationKey, {
      algorithms: [key.algorithm],
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: REQUIRED,
      currentDate: new Date(nowMs),
      clockTolerance: options.toleranceMs / 1000,
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience as string[] }),
    });
    payload = result.payload;
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === "ERR_JWT_EXPIRED") throw expired(cause);
    // jose's codes are constant strings (never token content), useful in logs.
    const reason = typeof code === "string" && /^ERR_[A-Z_]{1,64}$/.test(code) ? ` (${code})` : "";
    throw invalid(`Access token failed verification${reason}`, cause);
  }
  return { claims: checkClaims(payload, nowMs, options.toleranceMs), key };
}
