// Over 400 lines: one store's operations over shared indexes (record layout: _memory_record.ts).
/**
 * An in-process {@linkcode SessionStore} for development, tests and single-process apps.
 *
 * O(1) validation (a map lookup and one SHA-256), a per-user index kept in login order, lazy
 * expiry plus a bounded sweep on every write (no timers, nothing that keeps a process alive).
 * Credentials are held only as hashes. Each session is one flat string in a `Map` with
 * small-integer keys, so a validation touches few cache lines however many sessions are held.
 * It passes the conformance kit; it is not the model.
 *
 * @module
 */

import { checkSafeInteger } from "../core/_integers.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import {
  constantTimeEqual,
  formatCredential,
  generateSecret,
  generateSessionId,
  hashSecret,
  tryParseCredential,
} from "../core/credential.ts";
import { type RandomSource, webCryptoRandom } from "../core/random.ts";
import * as check from "../model/_arguments.ts";
import { bindingMismatch } from "../model/binding_mismatch.ts";
import {
  decodeRecord,
  encodeRecord,
  type Rec,
  recordExpiry,
  renumberRecord,
  sessionKey,
} from "./_memory_record.ts";
import {
  type AttachOptions,
  type AttachResult,
  type CreateOptions,
  type CreateResult,
  type DestroyAllOptions,
  type DeviceInfo,
  type JsonObject,
  RETIRED_SECRETS_KEPT,
  type ReusedResult,
  type RotateOptions,
  type RotateResult,
  type Session,
  type SessionKind,
  type SessionStore,
  type TokenCutoff,
  type TokenIdentity,
  type TokenRevocation,
  type UpdateOptions,
  type UpdateResult,
  type ValidateOptions,
  type ValidateResult,
} from "../model/store.ts";

/** Options of {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** Randomness for ids and secrets. @default webCryptoRandom */
  readonly random?: RandomSource;
  /** Cap on the UTF-8 size of session data JSON. @default 8192 */
  readonly maxDataBytes?: number;
  /** How many entries each write examines for expiry. @default 8 */
  readonly sweepBatch?: number;
}

interface Cutoff {
  issuedBefore: number;
  until: number;
}

type Found =
  | { outcome: "ok"; rec: Rec; grace: boolean }
  | { outcome: "invalid" }
  | { outcome: "reused"; result: ReusedResult };

const mismatch = (rec: Rec) =>
  ({ status: "binding-mismatch", sessionId: rec.id, userId: rec.userId }) as const;

const INVALID = Object.freeze({ status: "invalid" as const });

/**
 * An in-process session store.
 *
 * @example
 * ```ts
 * import { ManualClock, MemoryStore } from "@sessionkit/sessionkit";
 * const clock = new ManualClock(0);
 * const store = new MemoryStore({ clock });
 * const login = await store.create({ userId: "ada", idleTtlMs: 1_000, absoluteTtlMs: 10_000 });
 * if (login.status !== "created") throw new Error("Not created");
 * clock.advance(999);
 * if ((await store.validate(login.credential)).status !== "valid") throw new Error("Expired early");
 * clock.advance(1_000);
 * if ((await store.validate(login.credential)).status !== "invalid") throw new Error("Did not expire");
 * ```
 */
export class MemoryStore implements SessionStore {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #maxDataBytes: number;
  readonly #sweepBatch: number;
  /** Session records by {@linkcode sessionKey} of their id. */
  readonly #sessions = new Map<number, string>();
  /** Per user: session keys in login order (a Set keeps insertion order). */
  readonly #users = new Map<string, Set<number>>();
  readonly #tokens = new Map<string, number>();
  readonly #sessionCutoffs = new Map<string, Cutoff>();
  readonly #userCutoffs = new Map<string, Cutoff>();
  #cursor: Iterator<[number | string, string | number | Cutoff]> | null = null;
  #cursorMap = 0;

