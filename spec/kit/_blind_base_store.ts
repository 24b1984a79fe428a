// A plain in-memory session store written from the store contract alone (src/model/store.ts,
// docs/writing-a-store.md), the way an application developer would: Maps for sessions, a per-user
// index in login order, revocation maps, one lock, a full sweep before each operation. It is the
// base of the "blind" family of broken stores (_blind_broken_stores.ts): every rule of the
// contract sits in one small protected method, so a single defect is one override.
//
// Written without reading the kit's internals or the reference model, to measure how well the kit
// catches defects nobody described to it (issue 21).

import {
  type AttachOptions,
  type AttachResult,
  type BindFacts,
  checkArguments,
  type Clock,
  constantTimeEqual,
  type CreateOptions,
  type CreateResult,
  DEFAULT_MAX_DATA_BYTES,
  type DestroyAllOptions,
  type DeviceInfo,
  formatCredential,
  generateSecret,
  generateSessionId,
  hashSecret,
  type JsonObject,
  type RandomSource,
  RETIRED_SECRETS_KEPT,
  type RotateOptions,
  type RotateResult,
  type Session,
  type SessionKind,
  type SessionStore,
  type TokenCutoff,
  type TokenIdentity,
  type TokenRevocation,
  tryParseCredential,
  type UpdateOptions,
  type UpdateResult,
  type ValidateOptions,
  type ValidateResult,
} from "../../src/stores/store.ts";

/** One stored session (mutable: the store owns it). */
export interface BlindRecord {
  id: string;
  userId: string | null;
  kind: SessionKind;
  data: JsonObject;
  version: number;
  device: DeviceInfo;
  createdAt: number;
  lastActiveAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  idleTtlMs: number;
  rotatedAt: number;
  authenticatedAt: number | null;
  /** SHA-256 of the current secret. */
  secretHash: string;
  /** Hashes of rotated-away secrets, oldest first. */
  retired: string[];
  /** The newest retired secret validates strictly before this instant. */
  graceUntil: number;
  /** Login order: smaller is older. */
  loginSeq: number;
}

/** An access-token cutoff. */
export interface BlindCutoff {
  issuedBefore: number;
  until: number;
}

/** What a presented secret is to a session. */
export type SecretVerdict = "current" | "grace" | "reused" | "unknown";

/** What a credential designates. */
export type Lookup =
  | { readonly found: "ok"; readonly record: BlindRecord; readonly grace: boolean }
  | { readonly found: "reused"; readonly record: BlindRecord }
  | { readonly found: "none" };

/** The store's settings (the factory shape the kit hands out). */
export interface BlindStoreOptions {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly maxDataBytes?: number;
}

/** Name of a store operation (for the lock). */
export type BlindOperation = keyof SessionStore;

type Opened = { session: Session; credential: string; evicted: Session[] };
type Mismatch = { status: "binding-mismatch"; sessionId: string; userId: string | null };
type Reused = { status: "reused"; sessionId: string; userId: string | null };

/** The correct base store. */
export class BlindBaseStore implements SessionStore {
  protected readonly clock: Clock;
  protected readonly random: RandomSource;
  protected readonly config: { maxDataBytes: number };
  /** Sessions by `sessionKey(id)`. */
  protected readonly sessions: Map<string, BlindRecord> = new Map();
  /** Session ids by `userKey(userId)`, in login order. */
  protected readonly users: Map<string, string[]> = new Map();
  /** Revoked jtis: `tokenKey(sessionId, jti)` → until. */
  protected readonly revokedJtis: Map<string, number> = new Map();
  protected readonly sessionCutoffs: Map<string, BlindCutoff> = new Map();
  protected readonly userCutoffs: Map<string, BlindCutoff> = new Map();
  protected loginCounter = 0;
  #tail: Promise<void> = Promise.resolve();

  constructor(options: BlindStoreOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.config = { maxDataBytes: options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES };
  }

  /** Everything held, as text (hashes only, never a secret). */
  dump(): string {
    return JSON.stringify({
      sessions: [...this.sessions.values()],
      users: [...this.users],
      jtis: [...this.revokedJtis],
      sessionCutoffs: [...this.sessionCutoffs],
      userCutoffs: [...this.userCutoffs],
    });
  }

  // --- Keys -----------------------------------------------------------------------------------

  protected sessionKey(id: string): string {
    return id;
  }

  protected userKey(userId: string): string {
    return userId;
  }

  protected tokenKey(sessionId: string, jti: string): string {
    return JSON.stringify([sessionId, jti]);
  }

  // --- Copies in and out ----------------------------------------------------------------------

