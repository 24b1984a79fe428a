/**
 * sessionkit keeps users logged in across HTTP requests: server-side sessions with a sliding idle
 * TTL capped by an absolute lifetime, credentials rotated against fixation and theft, a per-user
 * limit of concurrent sessions, and revocation — every store verified against a reference model.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@sessionkit/sessionkit";
 * const store = new MemoryStore();
 * const login = await store.create({ userId: "ada", idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000 });
 * if (login.status !== "created") throw new Error("Login failed");
 * const request = await store.validate(login.credential);
 * if (request.status !== "valid" || request.session.userId !== "ada") throw new Error("Not ada");
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "./src/core/clock.ts";
export { type RandomSource, seededRandom, webCryptoRandom } from "./src/core/random.ts";
export {
  type ArgumentError,
  type ArgumentErrorCode,
  SessionError,
  type SessionErrorCode,
} from "./src/core/errors.ts";
export type {
  DeviceInfo,
  JsonObject,
  JsonValue,
  LimitPolicy,
  Session,
  SessionKind,
  SessionStore,
} from "./src/model/store.ts";
export { MemoryStore, type MemoryStoreOptions } from "./src/stores/memory_store.ts";
export {
  type AccessTokenClaims,
  type AccessTokenClaimsInput,
  type AccessTokenCommonOptions,
  DEFAULT_ACCESS_TOKEN_TTL_MS,
  MAX_ACCESS_TOKEN_BYTES,
  MAX_ACCESS_TOKEN_TTL_MS,
  MAX_APPLICATION_CLAIMS_BYTES,
  RESERVED_CLAIMS,
  signAccessToken,
  type SignAccessTokenOptions,
  type SignedAccessToken,
  verifyAccessToken,
  type VerifyAccessTokenOptions,
} from "./src/tokens/access_token.ts";
export {
  type AccessTokenAlgorithm,
  AccessTokenKey,
  type AccessTokenKeyInput,
  type GenerateAccessTokenKeyOptions,
  type HmacKeyInput,
  type KeyMaterial,
  type KeyPairInput,
  MIN_HMAC_SECRET_BYTES,
  type PublicJwk,
} from "./src/tokens/keys.ts";
export { AccessTokenKeySet, type AccessTokenKeySetOptions } from "./src/tokens/key_set.ts";
export {
  AccessTokenCache,
  type AccessTokenCacheOptions,
  DEFAULT_TOKEN_CACHE_ENTRIES,
} from "./src/tokens/cache.ts";
export { SessionManager } from "./src/manager/manager.ts";
export type {
  LoginOptions,
  LoginResult,
  RefreshResult,
  RegenerateResult,
  RequestFacts,
  SessionInfo,
  TokenLoginResult,
  ValidatedSession,
} from "./src/manager/types.ts";
export {
  type AccessTokenPolicy,
  type AccessTokenRevocation,
  type BindingPolicy,
  type CookieSessionPolicy,
  DAY_MS,
  DEFAULT_REFRESH_GRACE_MS,
  HOUR_MS,
  type LimitPolicyOptions,
  type RefreshTokenPolicy,
  type SessionDataPolicy,
  type SessionManagerOptions,
} from "./src/manager/options.ts";
export type { DataSchema, DataSchemaIssue, DataSchemaResult } from "./src/manager/data_schema.ts";
export type { AccessTokenClaimsOf } from "./src/tokens/claims.ts";
export {
  type SessionEvent,
  type SessionEventListener,
  type SessionEventType,
  sessionRef,
} from "./src/manager/events.ts";
