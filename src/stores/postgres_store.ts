/**
 * PostgresStore: the {@linkcode SessionStore} over Postgres (a server through node-postgres or
 * postgres.js, or PGlite in process). Each operation is one statement or one transaction at READ
 * COMMITTED; a validation that writes nothing is one read.
 *
 * @module
 */

import { checkSafeInteger } from "../core/_integers.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import {
  formatCredential,
  generateSecret,
  generateSessionId,
  hashSecret,
  tryParseCredential,
} from "../core/credential.ts";
import { typeError } from "../core/errors.ts";
import { type RandomSource, webCryptoRandom } from "../core/random.ts";
import * as check from "../model/_arguments.ts";
import { bindingMismatch } from "../model/binding_mismatch.ts";
import type {
  AttachOptions,
  AttachResult,
  BindFacts,
  CreateOptions,
  CreateResult,
  DestroyAllOptions,
  JsonObject,
  RotateOptions,
  RotateResult,
  Session,
  SessionKind,
  SessionStore,
  TokenCutoff,
  TokenIdentity,
  TokenRevocation,
  UpdateOptions,
  UpdateResult,
  ValidateOptions,
  ValidateResult,
} from "../model/store.ts";
import { RETIRED_SECRETS_KEPT } from "../model/store.ts";
import {
  decide,
  decodeRow,
  encodeUser,
  type Found,
  p,
  type Row,
  slide,
  view,
} from "./_postgres_record.ts";
import { type Statements, statementsFor } from "./_postgres_sql.ts";
import { guarded, type SqlExecutor, type SqlQuery } from "./postgres_executor.ts";
import { type PostgresSchemaOptions, schemaName } from "./postgres_schema.ts";
import { type Opened, openSession } from "./_postgres_open.ts";
import { type PostgresSweepOptions, type PostgresSweepReport, sweep } from "./_postgres_sweep.ts";

export type { PostgresSweepOptions, PostgresSweepReport } from "./_postgres_sweep.ts";

/** Options of {@linkcode PostgresStore}. */
export interface PostgresStoreOptions extends PostgresSchemaOptions {
  /** The clock of all expiry logic (the server's `now()` is never read). @default systemClock */
  readonly clock?: Clock;
  /** Randomness for session ids and secrets. @default webCryptoRandom */
  readonly random?: RandomSource;
  /** Cap on the UTF-8 size of session data JSON. @default 8192 */
  readonly maxDataBytes?: number;
  /**
   * How long one operation (a statement, or a whole transaction with its lock waits) may take
   * before it fails with `store-unavailable` (its outcome unknown: it may still commit).
   * @default 10000
   */
  readonly commandTimeoutMs?: number;
}

const INVALID = Object.freeze({ status: "invalid" as const });

const mismatch = (row: Row) =>
  ({ status: "binding-mismatch", sessionId: row.id, userId: row.userId }) as const;
const reused = (row: Row) => ({ status: "reused", sessionId: row.id, userId: row.userId }) as const;

/**
 * A {@linkcode SessionStore} over Postgres. Credentials are stored only as SHA-256 hashes; expiry
 * is logical on the injected clock; the per-user limit and rotation hold under concurrent calls
 * from any number of processes (a per-user advisory lock and row locks, see `docs/postgres.md`).
 * Run {@linkcode migrate} once before use.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { fromPGlite, migrate, PostgresStore } from "@sessionkit/sessionkit/postgres";
 * const executor = fromPGlite(new PGlite()); // in production: fromPg(pool) or fromPostgresJs(sql)
 * await migrate(executor);
 * const store = new PostgresStore(executor);
 * const login = await store.create({ userId: "ada", idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000, limit: 5 });
 * if (login.status !== "created") throw new Error("Login refused");
 * const request = await store.validate(login.credential, { slideThreshold: 0.5 });
 * if (request.status !== "valid") throw new Error("Not valid");
 * ```
 */
export class PostgresStore implements SessionStore {
  readonly #db: SqlExecutor;
  readonly #sql: Statements;
  readonly #schema: string;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #maxDataBytes: number;

