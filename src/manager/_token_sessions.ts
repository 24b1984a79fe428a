// Token sessions: login with access + refresh tokens, refresh-token rotation, and the access
// tokens themselves (issue, verify under the revocation mode, revoke). Never re-exported;
// SessionManager documents each act.

import { SessionError, typeError } from "../core/errors.ts";
import type { JsonObject, Session } from "../model/store.ts";
import { signAccessToken, verifyAccessToken } from "../tokens/access_token.ts";
import type {
  AccessTokenClaims,
  SignedAccessToken,
  VerifyAccessTokenOptions,
} from "../tokens/claims.ts";
import { invalid, type ManagerContext } from "./_context.ts";
import { logIn } from "./_login.ts";
import { DEFAULT_REFRESH_GRACE_MS } from "./options.ts";
import type { LoginOptions, RefreshResult, RequestFacts, TokenLoginResult } from "./types.ts";

/** The token acts of a SessionManager. */
export class TokenSessions {
  readonly #ctx: ManagerContext;
  readonly #logout: (credential: string) => Promise<boolean>;

  constructor(ctx: ManagerContext, logout: (credential: string) => Promise<boolean>) {
    this.#ctx = ctx;
    this.#logout = logout;
  }

  async loginWithTokens(
    userId: string,
    options: Omit<LoginOptions, "credential">,
  ): Promise<TokenLoginResult> {
    this.#ctx.requireTokenPolicy();
    const login = await logIn(this.#ctx, userId, options, this.#ctx.refresh, this.#logout);
    const accessToken = await this.issueAccessToken(login.session, {});
    return {
      session: login.session,
      refreshToken: login.credential,
      accessToken,
      evicted: login.evicted,
    };
  }

  async refresh(refreshToken: string, request: RequestFacts): Promise<RefreshResult> {
    const ctx = this.#ctx;
    ctx.requireTokenPolicy();
    const bind = ctx.bindFacts(request);
    // Kind and binding are checked by the store before it rotates: a refused refresh (a cookie
    // or anonymous credential, a wrong user agent or IP) changes nothing.
    const result = await ctx.store.rotate(refreshToken, {
      graceMs: ctx.options.refresh?.graceMs ?? DEFAULT_REFRESH_GRACE_MS,
      kind: "refresh",
      ...(bind === undefined ? {} : { bind }),
    });
    if (result.status === "invalid") throw invalid();
    if (result.status === "reused") throw ctx.reportReuse(result);
    if (result.status === "binding-mismatch") throw await ctx.applyBindingPolicy(result);
    if (result.status === "rotated") ctx.events.emit("rotated", result.session);
    const accessToken = await this.issueAccessToken(result.session, {});
    const next = result.status === "rotated" ? result.credential : null;
    return { session: await ctx.data.session(result.session), refreshToken: next, accessToken };
  }

  async issueAccessToken(
    session: Pick<Session, "id" | "userId">,
    claims: JsonObject,
  ): Promise<SignedAccessToken> {
    const ctx = this.#ctx;
    const policy = ctx.requireTokenPolicy();
    if (session.userId === null) {
      throw typeError("invalid-argument", "Anonymous sessions get no access token");
    }
    return await signAccessToken(policy.keys, {
      ...claims,
      sub: session.userId,
      sid: session.id,
    }, {
      clock: ctx.clock,
      random: ctx.random,
      ...(policy.ttlMs === undefined ? {} : { ttlMs: policy.ttlMs }),
      ...(policy.issuer === undefined ? {} : { issuer: policy.issuer }),
      ...(policy.audience === undefined ? {} : { audience: policy.audience }),
    });
  }

  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const ctx = this.#ctx;
    const policy = ctx.requireTokenPolicy();
    const mode = policy.revocation ?? "stateless";
    const store = ctx.store;
    const options: VerifyAccessTokenOptions = {
      clock: ctx.clock,
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
        ? await verifyAccessToken(token, policy.keys, options)
        : await policy.cache.verify(token, policy.keys, options);
    } catch (error) {
      if (error instanceof SessionError && error.code === "token-expired") {
        ctx.events.emit("expired", { id: null, userId: null }, "access-token");
      }
      throw error;
    }
  }

  async revokeAccessToken(claims: Pick<AccessTokenClaims, "jti" | "sid" | "exp">): Promise<void> {
    await this.#ctx.store.revokeToken({
      jti: claims.jti,
      sessionId: claims.sid,
      expiresAt: claims.exp * 1000,
    });
    this.#ctx.options.accessTokens?.cache?.revokeToken(claims.jti);
  }
}