  protected copyIn(data: JsonObject): JsonObject {
    return structuredClone(data);
  }

  protected copyOut(data: JsonObject): JsonObject {
    return structuredClone(data);
  }

  protected deviceIn(device: DeviceInfo | undefined): DeviceInfo {
    const out: { userAgent?: string; ip?: string; label?: string } = {};
    if (device?.userAgent !== undefined) out.userAgent = device.userAgent;
    if (device?.ip !== undefined) out.ip = device.ip;
    if (device?.label !== undefined) out.label = device.label;
    return out;
  }

  protected view(r: BlindRecord): Session {
    return {
      id: r.id,
      userId: r.userId,
      kind: r.kind,
      data: this.copyOut(r.data),
      version: r.version,
      device: { ...r.device },
      createdAt: r.createdAt,
      lastActiveAt: r.lastActiveAt,
      idleExpiresAt: r.idleExpiresAt,
      absoluteExpiresAt: r.absoluteExpiresAt,
      idleTtlMs: r.idleTtlMs,
      rotatedAt: r.rotatedAt,
      authenticatedAt: r.authenticatedAt,
    };
  }

  // --- Time rules -----------------------------------------------------------------------------

  protected isLive(r: BlindRecord, now: number): boolean {
    return now < r.idleExpiresAt;
  }

  protected shouldSlide(r: BlindRecord, now: number, threshold: number): boolean {
    return r.idleExpiresAt - now < threshold * r.idleTtlMs;
  }

  protected slide(r: BlindRecord, now: number): void {
    r.lastActiveAt = now;
    r.idleExpiresAt = Math.min(now + r.idleTtlMs, r.absoluteExpiresAt);
  }

  /** What a valid `validate` does to the session. */
  protected onValidated(r: BlindRecord, now: number, threshold: number): void {
    if (this.shouldSlide(r, now, threshold)) this.slide(r, now);
  }

  protected graceDeadline(now: number, graceMs: number): number {
    return now + graceMs;
  }

  protected inGrace(r: BlindRecord, now: number): boolean {
    return now < r.graceUntil;
  }

  // --- Credentials ----------------------------------------------------------------------------

  protected remember(r: BlindRecord, hash: string): void {
    r.retired.push(hash);
    while (r.retired.length > RETIRED_SECRETS_KEPT) r.retired.shift();
  }

  protected judgeSecret(r: BlindRecord, hash: string, now: number): SecretVerdict {
    if (constantTimeEqual(hash, r.secretHash)) return "current";
    const newest = r.retired[r.retired.length - 1];
    if (newest !== undefined && constantTimeEqual(hash, newest)) {
      return this.inGrace(r, now) ? "grace" : "reused";
    }
    return r.retired.some((old) => constantTimeEqual(old, hash)) ? "reused" : "unknown";
  }

  protected lookup(credential: string, now: number, kind: SessionKind | undefined): Lookup {
    const parsed = tryParseCredential(credential);
    if (parsed === null) return { found: "none" };
    const r = this.sessions.get(this.sessionKey(parsed.sessionId));
    if (r === undefined || !this.isLive(r, now)) return { found: "none" };
    if (kind !== undefined && r.kind !== kind) return { found: "none" };
    const verdict = this.judgeSecret(r, hashSecret(parsed.secret), now);
    if (verdict === "current") return { found: "ok", record: r, grace: false };
    if (verdict === "grace") return { found: "ok", record: r, grace: true };
    if (verdict === "reused") return { found: "reused", record: r };
    return { found: "none" };
  }

  /** Reuse of a rotated-away secret: the session goes. */
  protected onReuse(r: BlindRecord): Reused {
    this.removeSession(r);
    return { status: "reused", sessionId: r.id, userId: r.userId };
  }

  // --- Binding --------------------------------------------------------------------------------

  protected bindingFails(device: DeviceInfo, bind: BindFacts | undefined): boolean {
    if (bind === undefined) return false;
    for (const key of ["userAgent", "ip"] as const) {
      if (bind[key] === undefined) continue;
      const recorded = device[key];
      if (recorded !== undefined && recorded !== bind[key]) return true;
    }
    return false;
  }

  /** A refused binding: nothing changes. */
  protected onMismatch(_op: "validate" | "rotate", r: BlindRecord, _now: number): Mismatch {
    return { status: "binding-mismatch", sessionId: r.id, userId: r.userId };
  }

  // --- Users and limits -----------------------------------------------------------------------

  protected indexAdd(r: BlindRecord): void {
    if (r.userId === null) return;
    const key = this.userKey(r.userId);
    const ids = this.users.get(key) ?? [];
    ids.push(r.id);
    this.users.set(key, ids);
  }

