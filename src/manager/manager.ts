// Over 400 lines: a facade whose every public method carries its full JSDoc and running example.
/**
 * `SessionManager`: the whole seed in one object (cookie sessions, access + refresh tokens, device
 * limits, binding, revocation) over any `SessionStore`; its parts by concern share `_context.ts`.
 *
 * @module
 */

import type { JsonObject, Session } from "../model/store.ts";
import type { AccessTokenClaims, AccessTokenClaimsOf } from "../tokens/claims.ts";
import type { SignedAccessToken } from "../tokens/access_token.ts";
import { ManagerContext } from "./_context.ts";
import { CookieSessions } from "./_cookie_sessions.ts";
import { Devices } from "./_devices.ts";
import { TokenSessions } from "./_token_sessions.ts";
import type { SessionManagerOptions } from "./options.ts";
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
export class SessionManager<
  Data extends JsonObject = JsonObject,
  Claims extends JsonObject = JsonObject,
> {
  readonly #cookies: CookieSessions;
  readonly #tokens: TokenSessions;
  readonly #devices: Devices;

  /**
   * Creates a manager.
   *
   * @param options Store, clock, random source and policies; see {@linkcode SessionManagerOptions}.
   * @throws {TypeError} `invalid-argument` without a store, with a log key under 16 bytes, or with
   * an option name it does not know (a typo or a renamed option is refused, not ignored).
   * @throws {RangeError} `invalid-argument` for impossible lifetimes or limits.
   */
  constructor(options: SessionManagerOptions<Data>) {
    const ctx = new ManagerContext(options);
    this.#cookies = new CookieSessions(ctx);
    this.#tokens = new TokenSessions(ctx, (credential) => this.#cookies.logout(credential));
    this.#devices = new Devices(ctx);
  }

  /**
   * Starts an anonymous session (e.g. a cart before login).
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const { session } = await new SessionManager({ store: new MemoryStore() })
   *   .createAnonymous({ data: { cart: [42] } });
   * if (session.userId !== null) throw new Error("Not anonymous");
   * ```
   *
   * @param options Data and device metadata.
   * @returns The session and its credential.
   */
  async createAnonymous(
    options: Omit<LoginOptions<Data>, "credential"> = {},
  ): Promise<LoginResult<Data>> {
    return await this.#cookies.createAnonymous(options) as LoginResult<Data>;
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
  async login(userId: string, options: LoginOptions<Data> = {}): Promise<LoginResult<Data>> {
    return await this.#cookies.login(userId, options) as LoginResult<Data>;
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
    options: Omit<LoginOptions<Data>, "credential"> = {},
  ): Promise<TokenLoginResult<Data>> {
    return await this.#tokens.loginWithTokens(userId, options) as TokenLoginResult<Data>;
  }

  /**
   * Validates a cookie-session credential from a request: checks the binding, then slides the
   * idle expiry (never past the absolute lifetime), in one store call. A refused request (a
   * binding mismatch, a refresh token, an unknown credential) changes nothing: no slide, no write.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore(), binding: { userAgent: true } });
   * const { credential } = await manager.login("ada", { device: { userAgent: "Firefox" } });
   * await manager.validate(credential, { userAgent: "Firefox" });
   * const refused = await manager.validate(credential, { userAgent: "curl" }).catch((e) => e.code);
   * if (refused !== "session-binding") throw new Error("Binding ignored");
   * ```
   *
   * @param credential The cookie value or bearer credential.
   * @param request The request's user agent and IP, for binding.
   * @returns The session.
   * @throws {SessionError} `session-invalid` (also for a refresh token), `session-reused`,
   * `session-binding`, or the store's `store-unavailable`.
   */
  async validate(credential: string, request: RequestFacts = {}): Promise<ValidatedSession<Data>> {
    return await this.#cookies.validate(credential, request) as ValidatedSession<Data>;
  }

  /**
   * Regenerates the session on a privilege change (sudo, password confirmation): a new
   * credential, the old one dead after a short grace window.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore(), session: { graceMs: 0 } });
   * const { credential } = await manager.login("ada");
   * const fresh = await manager.regenerate(credential);
   * if (fresh.credential === null || fresh.credential === credential) throw new Error("Not rotated");
   * ```
   *
   * @param credential The current cookie-session credential.
   * @param options `graceMs` overrides the policy's `session.graceMs`.
   * @returns The session and the new credential (`null` if a racing request already rotated it).
   * @throws {SessionError} `session-invalid` (also for a refresh token, which is left as it was)
   * or `session-reused`.
   */
  async regenerate(
    credential: string,
    options: { graceMs?: number } = {},
  ): Promise<RegenerateResult<Data>> {
    return await this.#cookies.regenerate(credential, options.graceMs) as RegenerateResult<Data>;
  }

  /**
   * Records that the user just proved who they are again (the app checked a password or a
   * passkey): rotates the cookie session's credential and sets `authenticatedAt` to now.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * const login = await manager.login("ada");
   * const { session, credential } = await manager.reauthenticate(login.credential);
   * if (session.authenticatedAt === null || credential === login.credential) throw new Error("No");
   * ```
   *
   * @param credential The current cookie-session credential of a logged-in user.
   * @param options `graceMs` overrides the policy's `session.graceMs`.
   * @returns The session and its new credential (set it as the cookie).
   * @throws {SessionError} `session-invalid`, `session-reused`, `session-binding`, or
   * `reauthentication-required` (a credential a racing request already rotated). An anonymous
   * session is rotated but keeps `authenticatedAt` `null` (nobody to re-authenticate).
   */
  async reauthenticate(
    credential: string,
    options: { graceMs?: number } = {},
  ): Promise<RegenerateResult<Data>> {
    const result = await this.#cookies.regenerate(credential, options.graceMs, true);
    return result as RegenerateResult<Data>;
  }

  /**
   * Guards a sensitive action (change the password, see the devices page): throws unless the
   * session's user proved who they are within `maxAgeMs` (login or {@linkcode reauthenticate}).
   *
   * @example
   * ```ts
   * import { ManualClock, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const clock = new ManualClock(0);
   * const manager = new SessionManager({ store: new MemoryStore({ clock }), clock });
   * const { session } = await manager.login("ada");
   * manager.requireRecentAuthentication(session, 300_000); // just logged in: fine
   * clock.advance(300_000);
   * let refused = "";
   * try { manager.requireRecentAuthentication(session, 300_000); } catch (e) { refused = String((e as { code: string }).code); }
   * if (refused !== "reauthentication-required") throw new Error("Stale proof accepted");
   * ```
   *
   * @param session The validated session.
   * @param maxAgeMs How old the proof may be (ms, a positive safe integer).
   * @throws {SessionError} `reauthentication-required`; {RangeError} `invalid-argument`.
   */
  requireRecentAuthentication(session: Pick<Session, "authenticatedAt">, maxAgeMs: number): void {
    this.#cookies.requireRecentAuthentication(session, maxAgeMs);
  }

  /**
   * Exchanges a refresh token for a rotated one and a new access token. A rotated-away token
   * revokes the whole family, except the predecessor inside `refresh.graceMs` (30 s), which gets
   * an access token but no new refresh token. A refused refresh (wrong kind or binding) changes
   * nothing.
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet, ManualClock, MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const clock = new ManualClock(0);
   * const manager = new SessionManager({ store: new MemoryStore({ clock }), clock, accessTokens: { keys } });
   * const login = await manager.loginWithTokens("ada");
   * const next = await manager.refresh(login.refreshToken);
   * // A racing request with the same token, inside the grace window: still signed in.
   * if ((await manager.refresh(login.refreshToken)).refreshToken !== null) throw new Error("Rotated twice");
   * clock.advance(30_000);
   * await manager.refresh(login.refreshToken).then(() => { throw new Error("Reuse accepted"); }, () => {});
   * await manager.refresh(next.refreshToken!).then(() => { throw new Error("Family alive"); }, () => {});
   * ```
   *
   * @param refreshToken The refresh token.
   * @param request The request's user agent and IP, for binding.
   * @returns The session, the new refresh token and a new access token.
   * @throws {SessionError} `session-invalid` (also for a cookie or anonymous credential),
   * `session-reused` (the family is now revoked), `session-binding`.
   */
  async refresh(refreshToken: string, request: RequestFacts = {}): Promise<RefreshResult<Data>> {
    return await this.#tokens.refresh(refreshToken, request) as RefreshResult<Data>;
  }

  /**
   * Ends the session of a credential (logout). Access tokens die with it in `session` and
   * `lists` modes; in `stateless` mode they live until they expire.
   *
   * @example
   * ```ts
   * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
   * const manager = new SessionManager({ store: new MemoryStore() });
   * if (!(await manager.logout((await manager.login("ada")).credential))) throw new Error("Kept");
   * ```
   *
   * @param credential The cookie value or refresh token.
   * @returns Whether a live session was ended.
   */
  async logout(credential: string): Promise<boolean> {
    return await this.#cookies.logout(credential);
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
  async updateData(session: Pick<Session, "id" | "version">, data: Data): Promise<Session<Data>> {
    return await this.#cookies.updateData(session, data) as Session<Data>;
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
    return await this.#devices.listSessions(userId, options.currentSessionId);
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
   * @param sessionId The session to end, e.g. from a URL: anything that cannot be a session id
   * names no session (`false`, never an argument error).
   * @returns Whether it was ended.
   */
  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    return await this.#devices.revokeSession(userId, sessionId);
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
   * @param options `exceptSessionId` keeps that session (the current one: not user input).
   * @returns How many sessions were ended.
   * @throws {TypeError} `invalid-argument` for an empty `userId` or a malformed
   * `exceptSessionId`; nothing is revoked.
   */
  async revokeAllSessions(
    userId: string,
    options: { exceptSessionId?: string } = {},
  ): Promise<number> {
    return await this.#devices.revokeAllSessions(userId, options.exceptSessionId);
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
   * @param claims Application claims of type `Claims` (never registered ones).
   * @returns The signed token.
   * @throws {TypeError} `invalid-argument` for an anonymous session or without keys.
   */
  async issueAccessToken(
    session: Pick<Session, "id" | "userId">,
    claims?: Claims,
  ): Promise<SignedAccessToken> {
    return await this.#tokens.issueAccessToken(session, claims ?? {});
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
   * @returns The verified claims; the application's `Claims` typed, each optional.
   * @throws {SessionError} `token-invalid`, `token-expired`, `token-revoked`.
   */
  async verifyAccessToken(token: string): Promise<AccessTokenClaimsOf<Claims>> {
    return await this.#tokens.verifyAccessToken(token) as AccessTokenClaimsOf<Claims>;
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
    await this.#tokens.revokeAccessToken(claims);
  }
}
