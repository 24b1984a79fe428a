// Cookie sessions: anonymous sessions, login, validation with a sliding idle expiry, regeneration,
// logout and data updates. Never re-exported; SessionManager documents each act.

import { SessionError } from "../core/errors.ts";
import type { JsonObject, Session } from "../model/store.ts";
import { invalid, type ManagerContext } from "./_context.ts";
import { extrasOf, initialData, logIn } from "./_login.ts";
import { reauthenticationRequired, requireRecentProof } from "./_step_up.ts";
import { DEFAULT_SLIDE_THRESHOLD } from "./options.ts";
import type {
  LoginOptions,
  LoginResult,
  RegenerateResult,
  RequestFacts,
  ValidatedSession,
} from "./types.ts";

/** The cookie-session acts of a SessionManager. */
export class CookieSessions {
  readonly #ctx: ManagerContext;

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx;
  }

  async createAnonymous(options: Omit<LoginOptions, "credential">): Promise<LoginResult> {
    const ctx = this.#ctx;
    const extras = await extrasOf(ctx, options);
    const data = await initialData(ctx, extras);
    const created = await ctx.store.create({ ...ctx.cookie, userId: null, ...extras, data });
    if (created.status !== "created") throw invalid();
    ctx.events.emit("created", created.session);
    const session = await ctx.data.session(created.session);
    return { session, credential: created.credential, evicted: [] };
  }

  async login(userId: string, options: LoginOptions): Promise<LoginResult> {
    return await logIn(this.#ctx, userId, options, this.#ctx.cookie, (c) => this.logout(c));
  }

  async validate(credential: string, request: RequestFacts): Promise<ValidatedSession> {
    const ctx = this.#ctx;
    const threshold = ctx.options.session?.slideThreshold;
    const bind = ctx.bindFacts(request);
    // One store call decides everything: kind, reuse, binding (before any slide), then the slide.
    const result = await ctx.store.validate(credential, {
      kind: "cookie",
      slideThreshold: threshold ?? DEFAULT_SLIDE_THRESHOLD,
      ...(bind === undefined ? {} : { bind }),
    });
    if (result.status === "reused") throw ctx.reportReuse(result);
    if (result.status === "binding-mismatch") throw await ctx.applyBindingPolicy(result);
    if (result.status !== "valid") throw invalid();
    const session = result.session;
    if (
      ctx.events.active && session.lastActiveAt === ctx.clock.now() &&
      session.lastActiveAt !== session.createdAt
    ) {
      ctx.events.emit("validated-slid", session);
    }
    return { session: await ctx.data.session(session), grace: result.grace };
  }

  /**
   * Rotates a cookie session's credential; with `reauthenticate`, also records a fresh proof of
   * identity (step-up), which a racing request's earlier rotation makes impossible: then the
   * answer is `reauthentication-required` instead of a `null` credential.
   */
  async regenerate(
    credential: string,
    graceMs: number | undefined,
    reauthenticate = false,
  ): Promise<RegenerateResult> {
    const ctx = this.#ctx;
    const result = await ctx.store.rotate(credential, {
      graceMs: graceMs ?? ctx.options.session?.graceMs ?? 5_000,
      kind: "cookie",
      ...(reauthenticate ? { reauthenticate } : {}),
    });
    if (result.status === "invalid") throw invalid();
    if (result.status === "reused") throw ctx.reportReuse(result);
    if (result.status === "binding-mismatch") throw await ctx.applyBindingPolicy(result);
    if (result.status === "grace") {
      if (reauthenticate) throw reauthenticationRequired("A newer credential exists: use it");
      return { session: await ctx.data.session(result.session), credential: null };
    }
    ctx.events.emit("rotated", result.session);
    return { session: await ctx.data.session(result.session), credential: result.credential };
  }

  /** See SessionManager.requireRecentAuthentication. */
  requireRecentAuthentication(session: Pick<Session, "authenticatedAt">, maxAgeMs: number): void {
    requireRecentProof(this.#ctx, session, maxAgeMs);
  }

  async logout(credential: string): Promise<boolean> {
    const ctx = this.#ctx;
    const result = await ctx.store.validate(credential, { slideThreshold: Number.MIN_VALUE });
    if (result.status === "reused") {
      ctx.events.emit("reuse-detected", { id: result.sessionId, userId: result.userId });
      return false;
    }
    if (result.status !== "valid") return false;
    return await ctx.end(result.session.id, result.session.userId, "logout");
  }

  async updateData(session: Pick<Session, "id" | "version">, data: JsonObject): Promise<Session> {
    const checked = await this.#ctx.data.input(data);
    const result = await this.#ctx.store.update(session.id, checked, {
      expectedVersion: session.version,
    });
    if (result.status === "invalid") throw invalid();
    if (result.status === "conflict") {
      throw new SessionError("session-conflict", "Session data changed concurrently");
    }
    return await this.#ctx.data.session(result.session);
  }
}