  protected indexRemove(r: BlindRecord): void {
    if (r.userId === null) return;
    const key = this.userKey(r.userId);
    const ids = (this.users.get(key) ?? []).filter((id) => id !== r.id);
    if (ids.length === 0) this.users.delete(key);
    else this.users.set(key, ids);
  }

  /** The user's session records as the index has them, in login order. */
  protected indexed(userId: string): BlindRecord[] {
    const out: BlindRecord[] = [];
    for (const id of this.users.get(this.userKey(userId)) ?? []) {
      const r = this.sessions.get(this.sessionKey(id));
      if (r !== undefined) out.push(r);
    }
    return out.sort((a, b) => a.loginSeq - b.loginSeq);
  }

  /** The user's live sessions, oldest login first. */
  protected liveSessions(userId: string, now: number): BlindRecord[] {
    return this.indexed(userId).filter((r) => this.isLive(r, now));
  }

  /** What `list` answers. */
  protected listed(userId: string, now: number): BlindRecord[] {
    return this.liveSessions(userId, now);
  }

  /** The sessions a login counts against the limit. */
  protected limitPool(userId: string, now: number): BlindRecord[] {
    return this.liveSessions(userId, now);
  }

  /** The oldest logins beyond room for one more. */
  protected pickEvictions(pool: BlindRecord[], limit: number): BlindRecord[] {
    const excess = pool.length + 1 - limit;
    return excess > 0 ? pool.slice(0, excess) : [];
  }

  /** Applies the limit: the evicted sessions (removed), or `null` when the login is refused. */
  protected applyLimit(
    pool: BlindRecord[],
    limit: number,
    onLimit: "evict-oldest" | "reject",
  ): BlindRecord[] | null {
    const doomed = this.pickEvictions(pool, limit);
    if (doomed.length > 0 && onLimit === "reject") return null;
    for (const r of doomed) this.removeSession(r);
    return doomed;
  }

  protected removeSession(r: BlindRecord): void {
    this.sessions.delete(this.sessionKey(r.id));
    this.indexRemove(r);
  }

  // --- Step-up --------------------------------------------------------------------------------

  protected loginAuthenticatedAt(userId: string | null, now: number): number | null {
    return userId === null ? null : now;
  }

  protected rotatedAuthenticatedAt(r: BlindRecord, now: number, reauthenticate: boolean) {
    return reauthenticate && r.userId !== null ? now : r.authenticatedAt;
  }

  // --- Attach ---------------------------------------------------------------------------------

  protected attachData(anon: BlindRecord, data: JsonObject | undefined): JsonObject {
    return data ?? anon.data;
  }

  protected attachDevice(anon: BlindRecord, device: DeviceInfo | undefined): DeviceInfo {
    return device ?? anon.device;
  }

  // --- Data -----------------------------------------------------------------------------------

  /** Compare-and-set write: `false` on a version conflict (nothing written). */
  protected writeData(r: BlindRecord, data: JsonObject, expected: number | undefined): boolean {
    if (expected !== undefined && expected !== r.version) return false;
    r.data = this.copyIn(data);
    r.version += 1;
    return true;
  }

  // --- Token revocation -----------------------------------------------------------------------

  protected mergeJti(old: number | undefined, expiresAt: number): number {
    return old === undefined ? expiresAt : Math.max(old, expiresAt);
  }

  protected jtiRevoked(until: number | undefined, now: number): boolean {
    return until !== undefined && now < until;
  }

  protected mergeCutoff(old: BlindCutoff | undefined, next: BlindCutoff, now: number) {
    if (old === undefined || now >= old.until) return { ...next };
    return {
      issuedBefore: Math.max(old.issuedBefore, next.issuedBefore),
      until: Math.max(old.until, next.until),
    };
  }

  protected cutoffApplies(c: BlindCutoff | undefined, issuedAt: number, now: number): boolean {
    return c !== undefined && now < c.until && issuedAt < c.issuedBefore;
  }

  protected sessionCutoffFor(sessionId: string): BlindCutoff | undefined {
    return this.sessionCutoffs.get(sessionId);
  }

  protected userCutoffFor(userId: string): BlindCutoff | undefined {
    return this.userCutoffs.get(this.userKey(userId));
  }

