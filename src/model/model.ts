// Over 400 lines: the whole specification in one readable place, on purpose (it is the judge).
/**
 * The reference model: the executable specification of every {@linkcode SessionStore} operation.
 *
 * A pure, deterministic state machine, `step(state, operation, now) → { state, result }`, with no
 * indexes and no cleverness. Stores are checked against it by the conformance kit. Credentials of
 * the model are deterministic (`<id>.<sha256 of id and generation>`) so runs replay exactly.
 *
 * @module
 */

import { formatCredential, hashSecret, tryParseCredential } from "../core/credential.ts";
import * as check from "./_arguments.ts";
import { bindingMismatch } from "./binding_mismatch.ts";
import {
  type AttachOptions,
  type AttachResult,
  type CreateOptions,
  type CreateResult,
  DEFAULT_MAX_DATA_BYTES,
  type DestroyAllOptions,
  type JsonObject,
  RETIRED_SECRETS_KEPT,
  type RotateOptions,
  type RotateResult,
  type Session,
  type SessionKind,
  type TokenCutoff,
  type TokenIdentity,
  type TokenRevocation,
  type UpdateOptions,
  type UpdateResult,
  type ValidateOptions,
  type ValidateResult,
} from "./store.ts";

/** A session inside the model: the public record plus its secrets and login order. */
export interface ModelSession extends Omit<Session, "data"> {
  /** The session data as JSON. */
  readonly dataJson: string;
  /** Position in the login order of its user (smaller is older). */
  readonly bindSeq: number;
  /** How many times the credential was rotated. */
  readonly generation: number;
  /** The current secret (the model keeps it in clear; stores never do). */
  readonly secret: string;
  /** Rotated-away secrets, oldest first, at most {@linkcode RETIRED_SECRETS_KEPT}. */
  readonly retired: readonly string[];
  /** The last retired secret still validates strictly before this instant. */
  readonly graceUntil: number;
}

/** A cutoff of access tokens in the model. */
export interface ModelCutoff {
  /** Tokens issued strictly before this instant are revoked. */
  readonly issuedBefore: number;
  /** The cutoff applies strictly before this instant. */
  readonly until: number;
}

type Cutoff = ModelCutoff;

/** The whole state of the model. Never mutated: every step returns a new one. */
export interface ModelState {
  /** Every session ever created that was not destroyed, by id (expired ones included). */
  readonly sessions: ReadonlyMap<string, ModelSession>;
  /** Ids and login order come from this counter. */
  readonly counter: number;
  /** Revoked access tokens: `"<sessionId> <jti>"` → until when. */
  readonly revokedTokens: ReadonlyMap<string, number>;
  /** Per-session cutoffs of access tokens. */
  readonly sessionCutoffs: ReadonlyMap<string, ModelCutoff>;
  /** Per-user cutoffs of access tokens. */
  readonly userCutoffs: ReadonlyMap<string, ModelCutoff>;
}

/** One operation of the store contract, as data. */
export type ModelOperation =
  | { readonly op: "create"; readonly options: CreateOptions }
  | { readonly op: "validate"; readonly credential: string; readonly options?: ValidateOptions }
  | { readonly op: "rotate"; readonly credential: string; readonly options?: RotateOptions }
  | { readonly op: "attach"; readonly credential: string; readonly options: AttachOptions }
  | {
    readonly op: "update";
    readonly sessionId: string;
    readonly data: JsonObject;
    readonly options?: UpdateOptions;
  }
  | { readonly op: "get"; readonly sessionId: string }
  | { readonly op: "destroy"; readonly sessionId: string }
  | { readonly op: "list"; readonly userId: string }
  | { readonly op: "destroyAll"; readonly userId: string; readonly options?: DestroyAllOptions }
  | { readonly op: "revokeToken"; readonly revocation: TokenRevocation }
  | { readonly op: "revokeTokens"; readonly cutoff: TokenCutoff }
  | { readonly op: "isTokenRevoked"; readonly token: TokenIdentity };

/** The result of one step: the next state and what the operation answers. */
export interface ModelStep {
  /** The next state. */
  readonly state: ModelState;
  /** What the store must answer. */
  readonly result: unknown;
}

/** Settings of the model that a store must share. */
export interface ModelConfig {
  /** Cap on the UTF-8 size of session data JSON. @default 8192 */
  readonly maxDataBytes?: number;
}

/**
 * The empty state.
 *
 * @example
 * ```ts
 * import { initialModelState } from "@sessionkit/sessionkit/model";
 * if (initialModelState().sessions.size !== 0) throw new Error("Not empty");
 * ```
 *
 * @returns A state with no sessions and no revocations.
 */
