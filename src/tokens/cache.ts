/**
 * A bounded cache of verified access tokens, so that a token seen again skips the signature check.
 *
 * - Keyed by the whole token string; least recently used entries go first (LRU) past
 *   `maxEntries` (default 10 000).
 * - Only a successful verification is stored; a failure stores nothing.
 * - Every hit re-checks expiry against the injected clock, checks that the key that verified the
 *   token is still in the key set under its `kid` and that `iss`/`aud`/tolerance are the same, then
 *   runs the revocation hook if one is given (so revocations recorded in a shared store apply to
 *   cached tokens too).
 * - In-process revocations empty it: {@linkcode AccessTokenCache.revokeToken},
 *   {@linkcode AccessTokenCache.revokeTokens} (a session's or user's tokens issued before an
 *   instant), `delete`, `clear`. Each bumps a generation counter so that a verification that was
 *   in flight during a revocation is not stored afterwards.
 *
 * The cache forgets; it does not remember revocations. Record them in the store and pass
 * `isRevoked`, or a forgotten token simply verifies again from scratch.
 *
 * @module
 */

import { checkSafeInteger } from "../core/_integers.ts";
import {
  checkRevoked,
  contextOf,
  expired,
  isExpired,
  resolveVerifyOptions,
  verifyCore,
} from "./_verify.ts";
import { typeError } from "../core/errors.ts";
import type { AccessTokenClaims, VerifyAccessTokenOptions } from "./access_token.ts";
import type { AccessTokenKey } from "./keys.ts";
import type { AccessTokenKeySet } from "./key_set.ts";
import type { TokenCutoff } from "../model/store.ts";

/** Default bound of {@linkcode AccessTokenCache}: 10 000 entries. */
export const DEFAULT_TOKEN_CACHE_ENTRIES = 10_000;

/** Options of the {@linkcode AccessTokenCache} constructor. */
export interface AccessTokenCacheOptions {
  /**
   * Most entries kept, a positive safe integer. Each entry holds its token (at most 8 KiB) and
   * claims; typical tokens are well under 1 KiB. @default 10_000
   */
  readonly maxEntries?: number;
}

interface Entry {
  readonly claims: AccessTokenClaims;
  readonly key: AccessTokenKey;
  readonly context: string;
}

/**
 * A bounded LRU cache of verified access tokens. Use {@linkcode AccessTokenCache.verify} in place
 * of `verifyAccessToken`; the result and errors are the same.
 *
 * @example
 * ```ts
 * import {
 *   AccessTokenCache,
 *   AccessTokenKey,
 *   AccessTokenKeySet,
 *   signAccessToken,
 * } from "@sessionkit/sessionkit";
 * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
 * const cache = new AccessTokenCache({ maxEntries: 1000 });
 * const { token } = await signAccessToken(keys, { sub: "ada", sid: "s1" });
 * await cache.verify(token, keys); // verified and stored
 * const claims = await cache.verify(token, keys); // from the cache, expiry re-checked
 * if (claims.sub !== "ada" || cache.size !== 1) throw new Error("Not cached");
 * ```
 */
export class AccessTokenCache {
  /** The bound on the number of entries. */
  readonly maxEntries: number;
  readonly #entries = new Map<string, Entry>();
  #generation = 0;

  /**
   * Creates an empty cache.
   *
   * @param options The bound on entries.
   * @throws {RangeError} `invalid-argument` when `maxEntries` is not a positive safe integer.
   */
  constructor(options: AccessTokenCacheOptions = {}) {
    const max = options.maxEntries ?? DEFAULT_TOKEN_CACHE_ENTRIES;
    checkSafeInteger(max, "maxEntries", 1);
    this.maxEntries = max;
  }