  protected storeCutoff(cutoff: TokenCutoff, now: number): void {
    const next = { issuedBefore: cutoff.issuedBefore, until: cutoff.until };
    if (cutoff.sessionId !== undefined) {
      const old = this.sessionCutoffs.get(cutoff.sessionId);
      this.sessionCutoffs.set(cutoff.sessionId, this.mergeCutoff(old, next, now));
    } else {
      const key = this.userKey(cutoff.userId);
      this.userCutoffs.set(key, this.mergeCutoff(this.userCutoffs.get(key), next, now));
    }
  }

  // --- Housekeeping ---------------------------------------------------------------------------

  /** Drops what is logically dead. Invisible to callers. */
  protected sweep(now: number): void {
    for (const r of [...this.sessions.values()]) if (!this.isLive(r, now)) this.removeSession(r);
    for (const [key, until] of this.revokedJtis) if (now >= until) this.revokedJtis.delete(key);
    for (const map of [this.sessionCutoffs, this.userCutoffs]) {
      for (const [key, c] of map) if (now >= c.until) map.delete(key);
    }
  }

  /** Runs one operation at a time. */
  protected exclusive<T>(_op: BlindOperation, body: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(body);
    this.#tail = run.then(() => {}, () => {});
    return run;
  }

  /** A round trip to the backend between reading and writing (a real store has one). */
  protected async roundTrip(): Promise<void> {
    await Promise.resolve();
  }

  // --- Operations -----------------------------------------------------------------------------

  protected async open(
    options: CreateOptions | AttachOptions,
    data: JsonObject,
    device: DeviceInfo,
    now: number,
  ): Promise<Opened | null> {
    const userId = options.userId;
    let evicted: BlindRecord[] = [];
    if (userId !== null) {
      const pool = this.limitPool(userId, now);
      await this.roundTrip();
      const out = this.applyLimit(
        pool,
        options.limit ?? Infinity,
        options.onLimit ?? "evict-oldest",
      );
      if (out === null) return null;
      evicted = out;
    }
    let id = generateSessionId(this.random);
    while (this.sessions.has(this.sessionKey(id))) id = generateSessionId(this.random);
    const secret = generateSecret(this.random);
    const r: BlindRecord = {
      id,
      userId,
      kind: options.kind ?? "cookie",
      data: this.copyIn(data),
      version: 1,
      device: this.deviceIn(device),
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt: now + options.idleTtlMs,
      absoluteExpiresAt: now + options.absoluteTtlMs,
      idleTtlMs: options.idleTtlMs,
      rotatedAt: now,
      authenticatedAt: this.loginAuthenticatedAt(userId, now),
      secretHash: hashSecret(secret),
      retired: [],
      graceUntil: now,
      loginSeq: ++this.loginCounter,
    };
    this.sessions.set(this.sessionKey(id), r);
    this.indexAdd(r);
    return {
      session: this.view(r),
      credential: formatCredential(id, secret),
      evicted: evicted.map((e) => this.view(e)),
    };
  }

  async create(options: CreateOptions): Promise<CreateResult> {
    checkArguments({ op: "create", options }, this.config);
    return this.exclusive("create", async () => {
      const now = this.clock.now();
      this.sweep(now);
      const opened = await this.open(
        options,
        options.data ?? {},
        this.deviceIn(options.device),
        now,
      );
      return opened === null ? { status: "limit-reached" } : { status: "created", ...opened };
    });
  }

  async validate(credential: string, options: ValidateOptions = {}): Promise<ValidateResult> {
    checkArguments({ op: "validate", credential, options }, this.config);
    return this.exclusive("validate", async () => {
      const now = this.clock.now();
      this.sweep(now);
      const found = this.lookup(credential, now, options.kind);
      if (found.found === "none") return { status: "invalid" };
      if (found.found === "reused") return this.onReuse(found.record);
      const r = found.record;
      if (this.bindingFails(r.device, options.bind)) return this.onMismatch("validate", r, now);
      this.onValidated(r, now, options.slideThreshold ?? 1);
      return { status: "valid", session: this.view(r), grace: found.grace };
    });
  }

  async rotate(credential: string, options: RotateOptions = {}): Promise<RotateResult> {
    checkArguments({ op: "rotate", credential, options }, this.config);
    return this.exclusive("rotate", async () => {
      const now = this.clock.now();
      this.sweep(now);
      const found = this.lookup(credential, now, options.kind);
      if (found.found === "none") return { status: "invalid" };
      if (found.found === "reused") return this.onReuse(found.record);
      const r = found.record;
      if (this.bindingFails(r.device, options.bind)) return this.onMismatch("rotate", r, now);
      if (found.grace) return { status: "grace", session: this.view(r) };
      await this.roundTrip();
      const secret = generateSecret(this.random);
      this.remember(r, r.secretHash);
      r.secretHash = hashSecret(secret);
      r.graceUntil = this.graceDeadline(now, options.graceMs ?? 0);
      r.rotatedAt = now;
      r.authenticatedAt = this.rotatedAuthenticatedAt(r, now, options.reauthenticate === true);
      this.slide(r, now);
      return {
        status: "rotated",
        session: this.view(r),
        credential: formatCredential(r.id, secret),
      };
    });
  }