export function initialModelState(): ModelState {
  const empty = new Map();
  return {
    sessions: empty,
    counter: 0,
    revokedTokens: empty,
    sessionCutoffs: empty,
    userCutoffs: empty,
  };
}

/**
 * The public view of a model session.
 *
 * @example
 * ```ts
 * import { initialModelState, step, viewSession } from "@sessionkit/sessionkit/model";
 * const { state } = step(initialModelState(), {
 *   op: "create",
 *   options: { userId: "ada", idleTtlMs: 1_000, absoluteTtlMs: 5_000 },
 * }, 0);
 * const view = viewSession([...state.sessions.values()][0]!);
 * if ("secret" in view || view.userId !== "ada") throw new Error("Not the public view");
 * ```
 *
 * @param s A model session.
 * @returns The record a store returns for it.
 */
export function viewSession(s: ModelSession): Session {
  return {
    id: s.id,
    userId: s.userId,
    kind: s.kind,
    data: JSON.parse(s.dataJson) as JsonObject,
    version: s.version,
    device: { ...s.device },
    createdAt: s.createdAt,
    lastActiveAt: s.lastActiveAt,
    idleExpiresAt: s.idleExpiresAt,
    absoluteExpiresAt: s.absoluteExpiresAt,
    idleTtlMs: s.idleTtlMs,
    rotatedAt: s.rotatedAt,
    authenticatedAt: s.authenticatedAt,
  };
}

const live = (s: ModelSession | undefined, now: number): s is ModelSession =>
  s !== undefined && now < s.idleExpiresAt;

const modelSecret = (id: string, generation: number): string =>
  hashSecret(`sessionkit-model:${id}:${generation}`);

const userSessions = (state: ModelState, userId: string, now: number): ModelSession[] =>
  [...state.sessions.values()].filter((s) => s.userId === userId && live(s, now))
    .sort((a, b) => a.bindSeq - b.bindSeq);

function withSessions(state: ModelState, put: ModelSession[], remove: string[]): ModelState {
  const sessions = new Map(state.sessions);
  for (const id of remove) sessions.delete(id);
  for (const s of put) sessions.set(s.id, s);
  return { ...state, sessions };
}

type Lookup =
  | { outcome: "ok"; session: ModelSession; grace: boolean }
  | { outcome: "invalid" }
  | { outcome: "reused"; session: ModelSession };

/** Finds a credential's session; a session of another `kind` than asked for is `invalid`. */
function lookup(
  state: ModelState,
  credential: string,
  now: number,
  kind?: SessionKind,
): Lookup {
  check.checkCredentialArg(credential);
  const parsed = tryParseCredential(credential);
  const s = parsed ? state.sessions.get(parsed.sessionId) : undefined;
  if (!parsed || !live(s, now)) return { outcome: "invalid" };
  if (kind !== undefined && s.kind !== kind) return { outcome: "invalid" };
  if (parsed.secret === s.secret) return { outcome: "ok", session: s, grace: false };
  const last = s.retired.length - 1;
  if (last >= 0 && parsed.secret === s.retired[last] && now < s.graceUntil) {
    return { outcome: "ok", session: s, grace: true };
  }
  if (s.retired.includes(parsed.secret)) return { outcome: "reused", session: s };
  return { outcome: "invalid" };
}

function reused(state: ModelState, s: ModelSession) {
  return {
    state: withSessions(state, [], [s.id]),
    result: { status: "reused", sessionId: s.id, userId: s.userId } as const,
  };
}

/** A refused binding check: the state is left exactly as it was. */
function mismatch(state: ModelState, s: ModelSession) {
  return {
    state,
    result: { status: "binding-mismatch", sessionId: s.id, userId: s.userId } as const,
  };
}

/** Creates a session for checked options; shared by create and attach. */
function open(
  state: ModelState,
  o: check.CheckedCreate,
  now: number,
  drop: string[],
): { state: ModelState; session: ModelSession; evicted: Session[] } | null {
  const mine = o.userId === null ? [] : userSessions(state, o.userId, now);
  const excess = mine.length - o.limit + 1;
  if (excess > 0 && o.onLimit === "reject") return null;
  const evicted = excess > 0 ? mine.slice(0, excess) : [];
  const counter = state.counter + 1;
  const id = `m${counter}`;
  const session: ModelSession = {
    id,
    userId: o.userId,
    kind: o.kind,
    dataJson: o.dataJson,
    version: 1,
    device: o.device,
    createdAt: now,
    lastActiveAt: now,
    idleExpiresAt: now + o.idleTtlMs,
    absoluteExpiresAt: now + o.absoluteTtlMs,
    idleTtlMs: o.idleTtlMs,
    rotatedAt: now,
    authenticatedAt: o.userId === null ? null : now,
    bindSeq: counter,
    generation: 0,
    secret: modelSecret(id, 0),
    retired: [],
    graceUntil: 0,
  };
  const next = withSessions(state, [session], [...drop, ...evicted.map((s) => s.id)]);
  return { state: { ...next, counter }, session, evicted: evicted.map(viewSession) };
}

