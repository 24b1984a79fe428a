/**
 * DenoKvStore: a {@linkcode SessionStore} over Deno KV (`Deno.openKv()`: a local SQLite file,
 * `:memory:`, or Deno Deploy's global database). Every write is one atomic commit guarded by
 * versionstamp checks of what it read (retried when a concurrent write got there first); a
 * validation that writes nothing is one strongly consistent read. Expiry is logical on the
 * injected clock; `expireIn` only collects garbage.
 *
 * Keys, under the prefix: `["s", id]` a session; `["u", userId, seq, id]` a copy of each of a
 * user's sessions in login order (so a listing is one read); `["h", userId]` the user's head
 * (login counter, checked by every change to the user's set of sessions); `["t", sid, jti]` and
 * `["c", "s" | "u", key]` access-token revocations and cutoffs.
 *
 * @module
 */

import { checkSafeInteger } from "../core/_integers.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { generateSessionId, hashSecret, tryParseCredential } from "../core/credential.ts";
import { rangeError, SessionError, typeError } from "../core/errors.ts";
import { type RandomSource, webCryptoRandom } from "../core/random.ts";
import * as check from "../model/_arguments.ts";
import { bindingMismatch } from "../model/binding_mismatch.ts";
import type {
  AttachOptions,
  AttachResult,
  CreateOptions,
  CreateResult,
  DestroyAllOptions,
  DeviceInfo,
  JsonObject,
  ReusedResult,
  RotateOptions,
  RotateResult,
  Session,
  SessionStore,
  TokenCutoff,
  TokenIdentity,
  TokenRevocation,
  UpdateOptions,
  UpdateResult,
  ValidateOptions,
  ValidateResult,
} from "../model/store.ts";
import {
  excessAt,
  isLive,
  judge,
  opened,
  rotated,
  slid,
  slides,
  type StoredSession,
  view,
} from "./_store_record.ts";
import type {
  DenoKv,
  DenoKvAtomic,
  DenoKvEntry,
  DenoKvKey,
  DenoKvStoreOptions,
} from "./deno_kv_store_options.ts";
import { type Attempt, KvCore, RETRY } from "./_deno_kv_core.ts";
import * as tokens from "./_deno_kv_tokens.ts";

export type {
  DenoKv,
  DenoKvAtomic,
  DenoKvEntry,
  DenoKvKey,
  DenoKvStoreOptions,
} from "./deno_kv_store_options.ts";

/** A stored session and its position in its user's login order (0: anonymous). */
type KvRec = StoredSession & { readonly seq: number };
/** A record as read, with the versionstamp a commit must check. */
type Read = { readonly rec: KvRec; readonly stamp: string };
/** A user's head: the login counter and the latest absolute expiry of its sessions. */
type Head = { readonly seq: number; readonly horizon: number };

const INVALID = Object.freeze({ status: "invalid" as const });
/** Deno KV allows 100 checks per atomic operation: one is the user's head. */
const CHUNK = 99;

const mismatchOf = (rec: StoredSession) =>
  ({ status: "binding-mismatch", sessionId: rec.id, userId: rec.userId }) as const;
const readOf = (e: DenoKvEntry): Read | null =>
  e.versionstamp === null || e.value === null
    ? null
    : { rec: e.value as KvRec, stamp: e.versionstamp };

/**
 * A session store over Deno KV. Needs `Deno.openKv` (`--unstable-kv` on Deno 2.x CLI; always on
 * Deno Deploy).
 *
 * @example
 * ```ts
 * import { DenoKvStore } from "@sessionkit/sessionkit/deno-kv";
 * const kv = await Deno.openKv(":memory:");
 * const store = new DenoKvStore(kv);
 * const login = await store.create({ userId: "ada", idleTtlMs: 60_000, absoluteTtlMs: 3_600_000 });
 * if (login.status !== "created") throw new Error("Login refused");
 * if ((await store.validate(login.credential)).status !== "valid") throw new Error("Not valid");
 * kv.close();
 * ```
 */
export class DenoKvStore implements SessionStore {
  readonly #core: KvCore;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #maxDataBytes: number;

