/**
 * SQLiteStore: a {@linkcode SessionStore} in one SQLite file, for a single-server app whose
 * sessions must survive a restart. Every write is one `BEGIN IMMEDIATE` transaction (atomic
 * across connections and processes on the same file); a validation that writes nothing is one
 * `SELECT`. Expiry is logical on the injected clock; rows past it are invisible and removed by
 * {@linkcode SQLiteStore.sweep}.
 *
 * @module
 */

import { checkSafeInteger } from "../core/_integers.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { generateSessionId, hashSecret, tryParseCredential } from "../core/credential.ts";
import { typeError } from "../core/errors.ts";
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
  decodeRow,
  insertValues,
  saveValues,
  type SqliteStatements,
  statements,
} from "./_sqlite_schema.ts";
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
  SQLiteDatabase,
  SQLiteStoreOptions,
  SQLiteSweepOptions,
  SQLiteSweepReport,
} from "./sqlite_store_options.ts";
import { SqliteConnection } from "./_sqlite_connection.ts";
import { encodeText } from "./_lossless_text.ts";

export type {
  SQLiteDatabase,
  SQLiteStatement,
  SQLiteStoreOptions,
  SQLiteSweepOptions,
  SQLiteSweepReport,
  SQLiteValue,
} from "./sqlite_store_options.ts";

const PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const INVALID = Object.freeze({ status: "invalid" as const });
/** A validation that must write (slide, or revoke on reuse): redone inside a transaction. */
const MUST_WRITE = Symbol("must-write");

const reusedOf = (rec: StoredSession) =>
  ({ status: "reused", sessionId: rec.id, userId: rec.userId }) as const;
const mismatchOf = (rec: StoredSession) =>
  ({ status: "binding-mismatch", sessionId: rec.id, userId: rec.userId }) as const;

/**
 * A session store in SQLite over a synchronous driver: `better-sqlite3`, `node:sqlite` or
 * `bun:sqlite`. Call {@linkcode SQLiteStore.migrate} once at start-up (safe to run again).
 * Give the store its own connection: a transaction the application holds open on it would make
 * the store's `BEGIN IMMEDIATE` fail.
 *
 * @example
 * ```ts
 * // node:sqlite (Node ≥ 22.5, Deno); better-sqlite3 and bun:sqlite fit as they are.
 * const { DatabaseSync } = await import("node:sqlite" as string);
 * import { SQLiteStore } from "@sessionkit/sessionkit/sqlite";
 * const store = new SQLiteStore(new DatabaseSync(":memory:"));
 * await store.migrate();
 * const login = await store.create({ userId: "ada", idleTtlMs: 60_000, absoluteTtlMs: 3_600_000 });
 * if (login.status !== "created") throw new Error("Login refused");
 * if ((await store.validate(login.credential)).status !== "valid") throw new Error("Not valid");
 * ```
 */
export class SQLiteStore implements SessionStore {
  readonly #c: SqliteConnection;
  readonly #sql: SqliteStatements;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #maxDataBytes: number;