const slid = (s: ModelSession, now: number): ModelSession => ({
  ...s,
  lastActiveAt: now,
  idleExpiresAt: Math.min(now + s.idleTtlMs, s.absoluteExpiresAt),
});

const credentialOf = (s: ModelSession): string => formatCredential(s.id, s.secret);

/**
 * A new cutoff merges with the key's cutoff only while that one is in force (`now < until`): a
 * cutoff whose `until` has passed is gone, exactly as if a sweep or a backend TTL had removed it.
 */
function maxCutoff(
  map: ReadonlyMap<string, Cutoff>,
  key: string,
  c: Cutoff,
  now: number,
): Map<string, Cutoff> {
  const found = map.get(key);
  const old = found !== undefined && now < found.until ? found : undefined;
  const next = new Map(map);
  next.set(key, {
    issuedBefore: Math.max(old?.issuedBefore ?? 0, c.issuedBefore),
    until: Math.max(old?.until ?? 0, c.until),
  });
  return next;
}

const cuts = (c: Cutoff | undefined, iat: number, now: number): boolean =>
  c !== undefined && now < c.until && iat < c.issuedBefore;

/**
 * Applies one operation to a state at an instant. Pure: the input state is never modified.
 * Invalid arguments throw (`TypeError`/`RangeError` with a `code`) exactly as stores must.
 *
 * @example
 * ```ts
 * import { initialModelState, step } from "@sessionkit/sessionkit/model";
 * const created = step(initialModelState(), {
 *   op: "create",
 *   options: { userId: "u1", idleTtlMs: 1_000, absoluteTtlMs: 5_000 },
 * }, 0);
 * const { credential } = created.result as { credential: string };
 * const later = step(created.state, { op: "validate", credential }, 1_000);
 * if ((later.result as { status: string }).status !== "invalid") throw new Error("Should expire");
 * ```
 *
 * @param state The current state.
 * @param operation What to do.
 * @param now The instant, epoch ms.
 * @param config Settings shared with the store.
 * @returns The next state and the result the store must answer.
 */
