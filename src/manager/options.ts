/**
 * Configuration of a {@linkcode SessionManager}, with every default in one place.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { AccessTokenKeySet } from "../tokens/key_set.ts";
import type { RandomSource } from "../core/random.ts";
import type { SessionEventListener } from "./events.ts";
import type { JsonObject, LimitPolicy, SessionStore } from "../model/store.ts";
import type { DataSchema } from "./data_schema.ts";
import type { AccessTokenCache } from "../tokens/cache.ts";

/**
 * The manager's default `session.slideThreshold`: slide when less than half the idle TTL remains,
 * so at most one write per half idle period (as Lucia and better-auth throttle theirs).
 */
export const DEFAULT_SLIDE_THRESHOLD = 0.5;

/** One hour. */
export const HOUR_MS = 3_600_000;
/** One day. */
export const DAY_MS = 86_400_000;

/** Lifetimes of cookie sessions. */
export interface CookieSessionPolicy {
  /** Sliding idle time-to-live. @default 3_600_000 (1 hour, as in the seed) */
  readonly idleTtlMs?: number;
  /** Absolute lifetime, whatever the activity. @default 2_592_000_000 (30 days) */
  readonly absoluteTtlMs?: number;
  /**
   * Slide only when less than this fraction θ of the idle TTL T remains, in (0, 1]. A validation
   * that does not slide writes nothing (on Redis: one `GET`). The idle timeout this guarantees: a
   * session ends between θ·T and T after its last request (it never ends sooner than θ·T of
   * inactivity and never lives longer than T of it); with the default 0.5 and a 1-hour T, between
   * 30 and 60 minutes. `1` slides on every request (ends exactly T after the last one) at the cost
   * of a write per request.
   * @default 0.5
   */
  readonly slideThreshold?: number;
  /** How long the credential replaced by `regenerate` still validates (racing requests). @default 5_000 */
  readonly graceMs?: number;
}

/**
 * Default refresh grace: 30 seconds, for the immediate predecessor only (as Okta's default rotation
 * grace period).
 */
export const DEFAULT_REFRESH_GRACE_MS = 30_000;

/** Lifetimes of refresh tokens (sessions used through access + refresh tokens). */
export interface RefreshTokenPolicy {
  /** Idle time-to-live: unused this long, the refresh token dies. @default 2_592_000_000 (30 days) */
  readonly idleTtlMs?: number;
  /** Absolute lifetime. @default 2_592_000_000 (30 days) */
  readonly absoluteTtlMs?: number;
  /**
   * How long after a rotation the immediate predecessor still refreshes (never an older token).
   * Inside the window it gets a new access token but no new refresh token, so a client whose
   * parallel requests (two tabs, a retry after a lost response) present the same token stays
   * signed in instead of tripping reuse detection, which would revoke the whole family.
   *
   * The trade-off: a copy of the token used inside the window is not detected as reuse and gets
   * access tokens until the window ends (each lives `accessTokens.ttlMs`); the first use after the
   * window revokes the family as before. `0` detects every second use at once, at the price of
   * logging out clients that race themselves. Binding and kind checks apply inside the window.
   * @default 30_000 (30 seconds, {@linkcode DEFAULT_REFRESH_GRACE_MS})
   */
  readonly graceMs?: number;
}

/** The concurrent-session limit. */
export interface LimitPolicyOptions {
  /** Most live sessions per user. @default 3 */
  readonly maxSessions?: number;
  /** At the limit: evict the oldest session, or refuse the login. @default "evict-oldest" */
  readonly onLimit?: LimitPolicy;
}

/**
 * Binding of a session to the client's user agent and/or IP recorded at login. IP binding breaks
 * mobile users, whose address changes between networks: enable it only where clients have stable
 * addresses.
 */
export interface BindingPolicy {
  /** Require the same `User-Agent` as at login. @default false */
  readonly userAgent?: boolean;
  /** Require the same IP as at login. @default false */
  readonly ip?: boolean;
  /** On mismatch: refuse the request, or also revoke the session. @default "reject" */
  readonly action?: "reject" | "revoke";
}

/**
 * How access tokens are revoked:
 * - `stateless`: signature and expiry only, no I/O (the seed's default); logout takes effect when
 *   the token expires.
 * - `session`: also checks that the session is alive (one store lookup per verification).
 * - `lists`: also checks the store's revocation lists (one store lookup); logout and revocation
 *   write them.
 */
export type AccessTokenRevocation = "stateless" | "session" | "lists";

/** Access tokens (JWT) issued next to refresh tokens. */
export interface AccessTokenPolicy {
  /** The signing and verification keys. */
  readonly keys: AccessTokenKeySet;
  /** Lifetime, whole seconds in ms. @default 900_000 (15 minutes) */
  readonly ttlMs?: number;
  /** `iss` written and required. @default none */
  readonly issuer?: string;
  /** `aud` written and required. @default none */
  readonly audience?: string | readonly string[];
  /** Accepted clock disagreement, whole seconds in ms. @default 0 */
  readonly clockToleranceMs?: number;
  /** Revocation mode. @default "stateless" */
  readonly revocation?: AccessTokenRevocation;
  /** A verified-token cache. @default none */
  readonly cache?: AccessTokenCache;
}

/** Session data: its run-time check. */
export interface SessionDataPolicy<Data extends JsonObject = JsonObject> {
  /**
   * A Standard Schema v1 validator (zod, valibot, arktype, …) whose output types the data
   * (`SessionManager<Data>` is inferred from it). Data passed to `login`, `createAnonymous`,
   * `loginWithTokens` and `updateData` must pass it (else a `TypeError` `invalid-argument`,
   * before the store is touched) and is stored as the schema's output; data read back from the
   * store that fails it is `store-corrupt` and never returned. Async validators are awaited.
   * @default none (data is any JSON object, typed by `Data` only)
   */
  readonly schema?: DataSchema<Data>;
}

/** Options of the {@linkcode SessionManager} constructor. */
export interface SessionManagerOptions<Data extends JsonObject = JsonObject> {
  /** Where sessions live. */
  readonly store: SessionStore;
  /** Time source; give the store the same one. @default systemClock */
  readonly clock?: Clock;
  /** Randomness (token ids, the log key). @default webCryptoRandom */
  readonly random?: RandomSource;
  /** Cookie-session lifetimes. */
  readonly session?: CookieSessionPolicy;
  /** Refresh-token lifetimes. */
  readonly refresh?: RefreshTokenPolicy;
  /** Concurrent-session limit. */
  readonly limit?: LimitPolicyOptions;
  /** User-agent / IP binding. @default none */
  readonly binding?: BindingPolicy;
  /** Access tokens; required by `loginWithTokens`, `refresh` and `verifyAccessToken`. */
  readonly accessTokens?: AccessTokenPolicy;
  /** Lifecycle events. */
  readonly onEvent?: SessionEventListener;
  /** Session data validation. @default none */
  readonly data?: SessionDataPolicy<Data>;
  /** Key of the keyed hash in events (≥ 16 bytes). @default 32 random bytes per manager */
  readonly logKey?: Uint8Array;
}