  /**
   * Creates a store over a Deno KV database.
   *
   * @param kv A `Deno.Kv` (or anything that fits {@linkcode DenoKv}).
   * @param options Key prefix, clock, randomness, data cap, GC margin, retries.
   * @throws {TypeError} `invalid-argument` for a bad database or prefix.
   * @throws {RangeError} `invalid-argument` for a bad number option.
   */
  constructor(kv: DenoKv, options: DenoKvStoreOptions = {}) {
    if (typeof kv !== "object" || kv === null || typeof kv.atomic !== "function") {
      throw typeError("invalid-argument", "kv must be a Deno.Kv");
    }
    const prefix = options.prefix ?? ["sessionkit"];
    if (
      !Array.isArray(prefix) || prefix.length === 0 ||
      !prefix.every((part) => typeof part === "string" && part.length > 0)
    ) {
      throw typeError("invalid-argument", "prefix must be a list of non-empty strings");
    }
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? webCryptoRandom;
    this.#maxDataBytes = check.checkMaxDataBytes(options.maxDataBytes);
    if (this.#maxDataBytes > 32_768) {
      throw rangeError("invalid-argument", "maxDataBytes must be at most 32768 for Deno KV");
    }
    this.#core = new KvCore(
      kv,
      [...prefix],
      checkSafeInteger(options.gcMarginMs ?? 3_600_000, "gcMarginMs", 0),
      checkSafeInteger(options.maxAttempts ?? 32, "maxAttempts", 1),
    );
  }

  /**
   * See {@linkcode SessionStore.create}. One atomic commit, checked against the user's head and the
   * sessions it evicts. Deno KV allows 100 checks per commit: a login that would evict more than 97
   * sessions at once (a limit lowered far below a user's live sessions) fails with
   * `store-unavailable`; `destroyAll` first.
   */
  async create(options: CreateOptions): Promise<CreateResult> {
    const o = check.checkCreate(options, this.#maxDataBytes);
    const now = this.#clock.now();
    return await this.#core.attempt(async () => {
      const made = await this.#open(o, o.dataJson, o.device, now, null);
      if (made === RETRY) return RETRY;
      return made === null ? { status: "limit-reached" } : { status: "created", ...made };
    });
  }

  /** See {@linkcode SessionStore.validate}. One read; a slide or a reuse verdict, one commit. */
  async validate(credential: string, options?: ValidateOptions): Promise<ValidateResult> {
    const threshold = check.checkSlideThreshold(options?.slideThreshold);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const found = this.#parse(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    return await this.#core.attempt(async (): Attempt<ValidateResult> => {
      const read = readOf(await this.#core.kv.get(this.#s(found.id)));
      const verdict = judge(read?.rec, found.hash, now, kind);
      if (verdict === "invalid" || read === null) return INVALID;
      if (verdict === "reused") return await this.#remove(read, now, true);
      const { rec } = read;
      if (bindingMismatch(rec.device, bind)) return mismatchOf(rec);
      const grace = verdict === "grace";
      if (!slides(rec, now, threshold)) return { status: "valid", session: view(rec), grace };
      const next = { ...slid(rec, now), seq: rec.seq };
      if (!await this.#save(read, next, now)) return RETRY;
      return { status: "valid", session: view(next), grace };
    });
  }

  /** See {@linkcode SessionStore.rotate}. One read, one commit. */
  async rotate(credential: string, options?: RotateOptions): Promise<RotateResult> {
    const graceMs = check.checkGraceMs(options?.graceMs);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const reauthenticate = check.checkReauthenticate(options?.reauthenticate);
    const found = this.#parse(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    return await this.#core.attempt(async (): Attempt<RotateResult> => {
      const read = readOf(await this.#core.kv.get(this.#s(found.id)));
      const verdict = judge(read?.rec, found.hash, now, kind);
      if (verdict === "invalid" || read === null) return INVALID;
      if (verdict === "reused") return await this.#remove(read, now, true);
      if (bindingMismatch(read.rec.device, bind)) return mismatchOf(read.rec);
      if (verdict === "grace") return { status: "grace", session: view(read.rec) };
      const next = rotated(read.rec, now, this.#random, graceMs, reauthenticate);
      if (!await this.#save(read, { ...next.rec, seq: read.rec.seq }, now)) return RETRY;
      return { status: "rotated", session: view(next.rec), credential: next.credential };
    });
  }

  /** See {@linkcode SessionStore.attach}. One commit removes the anonymous session and logs in. */
  async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    const o = check.checkAttach(options, this.#maxDataBytes);
    const found = this.#parse(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    return await this.#core.attempt(async (): Attempt<AttachResult> => {
      const anon = readOf(await this.#core.kv.get(this.#s(found.id)));
      const verdict = judge(anon?.rec, found.hash, now, "cookie");
      if (verdict === "invalid" || anon === null) return INVALID;
      if (verdict === "reused") return await this.#remove(anon, now, true);
      if (anon.rec.userId !== null) return { status: "not-anonymous" };
      const dataJson = options.data === undefined ? anon.rec.dataJson : o.dataJson;
      const device = options.device === undefined ? anon.rec.device : o.device;
      const made = await this.#open(o, dataJson, device, now, anon);
      if (made === RETRY) return RETRY;
      if (made === null) return { status: "limit-reached" };
      return { status: "attached", ...made, replacedSessionId: anon.rec.id };
    });
  }

  /** See {@linkcode SessionStore.update}. One read, one commit. */
  async update(
    sessionId: string,
    data: JsonObject,
    options?: UpdateOptions,
  ): Promise<UpdateResult> {
    check.checkSessionIdArg(sessionId);
    const dataJson = check.checkData(data, this.#maxDataBytes);
    const expected = check.checkExpectedVersion(options?.expectedVersion);
    const now = this.#clock.now();
    return await this.#core.attempt(async (): Attempt<UpdateResult> => {
      const read = readOf(await this.#core.kv.get(this.#s(sessionId)));
      if (read === null || !isLive(read.rec, now)) return INVALID;
      if (expected !== undefined && expected !== read.rec.version) {
        return { status: "conflict", session: view(read.rec) };
      }
      const next = { ...read.rec, dataJson, version: read.rec.version + 1 };
      if (!await this.#save(read, next, now)) return RETRY;
      return { status: "updated", session: view(next) };
    });
  }

  /** See {@linkcode SessionStore.get}. One read. */
  async get(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    const now = this.#clock.now();
    return await this.#core.attempt(async () => {
      const read = readOf(await this.#core.kv.get(this.#s(sessionId)));
      return read !== null && isLive(read.rec, now) ? view(read.rec) : null;
    });
  }

  /** See {@linkcode SessionStore.destroy}. One commit (checked against the user's head). */
  async destroy(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    const now = this.#clock.now();
    return await this.#core.attempt(async (): Attempt<Session | null> => {
      const read = readOf(await this.#core.kv.get(this.#s(sessionId)));
      if (read === null || !isLive(read.rec, now)) return null;
      const removed = await this.#remove(read, now, false);
      return removed === RETRY ? RETRY : view(read.rec);
    });
  }

  /** See {@linkcode SessionStore.list}. One read of the user's prefix (up to 1000 sessions). */
  async list(userId: string): Promise<Session[]> {
    check.checkUserId(userId);
    const now = this.#clock.now();
    return await this.#core.attempt(async () =>
      (await this.#mine(userId, now)).map((r) => view(r.rec))
    );
  }

  /**
   * See {@linkcode SessionStore.destroyAll}. One commit for up to 99 sessions (Deno KV's limit of
   * checks per commit); more are removed in further commits of 99, oldest first.
   */
  async destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
    const except = options?.exceptSessionId;
    if (except !== undefined) check.checkSessionIdArg(except, "exceptSessionId");
    check.checkUserId(userId);
    const now = this.#clock.now();
    const done: Session[] = [];
    for (;;) {
      const chunk = await this.#core.attempt(async (): Attempt<Session[]> => {
        const head = await this.#core.kv.get(this.#h(userId));
        const doomed = (await this.#mine(userId, now)).filter((r) => r.rec.id !== except);
        const batch = doomed.slice(0, CHUNK);
        if (batch.length === 0) return [];
        const op = this.#bump(this.#core.kv.atomic(), head, userId, now);
        for (const r of batch) {
          this.#drop(op.check({ key: this.#s(r.rec.id), versionstamp: r.stamp }), r.rec);
        }
        return (await op.commit()).ok ? batch.map((r) => view(r.rec)) : RETRY;
      });
      done.push(...chunk);
      if (chunk.length < CHUNK) return done;
    }
  }

  /** See {@linkcode SessionStore.revokeToken}. One read, one commit. */
  async revokeToken(revocation: TokenRevocation): Promise<void> {
    await tokens.revokeToken(this.#core, revocation, this.#clock);
  }

  /** See {@linkcode SessionStore.revokeTokens}. One read, one commit. */
  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    await tokens.revokeTokens(this.#core, cutoff, this.#clock);
  }

  /** See {@linkcode SessionStore.isTokenRevoked}. One read of three keys. */
  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    return await tokens.isTokenRevoked(this.#core, token, this.#clock);
  }

  /**
   * Opens a session under the user's limit in one commit, checked against the user's head and
   * the evicted sessions (and removing `anon` for an attach); `null` when the limit refuses.
   */
  async #open(
    o: check.CheckedCreate,
    dataJson: string,
    device: DeviceInfo,
    now: number,
    anon: Read | null,
  ): Attempt<{ session: Session; credential: string; evicted: Session[] } | null> {
    const head = o.userId === null ? null : await this.#core.kv.get(this.#h(o.userId));
    const mine = o.userId === null ? [] : await this.#mine(o.userId, now);
    const excess = excessAt(mine.length, o);
    if (excess < 0) return null;
    const evicted = mine.slice(0, excess);
    // Checks: the new id, the head, the anonymous session, the evicted: at most 100 per commit.
    if (evicted.length > 97) throw new SessionError("store-unavailable", "Too many to evict");
    const id = generateSessionId(this.#random);
    const made = opened(id, o, dataJson, device, now, this.#random);
    const seq = head === null ? 0 : ((head.value as Head | null)?.seq ?? 0) + 1;
    let op = this.#core.kv.atomic().check({ key: this.#s(id), versionstamp: null });
    if (anon !== null) {
      op = op.check({ key: this.#s(anon.rec.id), versionstamp: anon.stamp }).delete(
        this.#s(anon.rec.id),
      );
    }
    if (head !== null) {
      op = this.#bump(op, head, o.userId!, now, seq, made.rec.absoluteExpiresAt);
    }
    for (const r of evicted) {
      this.#drop(op.check({ key: this.#s(r.rec.id), versionstamp: r.stamp }), r.rec);
    }
    this.#put(op, { ...made.rec, seq }, now);
    if (!(await op.commit()).ok) return RETRY;
    return {
      session: view(made.rec),
      credential: made.credential,
      evicted: evicted.map((r) => view(r.rec)),
    };
  }

  /** Removes a session (reuse verdict or destroy) in one commit checked against its user's head. */
  async #remove(read: Read, now: number, reuse: true): Attempt<ReusedResult>;
  async #remove(read: Read, now: number, reuse: false): Attempt<null>;
  async #remove(read: Read, now: number, reuse: boolean): Attempt<ReusedResult | null> {
    const { rec } = read;
    let op = this.#core.kv.atomic().check({ key: this.#s(rec.id), versionstamp: read.stamp });
    if (rec.userId !== null) {
      op = this.#bump(op, await this.#core.kv.get(this.#h(rec.userId)), rec.userId, now);
    }
    if (!(await this.#drop(op, rec).commit()).ok) return RETRY;
    return reuse ? { status: "reused", sessionId: rec.id, userId: rec.userId } : null;
  }

  /** Writes a changed record (and its user's copy), checked against the version read. */
  async #save(read: Read, next: KvRec, now: number): Promise<boolean> {
    const op = this.#core.kv.atomic().check({ key: this.#s(next.id), versionstamp: read.stamp });
    return (await this.#put(op, next, now).commit()).ok;
  }

  /** The user's live sessions in login order, each with its versionstamp. */
  async #mine(userId: string, now: number): Promise<Read[]> {
    const out: Read[] = [];
    for await (
      const e of this.#core.kv.list({ prefix: this.#core.key("u", userId) }, { batchSize: 1000 })
    ) {
      const read = readOf(e);
      if (read !== null && isLive(read.rec, now)) out.push(read);
    }
    return out;
  }

  #put(op: DenoKvAtomic, rec: KvRec, now: number): DenoKvAtomic {
    const expire = this.#core.expire(rec.idleExpiresAt, now);
    op.set(this.#s(rec.id), rec, expire);
    if (rec.userId !== null) op.set(this.#core.key("u", rec.userId, rec.seq, rec.id), rec, expire);
    return op;
  }

  #drop(op: DenoKvAtomic, rec: KvRec): DenoKvAtomic {
    op.delete(this.#s(rec.id));
    if (rec.userId !== null) op.delete(this.#core.key("u", rec.userId, rec.seq, rec.id));
    return op;
  }

  /** Checks the user's head as read and writes it again (a new versionstamp for racing readers). */
  #bump(
    op: DenoKvAtomic,
    read: DenoKvEntry,
    userId: string,
    now: number,
    seq?: number,
    absoluteExpiresAt = 0,
  ): DenoKvAtomic {
    const old = read.versionstamp === null ? null : read.value as Head;
    const head: Head = {
      seq: seq ?? old?.seq ?? 0,
      horizon: Math.max(old?.horizon ?? now, absoluteExpiresAt),
    };
    const key = this.#h(userId);
    return op.check({ key, versionstamp: read.versionstamp }).set(
      key,
      head,
      this.#core.expire(head.horizon, now),
    );
  }

  #parse(credential: string): { id: string; hash: string } | null {
    check.checkCredentialArg(credential);
    const parsed = tryParseCredential(credential);
    return parsed === null ? null : { id: parsed.sessionId, hash: hashSecret(parsed.secret) };
  }

  #s(id: string): DenoKvKey {
    return this.#core.key("s", id);
  }

  #h(userId: string): DenoKvKey {
    return this.#core.key("h", userId);
  }
}
