/**
 * `SessionManager`: the whole seed in one object — login (cookie sessions, or access + refresh
 * tokens), validation with a sliding idle TTL, regeneration, rotating refresh tokens with reuse
 * detection, device limits, binding, listing and revocation — over any {@linkcode SessionStore}.
 *
 * @module
 */

import { type Clock, systemClock } from "../core/clock.ts";
import { rangeError, SessionError, typeError } from "../core/errors.ts";
import { signAccessToken, verifyAccessToken } from "../tokens/access_token.ts";
import type {
  AccessTokenClaims,
  SignedAccessToken,
  VerifyAccessTokenOptions,
} from "../tokens/access_token.ts";
import { DAY_MS, HOUR_MS, type SessionManagerOptions } from "./options.ts";
import { type RandomSource, webCryptoRandom } from "../core/random.ts";
import { type SessionEvent, type SessionEventType, sessionRef } from "./events.ts";
import type {
  CreateOptions,
  DeviceInfo,
  JsonObject,
  ReusedResult,
  Session,
  SessionStore,
  ValidateResult,
} from "../model/store.ts";
import type {
  LoginOptions,
  LoginResult,
  RefreshResult,
  RegenerateResult,
  RequestFacts,
  SessionInfo,
  TokenLoginResult,
  ValidatedSession,
} from "./types.ts";

const invalid = () => new SessionError("session-invalid", "Session is invalid or has expired");

/**
 * Keeps users logged in: cookie sessions and access + refresh tokens over one store.
 *
 * @example
 * ```ts
 * import { ManualClock, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * const clock = new ManualClock(0);
 * const manager = new SessionManager({ store: new MemoryStore({ clock }), clock });
 * const { credential } = await manager.login("ada", { device: { userAgent: "Firefox" } });
 * const { session } = await manager.validate(credential);
 * if (session.userId !== "ada") throw new Error("Not ada");
 * clock.advance(3_600_000); // one idle hour later
 * await manager.validate(credential).then(() => { throw new Error("Still valid"); }, () => {});
 * ```
 */
export class SessionManager {
  readonly #store: SessionStore;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #o: SessionManagerOptions;
  readonly #logKey: Uint8Array;
  readonly #cookie: Omit<CreateOptions, "userId">;
  readonly #refresh: Omit<CreateOptions, "userId">;