  /**
   * Creates an empty store.
   *
   * @param options Clock, random source, data cap and sweep batch size.
   * @throws {RangeError} `invalid-argument` for a bad `maxDataBytes` or `sweepBatch`.
   */
  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? webCryptoRandom;
    this.#maxDataBytes = check.checkMaxDataBytes(options.maxDataBytes);
    this.#sweepBatch = checkSafeInteger(options.sweepBatch ?? 8, "sweepBatch", 1);
  }

  /** Number of session records held, live or awaiting the sweep. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Every stored value as JSON, for conformance checks that no credential is stored in clear.
   *
   * @returns A JSON dump of the store's contents.
   */
  dump(): string {
    return JSON.stringify({
      sessions: [...this.#sessions].map(([key, blob]) => decodeRecord(key, blob)),
      tokens: [...this.#tokens],
      sessionCutoffs: [...this.#sessionCutoffs],
      userCutoffs: [...this.#userCutoffs],
    }, (name, value) => name === "blob" ? undefined : value); // the decoded fields say it all
  }

  /** See {@linkcode SessionStore.create}. */
  async create(options: CreateOptions): Promise<CreateResult> {
    const o = check.checkCreate(options, this.#maxDataBytes);
    const now = this.#clock.now();
    this.#sweep(now);
    const opened = this.#open(o, o.dataJson, o.device, now);
    if (opened === null) return { status: "limit-reached" };
    return { status: "created", ...opened };
  }

  /** See {@linkcode SessionStore.validate}. */
  async validate(credential: string, options?: ValidateOptions): Promise<ValidateResult> {
    const threshold = check.checkSlideThreshold(options?.slideThreshold);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const now = this.#clock.now();
    const found = this.#find(credential, now, kind);
    if (found.outcome !== "ok") return found.outcome === "invalid" ? INVALID : found.result;
    const rec = found.rec;
    if (bindingMismatch(rec.device, bind)) return mismatch(rec);
    if (rec.idleExpiresAt - now < threshold * rec.idleTtlMs) {
      this.#slide(rec, now);
      this.#sessions.set(rec.key, renumberRecord(rec));
    }
    return { status: "valid", session: view(rec), grace: found.grace };
  }

  /** See {@linkcode SessionStore.rotate}. */
  async rotate(credential: string, options?: RotateOptions): Promise<RotateResult> {
    const graceMs = check.checkGraceMs(options?.graceMs);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const reauthenticate = check.checkReauthenticate(options?.reauthenticate);
    const now = this.#clock.now();
    const found = this.#find(credential, now, kind);
    if (found.outcome !== "ok") return found.outcome === "invalid" ? INVALID : found.result;
    const rec = found.rec;
    if (bindingMismatch(rec.device, bind)) return mismatch(rec);
    if (found.grace) return { status: "grace", session: view(rec) };
    const secret = generateSecret(this.#random);
    rec.retired.push(rec.secretHash);
    if (rec.retired.length > RETIRED_SECRETS_KEPT) rec.retired.shift();
    rec.secretHash = hashSecret(secret);
    rec.graceUntil = now + graceMs;
    rec.rotatedAt = now;
    if (reauthenticate && rec.userId !== null) rec.authenticatedAt = now;
    this.#slide(rec, now);
    this.#sessions.set(rec.key, encodeRecord(rec));
    return { status: "rotated", session: view(rec), credential: formatCredential(rec.id, secret) };
  }

  /** See {@linkcode SessionStore.attach}. */
  async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    const o = check.checkAttach(options, this.#maxDataBytes);
    const now = this.#clock.now();
    this.#sweep(now);
    const found = this.#find(credential, now, "cookie");
    if (found.outcome !== "ok") return found.outcome === "invalid" ? INVALID : found.result;
    const anon = found.rec;
    if (anon.userId !== null) return { status: "not-anonymous" };
    const dataJson = options.data === undefined ? anon.dataJson : o.dataJson;
    const device = options.device === undefined ? anon.device : o.device;
    const opened = this.#open(o, dataJson, device, now);
    if (opened === null) return { status: "limit-reached" };
    this.#remove(anon);
    return { status: "attached", ...opened, replacedSessionId: anon.id };
  }

  /** See {@linkcode SessionStore.update}. */
  async update(
    sessionId: string,
    data: JsonObject,
    options?: UpdateOptions,
  ): Promise<UpdateResult> {
    check.checkSessionIdArg(sessionId);
    const dataJson = check.checkData(data, this.#maxDataBytes);
    const expected = check.checkExpectedVersion(options?.expectedVersion);
    const rec = this.#live(sessionId, this.#clock.now());
    if (rec === null) return INVALID;
    if (expected !== undefined && expected !== rec.version) {
      return { status: "conflict", session: view(rec) };
    }
    rec.dataJson = dataJson;
    rec.version++;
    this.#sessions.set(rec.key, encodeRecord(rec));
    return { status: "updated", session: view(rec) };
  }

  /** See {@linkcode SessionStore.get}. */
  async get(sessionId: string): Promise<Session | null> {
    const rec = this.#live(check.checkSessionIdArg(sessionId), this.#clock.now());
    return rec === null ? null : view(rec);
  }

  /** See {@linkcode SessionStore.destroy}. */
  async destroy(sessionId: string): Promise<Session | null> {
    const rec = this.#live(check.checkSessionIdArg(sessionId), this.#clock.now());
    if (rec === null) return null;
    this.#remove(rec);
    return view(rec);
  }

  /** See {@linkcode SessionStore.list}. */
  async list(userId: string): Promise<Session[]> {
    return this.#userLive(check.checkUserId(userId), this.#clock.now()).map(view);
  }

  /** See {@linkcode SessionStore.destroyAll}. */
  async destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
    check.checkUserId(userId);
    const except = options?.exceptSessionId;
    if (except !== undefined) check.checkSessionIdArg(except, "exceptSessionId");
    const doomed = this.#userLive(userId, this.#clock.now()).filter((r) => r.id !== except);
    for (const rec of doomed) this.#remove(rec);
    return doomed.map(view);
  }

  /** See {@linkcode SessionStore.revokeToken}. */
  async revokeToken(revocation: TokenRevocation): Promise<void> {
    const r = check.checkRevocation(revocation);
    this.#sweep(this.#clock.now());
    const key = `${r.sessionId} ${r.jti}`;
    this.#tokens.set(key, Math.max(this.#tokens.get(key) ?? 0, r.expiresAt));
  }

  /** See {@linkcode SessionStore.revokeTokens}. */
  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    const c = check.checkCutoff(cutoff);
    const now = this.#clock.now();
    this.#sweep(now);
    const [map, key] = c.sessionId !== undefined
      ? [this.#sessionCutoffs, c.sessionId]
      : [this.#userCutoffs, c.userId!];
    // A cutoff past its `until` is gone (swept or not): the new one does not merge with it.
    const found = map.get(key);
    const old = found !== undefined && now < found.until ? found : undefined;
    map.set(key, {
      issuedBefore: Math.max(old?.issuedBefore ?? 0, c.issuedBefore),
      until: Math.max(old?.until ?? 0, c.until),
    });
  }

  /** See {@linkcode SessionStore.isTokenRevoked}. */
  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    const t = check.checkTokenIdentity(token);
    const now = this.#clock.now();
    const until = this.#tokens.get(`${t.sessionId} ${t.jti}`);
    return (until !== undefined && now < until) ||
      cuts(this.#sessionCutoffs.get(t.sessionId), t.issuedAt, now) ||
      cuts(this.#userCutoffs.get(t.userId), t.issuedAt, now);
  }

  #open(o: check.CheckedCreate, dataJson: string, device: DeviceInfo, now: number) {
    const mine = o.userId === null ? [] : this.#userLive(o.userId, now);
    const excess = mine.length - o.limit + 1;
    if (excess > 0 && o.onLimit === "reject") return null;
    const evicted = excess > 0 ? mine.slice(0, excess) : [];
    for (const rec of evicted) this.#remove(rec);
    const secret = generateSecret(this.#random);
    const id = this.#newId();
    const rec: Rec = {
      key: sessionKey(id),
      id,
      userId: o.userId,
      kind: o.kind,
      dataJson,
      version: 1,
      device,
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt: now + o.idleTtlMs,
      absoluteExpiresAt: now + o.absoluteTtlMs,
      idleTtlMs: o.idleTtlMs,
      rotatedAt: now,
      authenticatedAt: o.userId === null ? null : now,
      secretHash: hashSecret(secret),
      retired: [],
      graceUntil: 0,
    };
    this.#sessions.set(rec.key, encodeRecord(rec));
    if (rec.userId !== null) {
      let index = this.#users.get(rec.userId);
      if (index === undefined) this.#users.set(rec.userId, index = new Set());
      index.add(rec.key);
    }
    return {
      session: view(rec),
      credential: formatCredential(rec.id, secret),
      evicted: evicted.map(view),
    };
  }

  #newId(): string {
    for (;;) {
      const id = generateSessionId(this.#random);
      if (!this.#sessions.has(sessionKey(id))) return id;
    }
  }

  #find(credential: string, now: number, kind?: SessionKind): Found {
    check.checkCredentialArg(credential);
    const parsed = tryParseCredential(credential);
    if (parsed === null) return { outcome: "invalid" };
    const rec = this.#live(parsed.sessionId, now);
    if (rec === null || (kind !== undefined && rec.kind !== kind)) return { outcome: "invalid" };
    const hash = hashSecret(parsed.secret);
    if (constantTimeEqual(hash, rec.secretHash)) return { outcome: "ok", rec, grace: false };
    const last = rec.retired.length - 1;
    if (last >= 0 && now < rec.graceUntil && constantTimeEqual(hash, rec.retired[last]!)) {
      return { outcome: "ok", rec, grace: true };
    }
    if (!rec.retired.some((old) => constantTimeEqual(hash, old))) return { outcome: "invalid" };
    this.#remove(rec);
    return {
      outcome: "reused",
      result: { status: "reused", sessionId: rec.id, userId: rec.userId },
    };
  }

  #live(id: string, now: number): Rec | null {
    const key = sessionKey(id);
    const blob = this.#sessions.get(key);
    if (blob === undefined) return null;
    const rec = decodeRecord(key, blob);
    if (rec.id !== id) return null;
    if (now < rec.idleExpiresAt) return rec;
    this.#remove(rec);
    return null;
  }

  #userLive(userId: string, now: number): Rec[] {
    const index = this.#users.get(userId);
    if (index === undefined) return [];
    const out: Rec[] = [];
    for (const key of [...index]) {
      const rec = decodeRecord(key, this.#sessions.get(key)!);
      if (now < rec.idleExpiresAt) out.push(rec);
      else this.#remove(rec);
    }
    return out;
  }

  #slide(rec: Rec, now: number): void {
    rec.lastActiveAt = now;
    rec.idleExpiresAt = Math.min(now + rec.idleTtlMs, rec.absoluteExpiresAt);
  }

  #remove(rec: Rec): void {
    this.#sessions.delete(rec.key);
    if (rec.userId === null) return;
    const index = this.#users.get(rec.userId)!; // every user session is indexed
    index.delete(rec.key);
    if (index.size === 0) this.#users.delete(rec.userId);
  }

  /**
   * Examines at most `sweepBatch` entries, round robin over sessions and revocations, and drops
   * the dead ones: the amortised cost of expiry is O(1) per write.
   */
  #sweep(now: number): void {
    const maps = [this.#sessions, this.#tokens, this.#sessionCutoffs, this.#userCutoffs] as const;
    for (let i = 0; i < this.#sweepBatch; i++) {
      this.#cursor ??= maps[this.#cursorMap]!.entries();
      const next = this.#cursor.next();
      if (next.done) {
        this.#cursor = null;
        this.#cursorMap = (this.#cursorMap + 1) % maps.length;
        continue;
      }
      const [key, value] = next.value;
      const deadline = typeof value === "number"
        ? value
        : typeof value === "string"
        ? recordExpiry(value)
        : value.until;
      if (deadline > now) continue;
      if (this.#cursorMap === 0) this.#remove(decodeRecord(key as number, value as string));
      else (maps[this.#cursorMap] as Map<unknown, unknown>).delete(key);
    }
  }
}

function view(rec: Rec): Session {
  return {
    id: rec.id,
    userId: rec.userId,
    kind: rec.kind,
    data: JSON.parse(rec.dataJson) as JsonObject,
    version: rec.version,
    device: rec.device, // a fresh object per decoded record
    createdAt: rec.createdAt,
    lastActiveAt: rec.lastActiveAt,
    idleExpiresAt: rec.idleExpiresAt,
    absoluteExpiresAt: rec.absoluteExpiresAt,
    idleTtlMs: rec.idleTtlMs,
    rotatedAt: rec.rotatedAt,
    authenticatedAt: rec.authenticatedAt,
  };
}

const cuts = (c: Cutoff | undefined, iat: number, now: number): boolean =>
  c !== undefined && now < c.until && iat < c.issuedBefore;