  /**
   * Creates a store over a connection. Nothing is read or written until the first call.
   *
   * @param db A synchronous SQLite connection (see {@linkcode SQLiteDatabase}).
   * @param options Table prefix, clock, randomness, data cap, busy timeout.
   * @throws {TypeError} `invalid-argument` for a bad connection or table prefix.
   * @throws {RangeError} `invalid-argument` for a bad number option.
   */
  constructor(db: SQLiteDatabase, options: SQLiteStoreOptions = {}) {
    if (
      typeof db !== "object" || db === null || typeof db.prepare !== "function" ||
      typeof db.exec !== "function"
    ) {
      throw typeError("invalid-argument", "db must be a SQLite connection with prepare and exec");
    }
    const prefix = options.tablePrefix ?? "sk_";
    if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
      throw typeError("invalid-argument", "tablePrefix must be a letter or _, then [A-Za-z0-9_]");
    }
    const busyTimeoutMs = checkSafeInteger(options.busyTimeoutMs ?? 5_000, "busyTimeoutMs", 0);
    this.#c = new SqliteConnection(db, busyTimeoutMs);
    this.#sql = statements(prefix);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? webCryptoRandom;
    this.#maxDataBytes = check.checkMaxDataBytes(options.maxDataBytes);
  }

  /**
   * Creates the tables and indexes if they are missing and switches the file to WAL mode
   * (readers never wait for the writer). Safe to run twice, and from several processes.
   *
   * @example
   * ```ts
   * const { DatabaseSync } = await import("node:sqlite" as string);
   * import { SQLiteStore } from "@sessionkit/sessionkit/sqlite";
   * const store = new SQLiteStore(new DatabaseSync(":memory:"));
   * await store.migrate();
   * await store.migrate(); // nothing to do the second time
   * ```
   *
   * @throws {SessionError} `store-unavailable` when SQLite fails.
   */
  async migrate(): Promise<void> {
    this.#c.guard(() => {
      this.#c.exec("PRAGMA journal_mode = WAL");
      this.#c.write(() => this.#c.exec(this.#sql.migrate));
    });
  }

  /** See {@linkcode SessionStore.create}. One transaction. */
  async create(options: CreateOptions): Promise<CreateResult> {
    const o = check.checkCreate(options, this.#maxDataBytes);
    const now = this.#clock.now();
    return this.#c.guard(() =>
      this.#c.write(() => {
        const made = this.#open(o, o.dataJson, o.device, now);
        return made === null ? { status: "limit-reached" } : { status: "created", ...made };
      })
    );
  }

  /**
   * See {@linkcode SessionStore.validate}. One `SELECT` when nothing is written (a throttled
   * slide, an unknown credential, a binding mismatch); a slide or a reuse verdict is one
   * transaction that reads the row again and decides again.
   */
  async validate(credential: string, options?: ValidateOptions): Promise<ValidateResult> {
    const threshold = check.checkSlideThreshold(options?.slideThreshold);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    check.checkCredentialArg(credential);
    const parsed = tryParseCredential(credential);
    if (parsed === null) return INVALID;
    const hash = hashSecret(parsed.secret);
    const now = this.#clock.now();
    return this.#c.guard(() => {
      const decide = (write: boolean): ValidateResult | typeof MUST_WRITE => {
        const rec = this.#byId(parsed.sessionId);
        const verdict = judge(rec, hash, now, kind);
        if (verdict === "invalid" || rec === null) return INVALID;
        if (verdict === "reused") {
          if (!write) return MUST_WRITE;
          this.#c.run(this.#sql.remove, rec.id);
          return reusedOf(rec);
        }
        if (bindingMismatch(rec.device, bind)) return mismatchOf(rec);
        if (!slides(rec, now, threshold)) {
          return { status: "valid", session: view(rec), grace: verdict === "grace" };
        }
        if (!write) return MUST_WRITE;
        const next = slid(rec, now);
        this.#c.run(this.#sql.save, ...saveValues(next));
        return { status: "valid", session: view(next), grace: verdict === "grace" };
      };
      const quick = decide(false);
      if (quick !== MUST_WRITE) return quick;
      return this.#c.write(() => decide(true) as ValidateResult);
    });
  }

  /** See {@linkcode SessionStore.rotate}. One transaction. */
  async rotate(credential: string, options?: RotateOptions): Promise<RotateResult> {
    const graceMs = check.checkGraceMs(options?.graceMs);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const reauthenticate = check.checkReauthenticate(options?.reauthenticate);
    const found = this.#parse(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    return this.#c.guard(() =>
      this.#c.write((): RotateResult => {
        const rec = this.#byId(found.id);
        const verdict = judge(rec, found.hash, now, kind);
        if (verdict === "invalid" || rec === null) return INVALID;
        if (verdict === "reused") return this.#revoke(rec);
        if (bindingMismatch(rec.device, bind)) return mismatchOf(rec);
        if (verdict === "grace") return { status: "grace", session: view(rec) };
        const next = rotated(rec, now, this.#random, graceMs, reauthenticate);
        this.#c.run(this.#sql.save, ...saveValues(next.rec));
        return { status: "rotated", session: view(next.rec), credential: next.credential };
      })
    );
  }

  /** See {@linkcode SessionStore.attach}. One transaction. */
  async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    const o = check.checkAttach(options, this.#maxDataBytes);
    const found = this.#parse(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    return this.#c.guard(() =>
      this.#c.write((): AttachResult => {
        const anon = this.#byId(found.id);
        const verdict = judge(anon, found.hash, now, "cookie");
        if (verdict === "invalid" || anon === null) return INVALID;
        if (verdict === "reused") return this.#revoke(anon);
        if (anon.userId !== null) return { status: "not-anonymous" };
        const dataJson = options.data === undefined ? anon.dataJson : o.dataJson;
        const device = options.device === undefined ? anon.device : o.device;
        const made = this.#open(o, dataJson, device, now);
        if (made === null) return { status: "limit-reached" };
        this.#c.run(this.#sql.remove, anon.id);
        return { status: "attached", ...made, replacedSessionId: anon.id };
      })
    );
  }

  /** See {@linkcode SessionStore.update}. One transaction. */
  async update(
    sessionId: string,
    data: JsonObject,
    options?: UpdateOptions,
  ): Promise<UpdateResult> {
    check.checkSessionIdArg(sessionId);
    const dataJson = check.checkData(data, this.#maxDataBytes);
    const expected = check.checkExpectedVersion(options?.expectedVersion);
    const now = this.#clock.now();
    return this.#c.guard(() =>
      this.#c.write((): UpdateResult => {
        const rec = this.#byId(sessionId);
        if (!isLive(rec, now)) return INVALID;
        if (expected !== undefined && expected !== rec.version) {
          return { status: "conflict", session: view(rec) };
        }
        const next = { ...rec, dataJson, version: rec.version + 1 };
        this.#c.run(this.#sql.save, ...saveValues(next));
        return { status: "updated", session: view(next) };
      })
    );
  }

  /** See {@linkcode SessionStore.get}. One `SELECT`. */
  async get(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    const now = this.#clock.now();
    return this.#c.guard(() => {
      const rec = this.#byId(sessionId);
      return isLive(rec, now) ? view(rec) : null;
    });
  }

  /** See {@linkcode SessionStore.destroy}. One transaction. */
  async destroy(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    const now = this.#clock.now();
    return this.#c.guard(() =>
      this.#c.write(() => {
        const rec = this.#byId(sessionId);
        if (!isLive(rec, now)) return null;
        this.#c.run(this.#sql.remove, rec.id);
        return view(rec);
      })
    );
  }

  /** See {@linkcode SessionStore.list}. One `SELECT`. */
  async list(userId: string): Promise<Session[]> {
    check.checkUserId(userId);
    const now = this.#clock.now();
    return this.#c.guard(() => this.#userLive(userId, now).map(view));
  }

  /** See {@linkcode SessionStore.destroyAll}. One transaction. */
  async destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
    const except = options?.exceptSessionId;
    if (except !== undefined) check.checkSessionIdArg(except, "exceptSessionId");
    check.checkUserId(userId);
    const now = this.#clock.now();
    return this.#c.guard(() =>
      this.#c.write(() => {
        const doomed = this.#userLive(userId, now).filter((rec) => rec.id !== except);
        for (const rec of doomed) this.#c.run(this.#sql.remove, rec.id);
        return doomed.map(view);
      })
    );
  }

  /** See {@linkcode SessionStore.revokeToken}. One transaction. */
  async revokeToken(revocation: TokenRevocation): Promise<void> {
    const r = check.checkRevocation(revocation);
    this.#c.guard(() =>
      this.#c.write(() =>
        this.#c.run(this.#sql.revokeToken, r.sessionId, encodeText(r.jti), r.expiresAt)
      )
    );
  }

  /** See {@linkcode SessionStore.revokeTokens}. One transaction. */
  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    const c = check.checkCutoff(cutoff);
    const now = this.#clock.now();
    const [scope, key] = c.sessionId !== undefined
      ? ["s", c.sessionId]
      : ["u", encodeText(c.userId!)];
    this.#c.guard(() =>
      this.#c.write(() =>
        this.#c.run(this.#sql.revokeTokens, scope, key, c.issuedBefore, c.until, now, now)
      )
    );
  }

  /** See {@linkcode SessionStore.isTokenRevoked}. One `SELECT`. */
  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    const t = check.checkTokenIdentity(token);
    const now = this.#clock.now();
    return this.#c.guard(() => {
      const row = this.#c.stmt(this.#sql.isRevoked).get(
        t.sessionId,
        encodeText(t.jti),
        now,
        t.sessionId,
        now,
        t.issuedAt,
        encodeText(t.userId),
        now,
        t.issuedAt,
      ) as { revoked: unknown } | undefined;
      return Number(row?.revoked ?? 0) === 1;
    });
  }

  /**
   * Deletes what has logically expired — sessions, token revocations, cutoffs — in transactions
   * of at most `batch` rows each, letting other work run between batches. Expired rows are
   * already invisible; the sweep only reclaims space. Run it on an interval (e.g. hourly).
   *
   * @example
   * ```ts
   * const { DatabaseSync } = await import("node:sqlite" as string);
   * import { ManualClock } from "@sessionkit/sessionkit";
   * import { SQLiteStore } from "@sessionkit/sessionkit/sqlite";
   * const clock = new ManualClock(0);
   * const store = new SQLiteStore(new DatabaseSync(":memory:"), { clock });
   * await store.migrate();
   * await store.create({ userId: null, idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
   * clock.advance(1_000);
   * const { sessions } = await store.sweep({ batch: 100 });
   * if (sessions !== 1) throw new Error("Expected one expired session");
   * ```
   *
   * @param options Rows per transaction.
   * @returns How many rows of each kind were removed.
   * @throws {SessionError} `store-unavailable` when SQLite fails.
   * @throws {RangeError} `invalid-argument` for a bad `batch`.
   */
  async sweep(options: SQLiteSweepOptions = {}): Promise<SQLiteSweepReport> {
    const batch = checkSafeInteger(options.batch ?? 500, "batch", 1);
    const now = this.#clock.now();
    const removed = [0, 0, 0];
    const sqls = [this.#sql.sweepSessions, this.#sql.sweepTokens, this.#sql.sweepCutoffs];
    for (let i = 0; i < sqls.length; i++) {
      for (;;) {
        const changed = this.#c.guard(() => this.#c.write(() => this.#c.run(sqls[i]!, now, batch)));
        removed[i]! += changed;
        if (changed < batch) break;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    return { sessions: removed[0]!, tokens: removed[1]!, cutoffs: removed[2]! };
  }

  /** Opens a session under the user's limit (inside a transaction); `null` when refused. */
  #open(o: check.CheckedCreate, dataJson: string, device: DeviceInfo, now: number) {
    const mine = o.userId === null ? [] : this.#userLive(o.userId, now);
    const excess = excessAt(mine.length, o);
    if (excess < 0) return null;
    const evicted = mine.slice(0, excess);
    for (const rec of evicted) this.#c.run(this.#sql.remove, rec.id);
    let id = generateSessionId(this.#random);
    while (this.#c.stmt(this.#sql.idTaken).get(id) != null) id = generateSessionId(this.#random);
    const made = opened(id, o, dataJson, device, now, this.#random);
    this.#c.run(this.#sql.insert, ...insertValues(made.rec));
    return { session: view(made.rec), credential: made.credential, evicted: evicted.map(view) };
  }

  /** Reuse of a rotated-away secret: the session is revoked (inside a transaction). */
  #revoke(rec: StoredSession) {
    this.#c.run(this.#sql.remove, rec.id);
    return reusedOf(rec);
  }

  #parse(credential: string): { id: string; hash: string } | null {
    check.checkCredentialArg(credential);
    const parsed = tryParseCredential(credential);
    return parsed === null ? null : { id: parsed.sessionId, hash: hashSecret(parsed.secret) };
  }

  #byId(id: string): StoredSession | null {
    return decodeRow(this.#c.stmt(this.#sql.byId).get(id));
  }

  #userLive(userId: string, now: number): StoredSession[] {
    const rows = this.#c.stmt(this.#sql.userLive).all(encodeText(userId), now);
    return rows.map((row) => decodeRow(row)!);
  }
}