export function step(
  state: ModelState,
  operation: ModelOperation,
  now: number,
  config: ModelConfig = {},
): ModelStep {
  const maxData = config.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
  switch (operation.op) {
    case "create": {
      const o = check.checkCreate(operation.options, maxData);
      const made = open(state, o, now, []);
      if (made === null) return { state, result: { status: "limit-reached" } };
      const result: CreateResult = {
        status: "created",
        session: viewSession(made.session),
        credential: credentialOf(made.session),
        evicted: made.evicted,
      };
      return { state: made.state, result };
    }
    case "validate": {
      const threshold = check.checkSlideThreshold(operation.options?.slideThreshold);
      const kind = check.checkKind(operation.options?.kind);
      const bind = check.checkBind(operation.options?.bind);
      const found = lookup(state, operation.credential, now, kind);
      if (found.outcome === "invalid") return { state, result: { status: "invalid" } };
      if (found.outcome === "reused") return reused(state, found.session);
      const s = found.session;
      if (bindingMismatch(s.device, bind)) return mismatch(state, s);
      const next = s.idleExpiresAt - now < threshold * s.idleTtlMs ? slid(s, now) : s;
      const result: ValidateResult = {
        status: "valid",
        session: viewSession(next),
        grace: found.grace,
      };
      return { state: withSessions(state, [next], []), result };
    }
    case "rotate": {
      const graceMs = check.checkGraceMs(operation.options?.graceMs);
      const kind = check.checkKind(operation.options?.kind);
      const bind = check.checkBind(operation.options?.bind);
      const reauthenticate = check.checkReauthenticate(operation.options?.reauthenticate);
      const found = lookup(state, operation.credential, now, kind);
      if (found.outcome === "invalid") return { state, result: { status: "invalid" } };
      if (found.outcome === "reused") return reused(state, found.session);
      if (bindingMismatch(found.session.device, bind)) return mismatch(state, found.session);
      if (found.grace) {
        return { state, result: { status: "grace", session: viewSession(found.session) } };
      }
      const s = found.session;
      const generation = s.generation + 1;
      const next: ModelSession = {
        ...slid(s, now),
        rotatedAt: now,
        authenticatedAt: reauthenticate && s.userId !== null ? now : s.authenticatedAt,
        generation,
        secret: modelSecret(s.id, generation),
        retired: [...s.retired, s.secret].slice(-RETIRED_SECRETS_KEPT),
        graceUntil: now + graceMs,
      };
      const result: RotateResult = {
        status: "rotated",
        session: viewSession(next),
        credential: credentialOf(next),
      };
      return { state: withSessions(state, [next], []), result };
    }
    case "attach": {
      const o = check.checkAttach(operation.options, maxData);
      // Only a cookie session can be logged into (attach never turns a refresh token into one).
      const found = lookup(state, operation.credential, now, "cookie");
      if (found.outcome === "invalid") return { state, result: { status: "invalid" } };
      if (found.outcome === "reused") return reused(state, found.session);
      const anon = found.session;
      if (anon.userId !== null) return { state, result: { status: "not-anonymous" } };
      const dataJson = operation.options.data === undefined ? anon.dataJson : o.dataJson;
      const device = operation.options.device === undefined ? anon.device : o.device;
      const made = open(state, { ...o, dataJson, device }, now, [anon.id]);
      if (made === null) return { state, result: { status: "limit-reached" } };
      const result: AttachResult = {
        status: "attached",
        session: viewSession(made.session),
        credential: credentialOf(made.session),
        evicted: made.evicted,
        replacedSessionId: anon.id,
      };
      return { state: made.state, result };
    }
    case "update": {
      check.checkSessionIdArg(operation.sessionId);
      const dataJson = check.checkData(operation.data, maxData);
      const expected = check.checkExpectedVersion(operation.options?.expectedVersion);
      const s = state.sessions.get(operation.sessionId);
      if (!live(s, now)) return { state, result: { status: "invalid" } };
      if (expected !== undefined && expected !== s.version) {
        return { state, result: { status: "conflict", session: viewSession(s) } };
      }
      const next = { ...s, dataJson, version: s.version + 1 };
      const result: UpdateResult = { status: "updated", session: viewSession(next) };
      return { state: withSessions(state, [next], []), result };
    }
    case "get": {
      const s = state.sessions.get(check.checkSessionIdArg(operation.sessionId));
      return { state, result: live(s, now) ? viewSession(s) : null };
    }
    case "destroy": {
      const s = state.sessions.get(check.checkSessionIdArg(operation.sessionId));
      if (!live(s, now)) return { state, result: null };
      return { state: withSessions(state, [], [s.id]), result: viewSession(s) };
    }
    case "list": {
      const mine = userSessions(state, check.checkUserId(operation.userId), now);
      return { state, result: mine.map(viewSession) };
    }
    case "destroyAll": {
      const except = operation.options?.exceptSessionId;
      if (except !== undefined) check.checkSessionIdArg(except, "exceptSessionId");
      const doomed = userSessions(state, check.checkUserId(operation.userId), now)
        .filter((s) => s.id !== except);
      return {
        state: withSessions(state, [], doomed.map((s) => s.id)),
        result: doomed.map(viewSession),
      };
    }
    case "revokeToken": {
      const r = check.checkRevocation(operation.revocation);
      const key = `${r.sessionId} ${r.jti}`;
      const revokedTokens = new Map(state.revokedTokens);
      revokedTokens.set(key, Math.max(state.revokedTokens.get(key) ?? 0, r.expiresAt));
      return { state: { ...state, revokedTokens }, result: undefined };
    }
    case "revokeTokens": {
      const c = check.checkCutoff(operation.cutoff);
      const next = c.sessionId !== undefined
        ? { ...state, sessionCutoffs: maxCutoff(state.sessionCutoffs, c.sessionId, c, now) }
        : { ...state, userCutoffs: maxCutoff(state.userCutoffs, c.userId!, c, now) };
      return { state: next, result: undefined };
    }
    case "isTokenRevoked": {
      const t = check.checkTokenIdentity(operation.token);
      const until = state.revokedTokens.get(`${t.sessionId} ${t.jti}`);
      const revoked = (until !== undefined && now < until) ||
        cuts(state.sessionCutoffs.get(t.sessionId), t.issuedAt, now) ||
        cuts(state.userCutoffs.get(t.userId), t.issuedAt, now);
      return { state, result: revoked };
    }
  }
}