  /** How many tokens are cached. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Verifies a token like `verifyAccessToken`, answering from the cache when it can. A hit
   * re-checks expiry with `options.clock`, re-checks the key and claim options, and runs
   * `options.isRevoked`.
   *
   * @example
   * ```ts
   * import { AccessTokenCache, AccessTokenKey, AccessTokenKeySet, signAccessToken } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const cache = new AccessTokenCache();
   * const { token } = await signAccessToken(keys, { sub: "ada", sid: "s1" });
   * if ((await cache.verify(token, keys)).sid !== "s1") throw new Error("Wrong session");
   * ```
   *
   * @param token The compact JWS.
   * @param keys The key set whose keys are accepted.
   * @param options As for `verifyAccessToken`.
   * @returns The verified claims, deep-frozen (the same object on every hit).
   * @throws {SessionError} `token-invalid`, `token-expired` or `token-revoked`, as
   * `verifyAccessToken`.
   * @throws {TypeError} `invalid-argument` when `token` is not a string or options are bad.
   */
  async verify(
    token: string,
    keys: AccessTokenKeySet,
    options: VerifyAccessTokenOptions = {},
  ): Promise<AccessTokenClaims> {
    if (typeof token !== "string") throw typeError("invalid-argument", "token must be a string");
    const resolved = resolveVerifyOptions(options);
    const context = contextOf(resolved);
    const entry = this.#entries.get(token);
    if (
      entry !== undefined && entry.context === context &&
      keys.get(entry.key.kid) === entry.key
    ) {
      if (isExpired(entry.claims.exp, resolved.clock.now(), resolved.toleranceMs)) {
        this.#entries.delete(token);
        throw expired();
      }
      // Least recently used goes first: move the hit to the end.
      this.#entries.delete(token);
      this.#entries.set(token, entry);
      try {
        await checkRevoked(entry.claims, resolved);
      } catch (error) {
        this.#entries.delete(token);
        throw error;
      }
      return entry.claims;
    }
    // A key that left the set (or was replaced under its kid) makes its entries worthless.
    if (entry !== undefined && keys.get(entry.key.kid) !== entry.key) this.#entries.delete(token);
    const generation = this.#generation;
    const verified = await verifyCore(token, keys, resolved);
    await checkRevoked(verified.claims, resolved);
    if (generation === this.#generation) {
      this.#entries.delete(token);
      this.#entries.set(token, { ...verified, context });
      if (this.#entries.size > this.maxEntries) {
        const oldest = this.#entries.keys().next();
        if (oldest.done !== true) this.#entries.delete(oldest.value);
      }
    }
    return verified.claims;
  }

  /**
   * Forgets one token.
   *
   * @example
   * ```ts
   * import { AccessTokenCache } from "@sessionkit/sessionkit";
   * if (new AccessTokenCache().delete("not cached")) throw new Error("Nothing was cached");
   * ```
   *
   * @param token The compact JWS.
   * @returns Whether it was cached.
   */
  delete(token: string): boolean {
    this.#generation++;
    return this.#entries.delete(token);
  }

  /**
   * Forgets every token.
   *
   * @example
   * ```ts
   * import { AccessTokenCache } from "@sessionkit/sessionkit";
   * const cache = new AccessTokenCache();
   * cache.clear();
   * if (cache.size !== 0) throw new Error("Not empty");
   * ```
   */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /**
   * Forgets the cached token with this `jti`: call it next to `store.revokeToken`.
   *
   * @example
   * ```ts
   * import { AccessTokenCache } from "@sessionkit/sessionkit";
   * if (new AccessTokenCache().revokeToken("some-jti") !== 0) throw new Error("Nothing was cached");
   * ```
   *
   * @param jti The token's `jti`.
   * @returns How many entries were removed.
   */
  revokeToken(jti: string): number {
    return this.#removeWhere((claims) => claims.jti === jti);
  }

  /**
   * Forgets every cached token of a session or of a user issued strictly before
   * `cutoff.issuedBefore` (epoch ms, compared with `iat * 1000`): the same cutoff as
   * `store.revokeTokens`, so the two calls go together.
   *
   * @example
   * ```ts
   * import { AccessTokenCache } from "@sessionkit/sessionkit";
   * const cache = new AccessTokenCache();
   * const removed = cache.revokeTokens({ userId: "ada", issuedBefore: 1_700_000_000_000, until: 1_700_000_900_000 });
   * if (removed !== 0) throw new Error("Nothing was cached");
   * ```
   *
   * @param cutoff `sessionId` or `userId`, and `issuedBefore` (`until` is not used here).
   * @returns How many entries were removed.
   * @throws {TypeError} `invalid-argument` when the cutoff names neither a session nor a user, or
   * `issuedBefore` is not a number.
   */
  revokeTokens(cutoff: TokenCutoff): number {
    if (typeof cutoff !== "object" || cutoff === null || typeof cutoff.issuedBefore !== "number") {
      throw typeError("invalid-argument", "cutoff must have a numeric issuedBefore");
    }
    const before = cutoff.issuedBefore;
    if (typeof cutoff.sessionId === "string") {
      const sid = cutoff.sessionId;
      return this.#removeWhere((c) => c.sid === sid && c.iat * 1000 < before);
    }
    if (typeof cutoff.userId === "string") {
      const sub = cutoff.userId;
      return this.#removeWhere((c) => c.sub === sub && c.iat * 1000 < before);
    }
    throw typeError("invalid-argument", "cutoff must name a sessionId or a userId");
  }

  #removeWhere(matches: (claims: AccessTokenClaims) => boolean): number {
    this.#generation++;
    let removed = 0;
    for (const [token, entry] of this.#entries) {
      if (matches(entry.claims)) {
        this.#entries.delete(token);
        removed++;
      }
    }
    return removed;
  }
}
