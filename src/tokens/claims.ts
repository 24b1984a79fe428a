/**
 * The shapes of access tokens: their claims and the options shared by signing and verifying.
 * Types only, so the signing module and the private verification core both depend on it.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { RandomSource } from "../core/random.ts";
import type { JsonObject, JsonValue, TokenIdentity } from "../model/store.ts";

/** The verified claims of an access token, deep-frozen. */
export interface AccessTokenClaims {
  /** The user. */
  readonly sub: string;
  /** The session this token is a view of. */
  readonly sid: string;
  /** The token's unique id (for revocation). */
  readonly jti: string;
  /** Issued at, in whole seconds since the epoch. */
  readonly iat: number;
  /** Expires at, in whole seconds since the epoch (exclusive). */
  readonly exp: number;
  /** The issuer, when configured. */
  readonly iss?: string;
  /** The audience, when configured. */
  readonly aud?: string | string[];
  /** Application claims. */
  readonly [claim: string]: JsonValue | undefined;
}

/**
 * The verified claims of a `SessionManager<Data, Claims>`'s tokens: the registered claims and the
 * application's `Claims`, each optional (tokens from `loginWithTokens` and `refresh` carry none;
 * `issueAccessToken` adds them). With the default `Claims` (any JSON object), the plain
 * {@linkcode AccessTokenClaims}. Typed, not re-checked at verification: only the manager's keys
 * sign its tokens, and `issueAccessToken` takes `Claims`.
 */
export type AccessTokenClaimsOf<Claims extends JsonObject> = JsonObject extends Claims
  ? AccessTokenClaims
  : AccessTokenClaims & { readonly [K in keyof Claims]?: Claims[K] };

/** What to put into a new access token: the user, the session, and application claims. */
export interface AccessTokenClaimsInput {
  /** The user (1–256 characters). */
  readonly sub: string;
  /** The session id. */
  readonly sid: string;
  /** Application claims: JSON values under names that are not in {@linkcode RESERVED_CLAIMS}. */
  readonly [claim: string]: JsonValue;
}

/** Options shared by {@linkcode signAccessToken} and {@linkcode verifyAccessToken}. */
export interface AccessTokenCommonOptions {
  /** Where "now" comes from. @default systemClock */
  readonly clock?: Clock;
  /** The `iss` claim written when signing and required when verifying. @default none */
  readonly issuer?: string;
  /**
   * The `aud` claim written when signing; when verifying, the token's `aud` must contain one of
   * these. @default none
   */
  readonly audience?: string | readonly string[];
}

/** Options of {@linkcode signAccessToken}. */
export interface SignAccessTokenOptions extends AccessTokenCommonOptions {
  /**
   * Lifetime in milliseconds: whole seconds, from 1 s to 24 h. `exp = floor(now / 1000) +
   * ttlMs / 1000`, so a token lives at most `ttlMs`. @default 900_000 (15 minutes)
   */
  readonly ttlMs?: number;
  /** Where the 128-bit `jti` comes from. @default webCryptoRandom */
  readonly random?: RandomSource;
}

/** Options of {@linkcode verifyAccessToken}. */
export interface VerifyAccessTokenOptions extends AccessTokenCommonOptions {
  /**
   * How far (ms, whole seconds, at most 5 minutes) clocks may disagree: a token is accepted this
   * long after `exp`, and with an `iat`/`nbf` this far in the future. @default 0
   */
  readonly clockToleranceMs?: number;
  /**
   * The revocation hook, typically `(identity) => store.isTokenRevoked(identity)`. Called only for
   * tokens that are otherwise valid; `true` fails with `token-revoked`. Its errors propagate
   * unchanged (fail closed). @default none (stateless)
   */
  readonly isRevoked?: (identity: TokenIdentity) => Promise<boolean>;
}

/** A freshly signed access token. */
export interface SignedAccessToken {
  /** The compact JWS, for an `Authorization: Bearer` header. */
  readonly token: string;
  /** Its claims, deep-frozen. */
  readonly claims: AccessTokenClaims;
  /** When it expires, in epoch milliseconds (`exp * 1000`), e.g. for a store revocation. */
  readonly expiresAt: number;
  /** The id of the key that signed it. */
  readonly kid: string;
}