  async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    checkArguments({ op: "attach", credential, options }, this.config);
    return this.exclusive("attach", async () => {
      const now = this.clock.now();
      this.sweep(now);
      const found = this.lookup(credential, now, "cookie");
      if (found.found === "none") return { status: "invalid" };
      if (found.found === "reused") return this.onReuse(found.record);
      const anon = found.record;
      if (anon.userId !== null) return { status: "not-anonymous" };
      const data = this.attachData(anon, options.data);
      const device = this.attachDevice(anon, options.device);
      const opened = await this.open(options, data, device, now);
      if (opened === null) return { status: "limit-reached" };
      this.removeSession(anon);
      return { status: "attached", ...opened, replacedSessionId: anon.id };
    });
  }

  async update(
    sessionId: string,
    data: JsonObject,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    checkArguments({ op: "update", sessionId, data, options }, this.config);
    return this.exclusive("update", async () => {
      const now = this.clock.now();
      this.sweep(now);
      const r = this.sessions.get(this.sessionKey(sessionId));
      if (r === undefined || !this.isLive(r, now)) return { status: "invalid" };
      await this.roundTrip();
      return this.writeData(r, data, options.expectedVersion)
        ? { status: "updated", session: this.view(r) }
        : { status: "conflict", session: this.view(r) };
    });
  }

  async get(sessionId: string): Promise<Session | null> {
    checkArguments({ op: "get", sessionId }, this.config);
    return this.exclusive("get", async () => {
      const now = this.clock.now();
      const r = this.sessions.get(this.sessionKey(sessionId));
      return r !== undefined && this.isLive(r, now) ? this.view(r) : null;
    });
  }

  async destroy(sessionId: string): Promise<Session | null> {
    checkArguments({ op: "destroy", sessionId }, this.config);
    return this.exclusive("destroy", async () => {
      const now = this.clock.now();
      const r = this.sessions.get(this.sessionKey(sessionId));
      if (r === undefined || !this.isLive(r, now)) return null;
      this.removeSession(r);
      return this.view(r);
    });
  }

  async list(userId: string): Promise<Session[]> {
    checkArguments({ op: "list", userId }, this.config);
    return this.exclusive("list", async () => {
      return this.listed(userId, this.clock.now()).map((r) => this.view(r));
    });
  }

  async destroyAll(userId: string, options: DestroyAllOptions = {}): Promise<Session[]> {
    checkArguments({ op: "destroyAll", userId, options }, this.config);
    return this.exclusive("destroyAll", async () => {
      const now = this.clock.now();
      const doomed = this.liveSessions(userId, now).filter((r) => r.id !== options.exceptSessionId);
      for (const r of doomed) this.removeSession(r);
      return doomed.map((r) => this.view(r));
    });
  }

  async revokeToken(revocation: TokenRevocation): Promise<void> {
    checkArguments({ op: "revokeToken", revocation }, this.config);
    return this.exclusive("revokeToken", async () => {
      this.sweep(this.clock.now());
      const key = this.tokenKey(revocation.sessionId, revocation.jti);
      this.revokedJtis.set(key, this.mergeJti(this.revokedJtis.get(key), revocation.expiresAt));
    });
  }

  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    checkArguments({ op: "revokeTokens", cutoff }, this.config);
    return this.exclusive("revokeTokens", async () => {
      const now = this.clock.now();
      this.sweep(now);
      this.storeCutoff(cutoff, now);
    });
  }

  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    checkArguments({ op: "isTokenRevoked", token }, this.config);
    return this.exclusive("isTokenRevoked", async () => {
      const now = this.clock.now();
      const until = this.revokedJtis.get(this.tokenKey(token.sessionId, token.jti));
      return this.jtiRevoked(until, now) ||
        this.cutoffApplies(this.sessionCutoffFor(token.sessionId), token.issuedAt, now) ||
        this.cutoffApplies(this.userCutoffFor(token.userId), token.issuedAt, now);
    });
  }
}

/** The factory the kit takes, for the base store. */
export function blindBaseFactory(
  ctx: { clock: Clock; random: RandomSource; maxDataBytes?: number },
): BlindBaseStore {
  return new BlindBaseStore(ctx);
}