  /**
   * Creates a manager.
   *
   * @param options Store, clock, random source and policies; see {@linkcode SessionManagerOptions}.
   * @throws {TypeError} `invalid-argument` without a store, or with a log key under 16 bytes.
   * @throws {RangeError} `invalid-argument` for impossible lifetimes or limits.
   */
  constructor(options: SessionManagerOptions) {
    if (typeof options?.store?.validate !== "function") {
      throw typeError("invalid-argument", "SessionManager needs a store");
    }
    this.#o = options;
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? webCryptoRandom;
    if (
      options.logKey !== undefined &&
      !(options.logKey instanceof Uint8Array && options.logKey.length >= 16)
    ) {
      throw typeError("invalid-argument", "logKey must be at least 16 bytes");
    }
    this.#logKey = options.logKey ?? this.#random.fill(new Uint8Array(32));
    const limit = options.limit?.maxSessions ?? 3;
    const onLimit = options.limit?.onLimit ?? "evict-oldest";
    const lifetimes = (idleTtlMs: number, absoluteTtlMs: number) => {
      for (const ms of [idleTtlMs, absoluteTtlMs]) {
        if (!Number.isSafeInteger(ms) || ms < 1) {
          throw rangeError("invalid-argument", "Lifetimes must be positive safe integers of ms");
        }
      }
      if (absoluteTtlMs < idleTtlMs) {
        throw rangeError("invalid-argument", "absoluteTtlMs must be at least idleTtlMs");
      }
      return { idleTtlMs, absoluteTtlMs, limit, onLimit };
    };
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw rangeError("invalid-argument", "limit.maxSessions must be an integer >= 1");
    }
    this.#cookie = lifetimes(
      options.session?.idleTtlMs ?? HOUR_MS,
      options.session?.absoluteTtlMs ?? 30 * DAY_MS,
    );
    this.#refresh = lifetimes(
      options.refresh?.idleTtlMs ?? 30 * DAY_MS,
      options.refresh?.absoluteTtlMs ?? 30 * DAY_MS,
    );
  }

  /**
   * Starts an anonymous session (e.g. a cart before login).
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * const { session } = await manager.createAnonymous({ data: { cart: [42] } });
   * if (session.userId !== null) throw new Error("Not anonymous");
   * ```
   *
   * @param options Data and device metadata.
   * @returns The session and its credential.
   */
  async createAnonymous(options: Omit<LoginOptions, "credential"> = {}): Promise<LoginResult> {
    const created = await this.#store.create({
      ...this.#cookie,
      userId: null,
      ...this.#extras(options),
    });
    if (created.status !== "created") throw invalid();
    this.#emit("created", created.session);
    return { session: created.session, credential: created.credential, evicted: [] };
  }

  /**
   * Logs a user in with a cookie session: attaches the user to the client's anonymous session
   * (rotating its credential) or creates one; applies the device limit.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore(), limit: { maxSessions: 1 } });
   * const first = await manager.login("ada");
   * const second = await manager.login("ada");
   * if (second.evicted[0]?.id !== first.session.id) throw new Error("Oldest not evicted");
   * ```
   *
   * @param userId The user who proved who they are.
   * @param options Data, device metadata and the client's current credential.
   * @returns The session, its credential and the evicted sessions.
   * @throws {SessionError} `session-limit` at the limit with policy `reject`.
   */
  async login(userId: string, options: LoginOptions = {}): Promise<LoginResult> {
    return await this.#login(userId, options, this.#cookie);
  }

  /**
   * Logs a user in with access + refresh tokens.
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const manager = new SessionManager({ store: new MemoryStore(), accessTokens: { keys } });
   * const { accessToken } = await manager.loginWithTokens("ada");
   * if ((await manager.verifyAccessToken(accessToken.token)).sub !== "ada") throw new Error("Not ada");
   * ```
   *
   * @param userId The user who proved who they are.
   * @param options Data and device metadata.
   * @returns The session, both tokens and the evicted sessions.
   * @throws {SessionError} `session-limit` at the limit with policy `reject`.
   * @throws {TypeError} `invalid-argument` when no access-token keys are configured.
   */
  async loginWithTokens(
    userId: string,
    options: Omit<LoginOptions, "credential"> = {},
  ): Promise<TokenLoginResult> {
    this.#tokens();
    const login = await this.#login(userId, options, this.#refresh);
    const accessToken = await this.issueAccessToken(login.session);
    return {
      session: login.session,
      refreshToken: login.credential,
      accessToken,
      evicted: login.evicted,
    };
  }

  /**
   * Validates a credential from a request: slides the idle expiry (never past the absolute
   * lifetime) and checks the binding.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore(), binding: { userAgent: true } });
   * const { credential } = await manager.login("ada", { device: { userAgent: "Firefox" } });
   * await manager.validate(credential, { userAgent: "Firefox" });
   * await manager.validate(credential, { userAgent: "curl" }).then(
   *   () => { throw new Error("Binding ignored"); },
   *   (error) => { if (error.code !== "session-binding") throw error; },
   * );
   * ```
   *
   * @param credential The cookie value or bearer credential.
   * @param request The request's user agent and IP, for binding.
   * @returns The session.
   * @throws {SessionError} `session-invalid`, `session-reused` (the session was revoked),
   * `session-binding`, or the store's `store-unavailable`.
   */
  async validate(credential: string, request: RequestFacts = {}): Promise<ValidatedSession> {
    const result = await this.#store.validate(credential, this.#slide());
    const session = this.#valid(result);
    await this.#checkBinding(session, request);
    if (session.lastActiveAt === this.#clock.now() && session.lastActiveAt !== session.createdAt) {
      this.#emit("validated-slid", session);
    }
    return { session, grace: result.status === "valid" && result.grace };
  }

  /**
   * Regenerates the session on a privilege change (sudo, password confirmation): a new
   * credential, the old one dead after a short grace window.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore(), session: { regenerateGraceMs: 0 } });
   * const { credential } = await manager.login("ada");
   * const fresh = await manager.regenerate(credential);
   * if (fresh.credential === null || fresh.credential === credential) throw new Error("Not rotated");
   * ```
   *
   * @param credential The current credential.
   * @param options `graceMs` overrides the policy's `regenerateGraceMs`.
   * @returns The session and the new credential (`null` if a racing request already rotated it).
   * @throws {SessionError} `session-invalid` or `session-reused`.
   */
  async regenerate(
    credential: string,
    options: { graceMs?: number } = {},
  ): Promise<RegenerateResult> {
    const graceMs = options.graceMs ?? this.#o.session?.regenerateGraceMs ?? 5_000;
    const result = await this.#store.rotate(credential, { graceMs });
    if (result.status === "invalid") throw invalid();
    if (result.status === "reused") throw this.#reused(result);
    if (result.status === "grace") return { session: result.session, credential: null };
    this.#emit("rotated", result.session);
    return { session: result.session, credential: result.credential };
  }

  /**
   * Exchanges a refresh token for a rotated one and a new access token. Presenting a refresh
   * token that was already rotated away revokes the whole session (the token family).
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const manager = new SessionManager({ store: new MemoryStore(), accessTokens: { keys } });
   * const login = await manager.loginWithTokens("ada");
   * const next = await manager.refresh(login.refreshToken);
   * await manager.refresh(login.refreshToken).then(
   *   () => { throw new Error("Reuse accepted"); },
   *   (error) => { if (error.code !== "session-reused") throw error; },
   * );
   * await manager.refresh(next.refreshToken!).then(() => { throw new Error("Family alive"); }, () => {});
   * ```
   *
   * @param refreshToken The refresh token.
   * @param request The request's user agent and IP, for binding.
   * @returns The session, the new refresh token and a new access token.
   * @throws {SessionError} `session-invalid`, `session-reused` (distinct: the session is now
   * revoked), `session-binding`.
   */
  async refresh(refreshToken: string, request: RequestFacts = {}): Promise<RefreshResult> {
    this.#tokens();
    const result = await this.#store.rotate(refreshToken, {
      graceMs: this.#o.refresh?.graceMs ?? 0,
    });
    if (result.status === "invalid") throw invalid();
    if (result.status === "reused") throw this.#reused(result);
    await this.#checkBinding(result.session, request);
    if (result.status === "rotated") this.#emit("rotated", result.session);
    const accessToken = await this.issueAccessToken(result.session);
    const next = result.status === "rotated" ? result.credential : null;
    return { session: result.session, refreshToken: next, accessToken };
  }

  /**
   * Ends the session of a credential (logout). Access tokens die with it in `session` and
   * `lists` modes; in `stateless` mode they live until they expire.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * const { credential } = await manager.login("ada");
   * if (!(await manager.logout(credential))) throw new Error("Nothing ended");
   * ```
   *
   * @param credential The cookie value or refresh token.
   * @returns Whether a live session was ended.
   */
  async logout(credential: string): Promise<boolean> {
    const result = await this.#store.validate(credential, { slideThreshold: Number.MIN_VALUE });
    if (result.status === "reused") {
      this.#emit("reuse-detected", { id: result.sessionId, userId: result.userId });
      return false;
    }
    if (result.status !== "valid") return false;
    return await this.#end(result.session.id, result.session.userId, "logout");
  }

  /**
   * Replaces a session's data with compare-and-set on its version.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * const { session } = await manager.login("ada");
   * const updated = await manager.updateData(session, { theme: "dark" });
   * await manager.updateData(session, { theme: "light" }).then(
   *   () => { throw new Error("Lost update"); },
   *   (error) => { if (error.code !== "session-conflict") throw error; },
   * );
   * if (updated.version !== 2) throw new Error("Version not bumped");
   * ```
   *
   * @param session The session as validated (its `version` is the expected one).
   * @param data The new data.
   * @returns The updated session.
   * @throws {SessionError} `session-conflict` when another update won, `session-invalid`.
   */
  async updateData(session: Pick<Session, "id" | "version">, data: JsonObject): Promise<Session> {
    const result = await this.#store.update(session.id, data, { expectedVersion: session.version });
    if (result.status === "invalid") throw invalid();
    if (result.status === "conflict") {
      throw new SessionError("session-conflict", "Session data changed concurrently");
    }
    return result.session;
  }

  /**
   * Lists a user's live sessions for a "your devices" page.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * const phone = await manager.login("ada", { device: { label: "Phone" } });
   * await manager.login("ada", { device: { label: "Laptop" } });
   * const rows = await manager.listSessions("ada", { currentSessionId: phone.session.id });
   * if (rows.length !== 2 || !rows[0]!.current) throw new Error("Wrong list");
   * ```
   *
   * @param userId The user.
   * @param options `currentSessionId` marks the asking session.
   * @returns The sessions, oldest login first.
   */
  async listSessions(
    userId: string,
    options: { currentSessionId?: string } = {},
  ): Promise<SessionInfo[]> {
    const sessions = await this.#store.list(userId);
    return sessions.map((s) => ({
      id: s.id,
      device: s.device,
      createdAt: s.createdAt,
      lastActiveAt: s.lastActiveAt,
      idleExpiresAt: s.idleExpiresAt,
      absoluteExpiresAt: s.absoluteExpiresAt,
      current: s.id === options.currentSessionId,
    }));
  }

  /**
   * Revokes one of a user's sessions (the "revoke" button of the devices page).
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * const { session } = await manager.login("ada");
   * if (await manager.revokeSession("bob", session.id)) throw new Error("Revoked another user's");
   * if (!(await manager.revokeSession("ada", session.id))) throw new Error("Not revoked");
   * ```
   *
   * @param userId The owner; a session of another user is left alone.
   * @param sessionId The session to end.
   * @returns Whether it was ended.
   */
  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    const session = await this.#store.get(sessionId);
    if (session === null || session.userId !== userId) return false;
    return await this.#end(sessionId, userId, "admin");
  }

  /**
   * Revokes all of a user's sessions, optionally all but the current one ("sign out everywhere
   * else").
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * const here = await manager.login("ada");
   * await manager.login("ada");
   * const ended = await manager.revokeAllSessions("ada", { exceptSessionId: here.session.id });
   * if (ended !== 1) throw new Error("Expected one");
   * ```
   *
   * @param userId The user.
   * @param options `exceptSessionId` keeps that session.
   * @returns How many sessions were ended.
   */
  async revokeAllSessions(
    userId: string,
    options: { exceptSessionId?: string } = {},
  ): Promise<number> {
    const ended = await this.#store.destroyAll(
      userId,
      options.exceptSessionId === undefined ? {} : { exceptSessionId: options.exceptSessionId },
    );
    const reason = options.exceptSessionId === undefined ? "admin" : "sign-out-others";
    for (const s of ended) {
      await this.#revokeTokensOf(s.id);
      this.#emit("revoked", s, reason);
    }
    return ended.length;
  }

  /**
   * Signs an access token for a live session.
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const manager = new SessionManager({ store: new MemoryStore(), accessTokens: { keys } });
   * const { session } = await manager.login("ada");
   * if ((await manager.issueAccessToken(session)).claims.sid !== session.id) throw new Error("Wrong sid");
   * ```
   *
   * @param session A session with a user.
   * @param claims Application claims (never registered ones).
   * @returns The signed token.
   * @throws {TypeError} `invalid-argument` for an anonymous session or without keys.
   */
  async issueAccessToken(
    session: Pick<Session, "id" | "userId">,
    claims: JsonObject = {},
  ): Promise<SignedAccessToken> {
    const policy = this.#tokens();
    if (session.userId === null) {
      throw typeError("invalid-argument", "Anonymous sessions get no access token");
    }
    return await signAccessToken(keysOf(policy), {
      ...claims,
      sub: session.userId,
      sid: session.id,
    }, {
      clock: this.#clock,
      random: this.#random,
      ...(policy.ttlMs === undefined ? {} : { ttlMs: policy.ttlMs }),
      ...(policy.issuer === undefined ? {} : { issuer: policy.issuer }),
      ...(policy.audience === undefined ? {} : { audience: policy.audience }),
    });
  }

  /**
   * Verifies an access token according to the configured revocation mode (and cache).
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const manager = new SessionManager({ store: new MemoryStore(), accessTokens: { keys, revocation: "session" } });
   * const login = await manager.loginWithTokens("ada");
   * await manager.logout(login.refreshToken);
   * await manager.verifyAccessToken(login.accessToken.token).then(
   *   () => { throw new Error("Token outlived logout"); },
   *   (error) => { if (error.code !== "token-revoked") throw error; },
   * );
   * ```
   *
   * @param token The bearer token.
   * @returns The verified claims.
   * @throws {SessionError} `token-invalid`, `token-expired`, `token-revoked`.
   */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const policy = this.#tokens();
    const mode = policy.revocation ?? "stateless";
    const store = this.#store;
    const options: VerifyAccessTokenOptions = {
      clock: this.#clock,
      ...(policy.issuer === undefined ? {} : { issuer: policy.issuer }),
      ...(policy.audience === undefined ? {} : { audience: policy.audience }),
      ...(policy.clockToleranceMs === undefined
        ? {}
        : { clockToleranceMs: policy.clockToleranceMs }),
      ...(mode === "stateless" ? {} : {
        isRevoked: mode === "lists"
          ? (identity) => store.isTokenRevoked(identity)
          : async (identity) => (await store.get(identity.sessionId))?.userId !== identity.userId,
      }),
    };
    try {
      return policy.cache === undefined
        ? await verifyAccessToken(token, keysOf(policy), options)
        : await policy.cache.verify(token, keysOf(policy), options);
    } catch (error) {
      if (error instanceof SessionError && error.code === "token-expired") {
        this.#emitRef("expired", null, null, "access-token");
      }
      throw error;
    }
  }

  /**
   * Revokes one access token until it expires (store list + cache).
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const manager = new SessionManager({ store: new MemoryStore(), accessTokens: { keys, revocation: "lists" } });
   * const { accessToken } = await manager.loginWithTokens("ada");
   * await manager.revokeAccessToken(accessToken.claims);
   * await manager.verifyAccessToken(accessToken.token).then(() => { throw new Error("Alive"); }, () => {});
   * ```
   *
   * @param claims The verified claims of the token.
   * @returns Nothing.
   */
  async revokeAccessToken(claims: Pick<AccessTokenClaims, "jti" | "sid" | "exp">): Promise<void> {
    await this.#store.revokeToken({
      jti: claims.jti,
      sessionId: claims.sid,
      expiresAt: claims.exp * 1000,
    });
    this.#o.accessTokens?.cache?.revokeToken(claims.jti);
  }

  async #login(
    userId: string,
    options: LoginOptions,
    lifetimes: Omit<CreateOptions, "userId">,
  ): Promise<LoginResult> {
    const extras = this.#extras(options);
    const previous = options.credential;
    if (typeof previous === "string") {
      const attached = await this.#store.attach(previous, { ...lifetimes, ...extras, userId });
      if (attached.status === "attached") {
        this.#emitRef("rotated", sessionRef(this.#logKey, attached.replacedSessionId), null);
        return this.#logged(attached.session, attached.credential, attached.evicted);
      }
      if (attached.status === "limit-reached") throw this.#limit();
      // A replayed credential revoked its family (reported through events); the user has just
      // proved who they are, so the login goes on with a fresh session.
      if (attached.status === "reused") this.#reused(attached);
      if (attached.status === "not-anonymous") await this.logout(previous);
    }
    const created = await this.#store.create({
      ...lifetimes,
      userId,
      ...extras,
      data: extras.data ?? {},
    });
    if (created.status === "limit-reached") throw this.#limit();
    return this.#logged(created.session, created.credential, created.evicted);
  }

  async #logged(
    session: Session,
    credential: string,
    evicted: readonly Session[],
  ): Promise<LoginResult> {
    this.#emit("created", session);
    for (const s of evicted) {
      await this.#revokeTokensOf(s.id);
      this.#emit("evicted", s);
    }
    return { session, credential, evicted };
  }

  #extras(options: Omit<LoginOptions, "credential">): { data?: JsonObject; device?: DeviceInfo } {
    return {
      ...(options.data === undefined ? {} : { data: options.data }),
      ...(options.device === undefined ? {} : { device: options.device }),
    };
  }

  #slide(): { slideThreshold?: number } {
    const t = this.#o.session?.slideThreshold;
    return t === undefined ? {} : { slideThreshold: t };
  }

  #valid(result: ValidateResult): Session {
    if (result.status === "valid") return result.session;
    if (result.status === "reused") throw this.#reused(result);
    throw invalid();
  }

  async #checkBinding(session: Session, request: RequestFacts): Promise<void> {
    const binding = this.#o.binding;
    if (binding === undefined) return;
    const ua = binding.userAgent === true && session.device.userAgent !== undefined &&
      request.userAgent !== session.device.userAgent;
    const ip = binding.ip === true && session.device.ip !== undefined &&
      request.ip !== session.device.ip;
    if (!ua && !ip) return;
    this.#emit("binding-mismatch", session);
    if (binding.action === "revoke") await this.#end(session.id, session.userId, "binding");
    throw new SessionError("session-binding", "Request does not match the session's binding");
  }

  async #end(sessionId: string, userId: string | null, reason: string): Promise<boolean> {
    const ended = await this.#store.destroy(sessionId);
    await this.#revokeTokensOf(sessionId);
    if (ended !== null) {
      this.#emitRef("revoked", sessionRef(this.#logKey, sessionId), userId, reason);
    }
    return ended !== null;
  }

  /** In `lists` mode (and for the cache), kills a dead session's access tokens right away. */
  async #revokeTokensOf(sessionId: string): Promise<void> {
    const policy = this.#o.accessTokens;
    if (policy === undefined) return;
    const now = this.#clock.now();
    const cutoff = {
      sessionId,
      issuedBefore: now + 1,
      until: now + (policy.ttlMs ?? 900_000) + (policy.clockToleranceMs ?? 0) + 1_000,
    };
    if (policy.revocation === "lists") await this.#store.revokeTokens(cutoff);
    policy.cache?.revokeTokens(cutoff);
  }

  #reused(result: ReusedResult): SessionError {
    this.#emit("reuse-detected", { id: result.sessionId, userId: result.userId });
    this.#emitRef("revoked", sessionRef(this.#logKey, result.sessionId), result.userId, "reuse");
    void this.#revokeTokensOf(result.sessionId).catch(() => {});
    return new SessionError(
      "session-reused",
      "A rotated-away credential was presented again; the session was revoked",
    );
  }

  #limit(): SessionError {
    return new SessionError("session-limit", "The user is at the concurrent-session limit");
  }

  #tokens(): NonNullable<SessionManagerOptions["accessTokens"]> {
    const policy = this.#o.accessTokens;
    if (policy === undefined) {
      throw typeError(
        "invalid-argument",
        "Access tokens need accessTokens.keys in the manager options",
      );
    }
    return policy;
  }

  #emit(type: SessionEventType, session: Pick<Session, "id" | "userId">, reason?: string): void {
    this.#emitRef(type, sessionRef(this.#logKey, session.id), session.userId, reason);
  }

  #emitRef(
    type: SessionEventType,
    ref: string | null,
    userId: string | null,
    reason?: string,
  ): void {
    const listener = this.#o.onEvent;
    if (listener === undefined) return;
    const event: SessionEvent = {
      type,
      sessionRef: ref ?? "",
      userId,
      at: this.#clock.now(),
      ...(reason === undefined ? {} : { reason }),
    };
    try {
      listener(event);
    } catch {
      // A listener must not break the request.
    }
  }
}

const keysOf = (policy: NonNullable<SessionManagerOptions["accessTokens"]>) => policy.keys;
