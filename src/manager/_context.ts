// The state every part of SessionManager shares — store, clock, random source, resolved policies,
// the event emitter — and the acts more than one part performs: ending a session, revoking its
// access tokens, reporting reuse, checking the binding. Never re-exported.

import { checkSafeInteger } from "../core/_integers.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { rangeError, SessionError, typeError } from "../core/errors.ts";
import { type RandomSource, webCryptoRandom } from "../core/random.ts";
import type {
  BindFacts,
  BindingMismatchResult,
  CreateOptions,
  ReusedResult,
  SessionStore,
} from "../model/store.ts";
import { DataGuard } from "./_data_guard.ts";
import { Emitter } from "./_emitter.ts";
import { DAY_MS, HOUR_MS, type SessionManagerOptions } from "./options.ts";
import type { RequestFacts } from "./types.ts";

/** Lifetimes and limit of one kind of session, as the store's create options take them. */
export type Lifetimes = Omit<CreateOptions, "userId">;

/** The access-token policy, when configured. */
export type TokenPolicy = NonNullable<SessionManagerOptions["accessTokens"]>;

/** The error for every credential that does not name a live session. */
export const invalid = (): SessionError =>
  new SessionError("session-invalid", "Session is invalid or has expired");

// The option names SessionManager knows, per level: an unknown name (a typo, a renamed option) is
// refused instead of silently falling back to a default.
const KNOWN_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  "": [
    "store",
    "clock",
    "random",
    "session",
    "refresh",
    "limit",
    "binding",
    "accessTokens",
    "onEvent",
    "logKey",
    "data",
  ],
  session: ["idleTtlMs", "absoluteTtlMs", "slideThreshold", "graceMs"],
  refresh: ["idleTtlMs", "absoluteTtlMs", "graceMs"],
  limit: ["maxSessions", "onLimit"],
  binding: ["userAgent", "ip", "action"],
  data: ["schema"],
  accessTokens: [
    "keys",
    "ttlMs",
    "issuer",
    "audience",
    "clockToleranceMs",
    "revocation",
    "cache",
  ],
};

function checkOptionNames(options: SessionManagerOptions): void {
  for (const [level, known] of Object.entries(KNOWN_OPTIONS)) {
    const value: unknown = level === "" ? options : Reflect.get(options, level);
    if (value === undefined) continue;
    if (typeof value !== "object" || value === null) {
      throw typeError("invalid-argument", `SessionManager option ${level} must be an object`);
    }
    for (const name of Object.keys(value)) {
      if (!known.includes(name)) {
        const path = level === "" ? name : `${level}.${name}`;
        throw typeError("invalid-argument", `Unknown SessionManager option: ${path}`);
      }
    }
  }
}

/** Resolved options and shared acts of one SessionManager. */
export class ManagerContext {
  readonly store: SessionStore;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly options: SessionManagerOptions;
  readonly events: Emitter;
  /** The data schema's checks (no-ops without one). */
  readonly data: DataGuard;
  /** Cookie sessions: lifetimes and limit. */
  readonly cookie: Lifetimes;
  /** Refresh-token sessions: lifetimes and limit. */
  readonly refresh: Lifetimes;

