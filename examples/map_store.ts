// A complete session store over plain Maps, written the way docs/writing-a-store.md explains: the
// arguments are checked with `checkArguments`, every operation runs under one mutex, and each rule
// of the contract is one small method. It passes the conformance kit (spec/stores/map_store.test.ts).
// In your own project, import from "@sessionkit/sessionkit/store" (and the kit from ".../testing").

import {
  type Clock,
  type DeviceInfo,
  type JsonObject,
  type RandomSource,
  type Session,
  type SessionKind,
  type SessionStore,
  webCryptoRandom,
} from "../src/stores/store.ts";
import {
  type AttachOptions,
  type AttachResult,
  constantTimeEqual,
  type CreateOptions,
  type CreateResult,
  DEFAULT_MAX_DATA_BYTES,
  type DestroyAllOptions,
  formatCredential,
  generateSecret,
  generateSessionId,
  hashSecret,
  RETIRED_SECRETS_KEPT,
  type RotateOptions,
  type RotateResult,
  type TokenCutoff,
  type TokenIdentity,
  type TokenRevocation,
  tryParseCredential,
  type UpdateOptions,
  type UpdateResult,
  type ValidateOptions,
  type ValidateResult,
} from "../src/stores/store.ts";
import { bindingMismatch, checkArguments } from "../src/stores/store.ts";

/** One stored session. The credential's secret is kept only as its SHA-256 hash. */
export interface Entry {
  id: string;
  userId: string | null;
  /** What the session was issued as: a cookie session or a refresh-token family. */
  kind: SessionKind;
  dataJson: string;
  version: number;
  device: DeviceInfo;
  createdAt: number;
  lastActiveAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  idleTtlMs: number;
  rotatedAt: number;
  /** When the user last proved who they are; `null` for an anonymous session. */
  authenticatedAt: number | null;
  secretHash: string;
  /** Hashes of rotated-away secrets, oldest first, at most RETIRED_SECRETS_KEPT. */
  retired: string[];
  graceUntil: number;
  /** Login order within the user: smaller is older. */
  seq: number;
}

/** A cutoff of access tokens. */
export interface Cutoff {
  issuedBefore: number;
  until: number;
}

/** What a credential designates. */
export type Found =
  | { outcome: "ok"; entry: Entry; grace: boolean }
  | { outcome: "invalid" }
  | { outcome: "reused"; entry: Entry };

/** The operations, named for `exclusive`. */
export type OperationName = keyof SessionStore;