  /**
   * Creates a store over an executor (see `fromPg`, `fromPostgresJs`, `fromPGlite`).
   *
   * @param executor Where statements run.
   * @param options Schema, clock, randomness, data cap.
   * @throws {TypeError} `invalid-argument` for a bad executor or schema name.
   * @throws {RangeError} `invalid-argument` for a bad `maxDataBytes`.
   */
  constructor(executor: SqlExecutor, options: PostgresStoreOptions = {}) {
    if (
      typeof executor !== "object" || executor === null ||
      typeof executor.query !== "function" || typeof executor.transaction !== "function"
    ) {
      throw typeError("invalid-argument", "executor must have query and transaction functions");
    }
    this.#schema = schemaName(options);
    this.#sql = statementsFor(this.#schema);
    this.#db = guarded(
      executor,
      checkSafeInteger(options.commandTimeoutMs ?? 10_000, "commandTimeoutMs", 1),
    );
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? webCryptoRandom;
    this.#maxDataBytes = check.checkMaxDataBytes(options.maxDataBytes);
  }

  /** See {@linkcode SessionStore.create}. One statement (anonymous) or one transaction. */
  async create(options: CreateOptions): Promise<CreateResult> {
    const o = check.checkCreate(options, this.#maxDataBytes);
    const now = this.#clock.now();
    const made = await this.#open(o, o.dataJson, JSON.stringify(o.device), now);
    if (made === null) return { status: "limit-reached" };
    return { status: "created", ...made };
  }

  /**
   * See {@linkcode SessionStore.validate}. One read when nothing is written (the session is
   * unknown, dead, of another kind, mismatched, or below no slide threshold); a slide or a reuse
   * verdict then runs one transaction on the locked row, which decides again.
   */
  async validate(credential: string, options?: ValidateOptions): Promise<ValidateResult> {
    const threshold = check.checkSlideThreshold(options?.slideThreshold);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const found = this.#credential(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    const rows = await this.#db.query(this.#sql.read, [found.id]);
    const quick = judge(this.#first(rows), found.hash, now, kind, bind, threshold);
    if (quick !== null) return quick;
    return await this.#db.transaction(async (q) => {
      const verdict = decide(await this.#locked(q, found.id), found.hash, now, kind);
      if (verdict.outcome === "invalid") return INVALID;
      const row = verdict.row;
      if (verdict.outcome === "reused") {
        await q(this.#sql.deleteId, [row.id]);
        return reused(row);
      }
      if (bindingMismatch(row.device, bind)) return mismatch(row);
      if (row.idleExpiresAt - now < threshold * row.idleTtlMs) {
        slide(row, now);
        await q(this.#sql.slide, [row.id, p(row.lastActiveAt), p(row.idleExpiresAt)]);
      }
      return { status: "valid", session: view(row), grace: verdict.grace };
    });
  }

  /** See {@linkcode SessionStore.rotate}. One transaction on the locked row. */
  async rotate(credential: string, options?: RotateOptions): Promise<RotateResult> {
    const graceMs = check.checkGraceMs(options?.graceMs);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const reauthenticate = check.checkReauthenticate(options?.reauthenticate);
    const found = this.#credential(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    const secret = generateSecret(this.#random);
    return await this.#db.transaction(async (q): Promise<RotateResult> => {
      const verdict = decide(await this.#locked(q, found.id), found.hash, now, kind);
      if (verdict.outcome === "invalid") return INVALID;
      const row = verdict.row;
      if (verdict.outcome === "reused") {
        await q(this.#sql.deleteId, [row.id]);
        return reused(row);
      }
      if (bindingMismatch(row.device, bind)) return mismatch(row);
      if (verdict.grace) return { status: "grace", session: view(row) };
      row.retired = [...row.retired, row.secretHash].slice(-RETIRED_SECRETS_KEPT);
      row.secretHash = hashSecret(secret);
      row.graceUntil = now + graceMs;
      row.rotatedAt = now;
      if (reauthenticate && row.userId !== null) row.authenticatedAt = now;
      slide(row, now);
      await q(this.#sql.rotate, [
        row.id,
        row.secretHash,
        row.retired.join(" "),
        p(row.graceUntil),
        p(now),
        p(row.idleExpiresAt),
        row.authenticatedAt === null ? null : p(row.authenticatedAt),
      ]);
      return {
        status: "rotated",
        session: view(row),
        credential: formatCredential(row.id, secret),
      };
    });
  }

  /**
   * See {@linkcode SessionStore.attach}. One transaction: the anonymous row locked, then the
   * user's lock and sessions (limit), the new session inserted and the anonymous one deleted.
   */
  async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    const o = check.checkAttach(options, this.#maxDataBytes);
    const found = this.#credential(credential);
    if (found === null) return INVALID;
    const now = this.#clock.now();
    const ids = this.#ids();
    const secret = generateSecret(this.#random);
    return await this.#db.transaction(async (q): Promise<AttachResult> => {
      const verdict = decide(await this.#locked(q, found.id), found.hash, now, "cookie");
      if (verdict.outcome === "invalid") return INVALID;
      const anon = verdict.row;
      if (verdict.outcome === "reused") {
        await q(this.#sql.deleteId, [anon.id]);
        return reused(anon);
      }
      if (anon.userId !== null) return { status: "not-anonymous" };
      const dataJson = options.data === undefined ? anon.dataJson : o.dataJson;
      const device = JSON.stringify(options.device === undefined ? anon.device : o.device);
      const made = await openSession(q, this.#context(), { o, dataJson, device, now, ids, secret });
      if (made === null) return { status: "limit-reached" };
      await q(this.#sql.deleteId, [anon.id]);
      return { status: "attached", ...made, replacedSessionId: anon.id };
    });
  }

  /** See {@linkcode SessionStore.update}. One transaction on the locked row. */
  async update(
    sessionId: string,
    data: JsonObject,
    options?: UpdateOptions,
  ): Promise<UpdateResult> {
    check.checkSessionIdArg(sessionId);
    const dataJson = check.checkData(data, this.#maxDataBytes);
    const expected = check.checkExpectedVersion(options?.expectedVersion);
    const now = this.#clock.now();
    return await this.#db.transaction(async (q): Promise<UpdateResult> => {
      const row = await this.#locked(q, sessionId);
      if (row === null || !(now < row.idleExpiresAt)) return INVALID;
      if (expected !== undefined && expected !== row.version) {
        return { status: "conflict", session: view(row) };
      }
      row.dataJson = dataJson;
      row.version++;
      await q(this.#sql.update, [row.id, dataJson, p(row.version)]);
      return { status: "updated", session: view(row) };
    });
  }

  /** See {@linkcode SessionStore.get}. One read. */
  async get(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    const rows = await this.#db.query(this.#sql.live, [sessionId, p(this.#clock.now())]);
    const row = this.#first(rows);
    return row === null ? null : view(row);
  }

  /** See {@linkcode SessionStore.destroy}. One statement. */
  async destroy(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    const rows = await this.#db.query(this.#sql.destroy, [sessionId, p(this.#clock.now())]);
    const row = this.#first(rows);
    return row === null ? null : view(row);
  }

  /** See {@linkcode SessionStore.list}. One read. */
  async list(userId: string): Promise<Session[]> {
    check.checkUserId(userId);
    const rows = await this.#db.query(this.#sql.list, [encodeUser(userId), p(this.#clock.now())]);
    return rows.map((row) => view(decodeRow(row)));
  }

  /** See {@linkcode SessionStore.destroyAll}. One transaction under the user's lock. */
  async destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
    const except = options?.exceptSessionId;
    if (except !== undefined) check.checkSessionIdArg(except, "exceptSessionId");
    check.checkUserId(userId);
    const now = this.#clock.now();
    const user = encodeUser(userId);
    const rows = await this.#db.transaction(async (q) => {
      await q(this.#sql.lockUser, [this.#userLockKey(user)]);
      return await q(this.#sql.destroyAll, [user, p(now), except ?? null]);
    });
    return rows.map(decodeRow).sort((a, b) => a.loginSeq - b.loginSeq).map(view);
  }

  /** See {@linkcode SessionStore.revokeToken}. One statement. */
  async revokeToken(revocation: TokenRevocation): Promise<void> {
    const r = check.checkRevocation(revocation);
    await this.#db.query(this.#sql.revokeToken, [r.sessionId, encodeUser(r.jti), p(r.expiresAt)]);
  }

  /** See {@linkcode SessionStore.revokeTokens}. One statement (an upsert that merges). */
  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    const c = check.checkCutoff(cutoff);
    const [scope, subject] = c.sessionId !== undefined
      ? ["s", c.sessionId]
      : ["u", encodeUser(c.userId!)];
    await this.#db.query(this.#sql.revokeTokens, [
      scope,
      subject,
      p(c.issuedBefore),
      p(c.until),
      p(this.#clock.now()),
    ]);
  }

  /** See {@linkcode SessionStore.isTokenRevoked}. One read. */
  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    const t = check.checkTokenIdentity(token);
    const rows = await this.#db.query(this.#sql.isTokenRevoked, [
      t.sessionId,
      encodeUser(t.jti),
      encodeUser(t.userId),
      p(t.issuedAt),
      p(this.#clock.now()),
    ]);
    return rows[0]?.revoked === true;
  }

  /**
   * Deletes what is logically dead on the store's clock — sessions past their idle expiry, token
   * revocations past their expiry, cutoffs past their `until` — in bounded batches (`DELETE …
   * LIMIT` through `FOR UPDATE SKIP LOCKED`, so it never waits for, nor blocks, a live operation).
   * Nothing visible changes: reads already ignore dead rows.
   *
   * @example
   * ```ts
   * import { PGlite } from "@electric-sql/pglite";
   * import { ManualClock } from "@sessionkit/sessionkit";
   * import { fromPGlite, migrate, PostgresStore } from "@sessionkit/sessionkit/postgres";
   * const executor = fromPGlite(new PGlite());
   * await migrate(executor);
   * const clock = new ManualClock(1_000);
   * const store = new PostgresStore(executor, { clock });
   * await store.create({ userId: null, idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
   * clock.advance(1_000);
   * const { sessions } = await store.sweep();
   * if (sessions !== 1) throw new Error("Expected one dead session");
   * ```
   *
   * @param options Batch size and the most batches per table.
   * @returns How many rows of each table were deleted.
   * @throws {SessionError} `store-unavailable` when Postgres fails.
   * @throws {RangeError} `invalid-argument` for a bad option.
   */
  async sweep(options: PostgresSweepOptions = {}): Promise<PostgresSweepReport> {
    return await sweep(this.#db, this.#sql, this.#clock.now(), options);
  }

  #context() {
    return { sql: this.#sql, lockKey: (user: string) => this.#userLockKey(user) };
  }

  async #open(
    o: check.CheckedCreate,
    dataJson: string,
    device: string,
    now: number,
  ): Promise<Opened | null> {
    const ids = this.#ids();
    const secret = generateSecret(this.#random);
    const args = { o, dataJson, device, now, ids, secret };
    if (o.userId === null) return await openSession(this.#db.query, this.#context(), args);
    return await this.#db.transaction((q) => openSession(q, this.#context(), args));
  }

  /** Session ids to try in order (a collision with a stored id takes the next). */
  #ids(): () => string {
    return () => generateSessionId(this.#random);
  }

  #userLockKey(user: string): string {
    return `sessionkit:user:${this.#schema}:${user}`;
  }

  #credential(credential: string): { id: string; hash: string } | null {
    check.checkCredentialArg(credential);
    const parsed = tryParseCredential(credential);
    if (parsed === null) return null;
    return { id: parsed.sessionId, hash: hashSecret(parsed.secret) };
  }

  async #locked(q: SqlQuery, id: string): Promise<Row | null> {
    return this.#first(await q(this.#sql.lock, [id]));
  }

  #first(rows: readonly { readonly [column: string]: unknown }[]): Row | null {
    const row = rows[0];
    return row === undefined ? null : decodeRow(row);
  }
}

/**
 * The answer of a validation from one unlocked read, or `null` when it must write (a slide, or a
 * reuse verdict that destroys the session).
 */
function judge(
  row: Row | null,
  hash: string,
  now: number,
  kind: SessionKind | undefined,
  bind: BindFacts | undefined,
  threshold: number,
): ValidateResult | null {
  const verdict: Found = decide(row, hash, now, kind);
  if (verdict.outcome === "invalid") return INVALID;
  if (verdict.outcome === "reused") return null;
  const found = verdict.row;
  if (bindingMismatch(found.device, bind)) return mismatch(found);
  if (found.idleExpiresAt - now < threshold * found.idleTtlMs) return null;
  return { status: "valid", session: view(found), grace: verdict.grace };
}