  constructor(options: SessionManagerOptions) {
    if (typeof options?.store?.validate !== "function") {
      throw typeError("invalid-argument", "SessionManager needs a store");
    }
    checkOptionNames(options);
    this.options = options;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? webCryptoRandom;
    this.data = new DataGuard(options.data?.schema);
    if (
      options.logKey !== undefined &&
      !(options.logKey instanceof Uint8Array && options.logKey.length >= 16)
    ) {
      throw typeError("invalid-argument", "logKey must be at least 16 bytes");
    }
    this.events = new Emitter(
      options.onEvent,
      options.logKey ?? this.random.fill(new Uint8Array(32)),
      this.clock,
    );
    const limit = options.limit?.maxSessions ?? 3;
    const onLimit = options.limit?.onLimit ?? "evict-oldest";
    checkSafeInteger(limit, "limit.maxSessions", 1);
    const lifetimes = (idleTtlMs: number, absoluteTtlMs: number): Lifetimes => {
      checkSafeInteger(idleTtlMs, "idleTtlMs", 1);
      checkSafeInteger(absoluteTtlMs, "absoluteTtlMs", 1);
      if (absoluteTtlMs < idleTtlMs) {
        throw rangeError("invalid-argument", "absoluteTtlMs must be at least idleTtlMs");
      }
      return { idleTtlMs, absoluteTtlMs, limit, onLimit };
    };
    this.cookie = {
      ...lifetimes(
        options.session?.idleTtlMs ?? HOUR_MS,
        options.session?.absoluteTtlMs ?? 30 * DAY_MS,
      ),
      kind: "cookie",
    };
    this.refresh = {
      ...lifetimes(
        options.refresh?.idleTtlMs ?? 30 * DAY_MS,
        options.refresh?.absoluteTtlMs ?? 30 * DAY_MS,
      ),
      kind: "refresh",
    };
  }

  /** The access-token policy, or a coded error when none is configured. */
  requireTokenPolicy(): TokenPolicy {
    const policy = this.options.accessTokens;
    if (policy === undefined) {
      throw typeError(
        "invalid-argument",
        "Access tokens need accessTokens.keys in the manager options",
      );
    }
    return policy;
  }

  /** Ends a session and its access tokens; reports `revoked` when it was live. */
  async end(sessionId: string, userId: string | null, reason: string): Promise<boolean> {
    const ended = await this.store.destroy(sessionId);
    await this.revokeTokensOf(sessionId);
    if (ended !== null) this.events.emit("revoked", { id: sessionId, userId }, reason);
    return ended !== null;
  }

  /** Revokes the access tokens of a session (store lists and cache), when tokens are in use. */
  async revokeTokensOf(sessionId: string): Promise<void> {
    const policy = this.options.accessTokens;
    if (policy === undefined) return;
    const now = this.clock.now();
    const cutoff = {
      sessionId,
      issuedBefore: now + 1,
      until: now + (policy.ttlMs ?? 900_000) + (policy.clockToleranceMs ?? 0) + 1_000,
    };
    if (policy.revocation === "lists") await this.store.revokeTokens(cutoff);
    policy.cache?.revokeTokens(cutoff);
  }

  /**
   * Reports a replayed credential (the store already revoked its session): emits
   * `reuse-detected` and `revoked`, revokes its access tokens, and returns the error to throw.
   */
  reportReuse(result: ReusedResult): SessionError {
    const session = { id: result.sessionId, userId: result.userId };
    this.events.emit("reuse-detected", session);
    this.events.emit("revoked", session, "reuse");
    void this.revokeTokensOf(result.sessionId).catch(() => {});
    return new SessionError(
      "session-reused",
      "A rotated-away credential was presented again; the session was revoked",
    );
  }

  /**
   * The request facts the policy binds, for the store to check before it changes anything (a
   * fact the request lacks is `null`), or `undefined` when nothing is bound.
   */
  bindFacts(request: RequestFacts): BindFacts | undefined {
    const binding = this.options.binding;
    if (binding?.userAgent !== true && binding?.ip !== true) return undefined;
    return {
      ...(binding.userAgent === true ? { userAgent: request.userAgent ?? null } : {}),
      ...(binding.ip === true ? { ip: request.ip ?? null } : {}),
    };
  }

  /**
   * Reports a request the store refused for binding (it changed nothing), revokes the session
   * when the policy says so, and returns the error to throw.
   */
  async applyBindingPolicy(result: BindingMismatchResult): Promise<SessionError> {
    const session = { id: result.sessionId, userId: result.userId };
    this.events.emit("binding-mismatch", session);
    if (this.options.binding?.action === "revoke") {
      await this.end(session.id, session.userId, "binding");
    }
    return new SessionError("session-binding", "Request does not match the session's binding");
  }
}