/** A session store over Maps, for one process. */
export class MapStore implements SessionStore {
  protected readonly clock: Clock;
  protected readonly random: RandomSource;
  protected readonly maxDataBytes: number;
  protected readonly sessions: Map<string, Entry> = new Map();
  protected readonly tokens: Map<string, number> = new Map();
  protected readonly sessionCutoffs: Map<string, Cutoff> = new Map();
  protected readonly userCutoffs: Map<string, Cutoff> = new Map();
  #seq = 0;
  readonly #config: { maxDataBytes: number };
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { clock: Clock; random?: RandomSource; maxDataBytes?: number }) {
    this.clock = options.clock;
    this.random = options.random ?? webCryptoRandom;
    this.maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
    this.#config = { maxDataBytes: this.maxDataBytes };
  }

  /** Everything stored, as text (the kit checks that no secret appears in it). */
  dump(): string {
    return JSON.stringify([...this.sessions.values(), ...this.tokens, ...this.userCutoffs]);
  }

  // --- The rules of the contract, one method each -------------------------------------------

  /** A session is live strictly before its idle expiry (which never passes the absolute one). */
  protected isLive(e: Entry, now: number): boolean {
    return now < e.idleExpiresAt;
  }

  /** Sliding: `lastActiveAt` moves, the idle expiry is capped by the absolute expiry. */
  protected slide(e: Entry, now: number): void {
    e.lastActiveAt = now;
    e.idleExpiresAt = Math.min(now + e.idleTtlMs, e.absoluteExpiresAt);
  }

  /** Validation slides only when less than `threshold` of the idle TTL remains. */
  protected shouldSlide(e: Entry, now: number, threshold: number): boolean {
    return e.idleExpiresAt - now < threshold * e.idleTtlMs;
  }

  /** The immediate predecessor validates strictly before `graceUntil`. */
  protected inGrace(e: Entry, now: number): boolean {
    return now < e.graceUntil;
  }

  /** Remembers a rotated-away secret (the newest RETIRED_SECRETS_KEPT of them). */
  protected retire(e: Entry, hash: string): void {
    e.retired = [...e.retired, hash].slice(-RETIRED_SECRETS_KEPT);
  }

  /** A user's live sessions, oldest login first. */
  protected liveOf(userId: string, now: number): Entry[] {
    return [...this.sessions.values()]
      .filter((e) => e.userId === userId && this.isLive(e, now))
      .sort((a, b) => a.seq - b.seq);
  }

  /** Which sessions a login must evict to stay within `limit` (the oldest logins). */
  protected toEvict(mine: Entry[], limit: number): Entry[] {
    const excess = mine.length - limit + 1;
    return excess > 0 ? mine.slice(0, excess) : [];
  }

  /** A new cutoff merges with one still in force; a past one is replaced. */
  protected mergeCutoff(old: Cutoff | undefined, c: Cutoff, now: number): Cutoff {
    if (old === undefined || now >= old.until) return { ...c };
    return {
      issuedBefore: Math.max(old.issuedBefore, c.issuedBefore),
      until: Math.max(old.until, c.until),
    };
  }

  /** A revocation of the same jti keeps the later expiry. */
  protected mergeRevocation(old: number | undefined, expiresAt: number): number {
    return Math.max(old ?? 0, expiresAt);
  }

  /** A revoked jti stays revoked strictly before the token's expiry. */
  protected jtiRevoked(until: number | undefined, now: number): boolean {
    return until !== undefined && now < until;
  }

  /** The sessions a login counts against the limit: the user's live ones, oldest first. */
  protected limitPool(userId: string, now: number): Entry[] {
    return this.liveOf(userId, now);
  }

  /** The data of an attached session: `data` when given, else the anonymous session's. */
  protected attachData(anon: Entry, data: JsonObject | undefined): JsonObject {
    return data ?? (JSON.parse(anon.dataJson) as JsonObject);
  }

  /** Only the device fields of the contract are kept. */
  protected deviceOf(device: DeviceInfo | undefined): DeviceInfo {
    const out: { userAgent?: string; ip?: string; label?: string } = {};
    if (device?.userAgent !== undefined) out.userAgent = device.userAgent;
    if (device?.ip !== undefined) out.ip = device.ip;
    if (device?.label !== undefined) out.label = device.label;
    return out;
  }

  /** Whether a cutoff revokes a token issued at `iat`. */
  protected cuts(c: Cutoff | undefined, iat: number, now: number): boolean {
    return c !== undefined && now < c.until && iat < c.issuedBefore;
  }

  /** Runs one operation alone: the mutex makes every operation atomic. */
  protected exclusive<T>(_operation: OperationName, body: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(body, body);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** A stand-in for a round trip to a backend between reading and writing. */
  protected async pause(): Promise<void> {
    await Promise.resolve();
  }

  /**
   * What a credential designates now. A session of another kind than asked for is unknown (no
   * reuse verdict either); finding a retired secret is reuse.
   */
  protected find(credential: string, now: number, kind?: SessionKind): Found {
    const parsed = tryParseCredential(credential);
    const e = parsed === null ? undefined : this.sessions.get(parsed.sessionId);
    if (parsed === null || e === undefined || !this.isLive(e, now)) return { outcome: "invalid" };
    if (kind !== undefined && e.kind !== kind) return { outcome: "invalid" };
    const hash = hashSecret(parsed.secret);
    if (constantTimeEqual(hash, e.secretHash)) return { outcome: "ok", entry: e, grace: false };
    const last = e.retired.at(-1);
    if (last !== undefined && this.inGrace(e, now) && constantTimeEqual(hash, last)) {
      return { outcome: "ok", entry: e, grace: true };
    }
    if (e.retired.some((old) => constantTimeEqual(hash, old))) {
      return { outcome: "reused", entry: e };
    }
    return { outcome: "invalid" };
  }

  // --- The operations -------------------------------------------------------------------------

  async create(options: CreateOptions): Promise<CreateResult> {
    checkArguments({ op: "create", options }, this.#config);
    return this.exclusive("create", async () => {
      const now = this.clock.now();
      const opened = await this.open(options, options.userId, options.data, options.device, now);
      return opened === null ? { status: "limit-reached" } : { status: "created", ...opened };
    });
  }

  async validate(credential: string, options: ValidateOptions = {}): Promise<ValidateResult> {
    checkArguments({ op: "validate", credential, options }, this.#config);
    return this.exclusive("validate", async () => {
      const now = this.clock.now();
      const found = this.find(credential, now, options.kind);
      if (found.outcome === "invalid") return { status: "invalid" };
      if (found.outcome === "reused") return this.revoke(found.entry);
      const e = found.entry;
      // A refused binding changes nothing: checked before the slide.
      if (bindingMismatch(e.device, options.bind)) return this.mismatch(e);
      if (this.shouldSlide(e, now, options.slideThreshold ?? 1)) this.slide(e, now);
      return { status: "valid", session: this.view(e), grace: found.grace };
    });
  }

  async rotate(credential: string, options: RotateOptions = {}): Promise<RotateResult> {
    checkArguments({ op: "rotate", credential, options }, this.#config);
    return this.exclusive("rotate", async () => {
      const now = this.clock.now();
      const found = this.find(credential, now, options.kind);
      if (found.outcome === "invalid") return { status: "invalid" };
      if (found.outcome === "reused") return this.revoke(found.entry);
      const e = found.entry;
      if (bindingMismatch(e.device, options.bind)) return this.mismatch(e);
      if (found.grace) return { status: "grace", session: this.view(e) };
      await this.pause();
      const secret = generateSecret(this.random);
      this.retire(e, e.secretHash);
      e.secretHash = hashSecret(secret);
      e.graceUntil = now + (options.graceMs ?? 0);
      e.rotatedAt = now;
      if (options.reauthenticate === true && e.userId !== null) e.authenticatedAt = now;
      this.slide(e, now);
      return {
        status: "rotated",
        session: this.view(e),
        credential: formatCredential(e.id, secret),
      };
    });
  }

  async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    checkArguments({ op: "attach", credential, options }, this.#config);
    return this.exclusive("attach", async () => {
      const now = this.clock.now();
      // Only a cookie session can be logged into.
      const found = this.find(credential, now, "cookie");
      if (found.outcome === "invalid") return { status: "invalid" };
      if (found.outcome === "reused") return this.revoke(found.entry);
      const anon = found.entry;
      if (anon.userId !== null) return { status: "not-anonymous" };
      // Data and device are replaced when given, else kept (never merged).
      const data = this.attachData(anon, options.data);
      const opened = await this.open(
        options,
        options.userId,
        data,
        options.device ?? anon.device,
        now,
      );
      if (opened === null) return { status: "limit-reached" };
      this.sessions.delete(anon.id);
      return { status: "attached", ...opened, replacedSessionId: anon.id };
    });
  }

  async update(
    sessionId: string,
    data: JsonObject,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    checkArguments({ op: "update", sessionId, data, options }, this.#config);
    return this.exclusive("update", async () => {
      const e = this.sessions.get(sessionId);
      if (e === undefined || !this.isLive(e, this.clock.now())) return { status: "invalid" };
      const expected = options.expectedVersion;
      if (expected !== undefined && expected !== e.version) {
        return { status: "conflict", session: this.view(e) };
      }
      await this.pause();
      e.dataJson = JSON.stringify(data);
      e.version++;
      return { status: "updated", session: this.view(e) };
    });
  }

  async get(sessionId: string): Promise<Session | null> {
    checkArguments({ op: "get", sessionId }, this.#config);
    return this.exclusive("get", async () => {
      const e = this.sessions.get(sessionId);
      return e !== undefined && this.isLive(e, this.clock.now()) ? this.view(e) : null;
    });
  }

  async destroy(sessionId: string): Promise<Session | null> {
    checkArguments({ op: "destroy", sessionId }, this.#config);
    return this.exclusive("destroy", async () => {
      const e = this.sessions.get(sessionId);
      if (e === undefined || !this.isLive(e, this.clock.now())) return null;
      this.sessions.delete(e.id);
      return this.view(e);
    });
  }

  async list(userId: string): Promise<Session[]> {
    checkArguments({ op: "list", userId }, this.#config);
    return this.exclusive("list", async () => {
      return this.liveOf(userId, this.clock.now()).map((e) => this.view(e));
    });
  }

  async destroyAll(userId: string, options: DestroyAllOptions = {}): Promise<Session[]> {
    checkArguments({ op: "destroyAll", userId, options }, this.#config);
    return this.exclusive("destroyAll", async () => {
      const doomed = this.liveOf(userId, this.clock.now())
        .filter((e) => e.id !== options.exceptSessionId);
      for (const e of doomed) this.sessions.delete(e.id);
      return doomed.map((e) => this.view(e));
    });
  }

  async revokeToken(revocation: TokenRevocation): Promise<void> {
    checkArguments({ op: "revokeToken", revocation }, this.#config);
    return this.exclusive("revokeToken", async () => {
      const key = `${revocation.sessionId} ${revocation.jti}`;
      this.tokens.set(key, this.mergeRevocation(this.tokens.get(key), revocation.expiresAt));
    });
  }

  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    checkArguments({ op: "revokeTokens", cutoff }, this.#config);
    return this.exclusive("revokeTokens", async () => {
      const [map, key] = cutoff.sessionId !== undefined
        ? [this.sessionCutoffs, cutoff.sessionId]
        : [this.userCutoffs, cutoff.userId!];
      const c = { issuedBefore: cutoff.issuedBefore, until: cutoff.until };
      map.set(key, this.mergeCutoff(map.get(key), c, this.clock.now()));
    });
  }

  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    checkArguments({ op: "isTokenRevoked", token }, this.#config);
    return this.exclusive("isTokenRevoked", async () => {
      const now = this.clock.now();
      const until = this.tokens.get(`${token.sessionId} ${token.jti}`);
      return this.jtiRevoked(until, now) ||
        this.cuts(this.sessionCutoffs.get(token.sessionId), token.issuedAt, now) ||
        this.cuts(this.userCutoffs.get(token.userId), token.issuedAt, now);
    });
  }

  // --- Helpers --------------------------------------------------------------------------------

  /** Opens a session for a user (applying the limit) or an anonymous one. */
  protected async open(
    o: {
      idleTtlMs: number;
      absoluteTtlMs: number;
      kind?: SessionKind;
      limit?: number;
      onLimit?: string;
    },
    userId: string | null,
    data: JsonObject | undefined,
    device: DeviceInfo | undefined,
    now: number,
  ): Promise<{ session: Session; credential: string; evicted: Session[] } | null> {
    const mine = userId === null ? [] : this.limitPool(userId, now);
    const evicted = this.toEvict(mine, o.limit ?? Infinity);
    if (evicted.length > 0 && o.onLimit === "reject") return null;
    await this.pause();
    for (const e of evicted) this.sessions.delete(e.id);
    let id = generateSessionId(this.random);
    while (this.sessions.has(id)) id = generateSessionId(this.random);
    const secret = generateSecret(this.random);
    const e: Entry = {
      id,
      userId,
      kind: o.kind ?? "cookie",
      dataJson: JSON.stringify(data ?? {}),
      version: 1,
      device: this.deviceOf(device),
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt: now + o.idleTtlMs,
      absoluteExpiresAt: now + o.absoluteTtlMs,
      idleTtlMs: o.idleTtlMs,
      rotatedAt: now,
      authenticatedAt: userId === null ? null : now,
      secretHash: hashSecret(secret),
      retired: [],
      graceUntil: 0,
      seq: ++this.#seq,
    };
    this.sessions.set(id, e);
    return {
      session: this.view(e),
      credential: formatCredential(id, secret),
      evicted: evicted.map((x) => this.view(x)),
    };
  }

  /** A refused binding check: nothing changes. */
  protected mismatch(
    e: Entry,
  ): { status: "binding-mismatch"; sessionId: string; userId: string | null } {
    return { status: "binding-mismatch", sessionId: e.id, userId: e.userId };
  }

  /** Reuse of a rotated-away secret: the whole session is revoked. */
  protected revoke(e: Entry): { status: "reused"; sessionId: string; userId: string | null } {
    this.sessions.delete(e.id);
    return { status: "reused", sessionId: e.id, userId: e.userId };
  }

  /** The public record of a session (never its secret). */
  protected view(e: Entry): Session {
    return {
      id: e.id,
      userId: e.userId,
      kind: e.kind,
      data: JSON.parse(e.dataJson) as JsonObject,
      version: e.version,
      device: { ...e.device },
      createdAt: e.createdAt,
      lastActiveAt: e.lastActiveAt,
      idleExpiresAt: e.idleExpiresAt,
      absoluteExpiresAt: e.absoluteExpiresAt,
      idleTtlMs: e.idleTtlMs,
      rotatedAt: e.rotatedAt,
      authenticatedAt: e.authenticatedAt,
    };
  }
}
