/**
 * RedisStore: the production {@linkcode SessionStore} over Redis (or Valkey), standalone or
 * Cluster. Every write is one Lua script — atomic, one round trip; a validation that writes nothing
 * is a plain GET decided in the client, one that slides the idle expiry runs a script. Logins and
 * other per-user operations are one round trip too: the user's routing tag is a keyed hash of the
 * user id, computed in the client (see `routingKey`).
 *
 * @module
 */

import { generateSecret, generateSessionId, hashSecret } from "../core/credential.ts";
import { SessionError } from "../core/errors.ts";
import * as check from "../model/_arguments.ts";
import type {
  AttachOptions,
  AttachResult,
  BindingMismatchResult,
  CreateOptions,
  CreateResult,
  DestroyAllOptions,
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
import { RETIRED_SECRETS_KEPT } from "../model/store.ts";
import { bindFields, decodeRecord, kindLetter, sessionKeys } from "./_redis_codec.ts";
import { CLAIM_ARGS, COMMIT_ARGS, ROTATE_ARGS } from "./_redis_scripts.ts";
import { SLIDE_ARGS, VALIDATE_ARGS } from "./_redis_validate_scripts.ts";
import { type Opened, RedisCore } from "./_redis_core.ts";
import { viewReply } from "./_redis_replies.ts";
import { slideOf, validWithoutWrite } from "./_redis_validate.ts";
import * as tokens from "./_redis_tokens.ts";
import { sweep } from "./_redis_sweep.ts";
import type { RedisClient } from "./redis_client.ts";
import type { RedisStoreOptions, SweepOptions, SweepReport } from "./redis_store_options.ts";

export type { EvalAndWait, RedisClient, RedisScanNode } from "./redis_client.ts";
export type { RedisStoreOptions, SweepOptions, SweepReport } from "./redis_store_options.ts";

/**
 * A {@linkcode SessionStore} over Redis: atomic Lua scripts, one round trip per validation,
 * cluster-safe keys (a per-user routing tag: a keyed hash, never the user id), credentials stored only as
 * SHA-256 hashes, logical expiry on the injected clock (Redis TTLs only collect garbage).
 *
 * @example
 * ```ts
 * import RedisMock from "ioredis-mock"; // in production: `new Redis(url)` or `new Cluster(nodes)` from ioredis
 * import { RedisStore } from "@sessionkit/sessionkit/redis";
 * const store = new RedisStore(new RedisMock(), { prefix: "app:" });
 * const login = await store.create({ userId: "ada", idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000, limit: 5 });
 * if (login.status !== "created") throw new Error("Login refused");
 * const request = await store.validate(login.credential, { slideThreshold: 0.5 });
 * if (request.status !== "valid") throw new Error("Not valid");
 * ```
 */
export class RedisStore implements SessionStore {
  readonly #core: RedisCore;

  /**
   * Creates a store over a Redis client.
   *
   * @param client An ioredis `Redis` or `Cluster` (or anything that fits {@linkcode RedisClient}).
   * @param options Prefix, clock, randomness, limits, timeout, routing key, corruption callback.
   * @throws {TypeError} `invalid-argument` for a bad client, prefix or routing key.
   * @throws {RangeError} `invalid-argument` for a bad number option.
   */
  constructor(client: RedisClient, options: RedisStoreOptions = {}) {
    this.#core = new RedisCore(client, options);
  }

  /** See {@linkcode SessionStore.create}. One round trip. */
  async create(options: CreateOptions): Promise<CreateResult> {
    const o = check.checkCreate(options, this.#core.maxDataBytes);
    const now = this.#core.clock.now();
    const tag = o.userId === null ? this.#core.newTag() : this.#core.userTag(o.userId);
    const made = await this.#core.open(tag, o, o.dataJson, JSON.stringify(o.device), now);
    if (made === null) return { status: "limit-reached" };
    return { status: "created", ...made };
  }

  /**
   * See {@linkcode SessionStore.validate}. One round trip. With a `slideThreshold` under 1 (and a
   * client with `get`), the common case is a plain `GET` of the record decided in the client; a
   * slide past the threshold then runs the slide script (a compare-and-set of the record the `GET`
   * read), and a grace or reuse case or an expiry to clean up runs the validate script (a second
   * round trip for those only; every write stays atomic in its script).
   * With `slideThreshold` 1 every validation slides, so it goes straight to the script.
   */
  async validate(credential: string, options?: ValidateOptions): Promise<ValidateResult> {
    const threshold = check.checkSlideThreshold(options?.slideThreshold);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const found = this.#core.credential(credential);
    if (found === null) return { status: "invalid" };
    const { keys, hash } = found;
    let now = this.#core.clock.now();
    if (threshold < 1 && this.#core.runner.canGet) {
      const stored = await this.#core.runner.get(keys.session);
      if (stored === null) return { status: "invalid" };
      const got = validWithoutWrite(found.id, stored, hash, now, threshold, kind, bind);
      if (got !== null && got.status === "slide") {
        const slide = slideOf(got.record, got.session, now);
        const reply = slide && await this.#core.run(
          "slide",
          [keys.session],
          SLIDE_ARGS.build({
            expected: slide.expected,
            replacement: slide.replacement,
            score: got.session.userId === null ? undefined : slide.idleExpiresAt,
            recordTtlMs: Math.max(got.session.absoluteExpiresAt - now, 0) + this.#core.margin,
          }),
        );
        if (reply && viewReply(reply).status === "ok") {
          return { status: "valid", session: slide!.session, grace: false };
        }
      } else if (got !== null) {
        if (got.status === "valid") return { status: "valid", session: got.session, grace: false };
        if (got.status === "invalid") return got;
        return { status: "binding-mismatch", sessionId: found.id, userId: got.session.userId };
      }
      now = this.#core.clock.now();
    }
    const reply = await this.#core.runWaiting(
      "validate",
      [keys.session],
      VALIDATE_ARGS.build({
        now,
        hash,
        threshold,
        margin: this.#core.margin,
        kindLetter: kindLetter(kind),
        ...bindFields(bind),
        opId: this.#core.opId(),
        replayMs: this.#core.replayMs,
      }),
    );
    const { status, view } = viewReply(reply);
    if (status === "reused") return this.#core.reused(found.id, reply);
    if (status === "binding") return this.#mismatch(found.id, reply);
    if (status !== "ok" && status !== "grace") return { status: "invalid" };
    const session = await this.#core.decode(found.id, view, keys);
    if (session === null) return { status: "invalid" };
    return { status: "valid", session, grace: status === "grace" };
  }

  /** See {@linkcode SessionStore.rotate}. One round trip. */
  async rotate(credential: string, options?: RotateOptions): Promise<RotateResult> {
    const graceMs = check.checkGraceMs(options?.graceMs);
    const kind = check.checkKind(options?.kind);
    const bind = check.checkBind(options?.bind);
    const reauthenticate = check.checkReauthenticate(options?.reauthenticate);
    const found = this.#core.credential(credential);
    if (found === null) return { status: "invalid" };
    const { keys, hash } = found;
    const secret = generateSecret(this.#core.random);
    const now = this.#core.clock.now();
    const reply = await this.#core.runWaiting(
      "rotate",
      [keys.session, keys.index, keys.claim],
      ROTATE_ARGS.build({
        rest: keys.rest,
        now,
        hash,
        newHash: hashSecret(secret),
        graceMs,
        keep: RETIRED_SECRETS_KEPT,
        margin: this.#core.margin,
        kindLetter: kindLetter(kind),
        ...bindFields(bind),
        opId: this.#core.opId(),
        replayMs: this.#core.replayMs,
        reauthenticate,
      }),
    );
    const { status, view } = viewReply(reply);
    if (status === "reused") return this.#core.reused(found.id, reply);
    if (status === "binding") return this.#mismatch(found.id, reply);
    if (status !== "rotated" && status !== "grace") return { status: "invalid" };
    const session = await this.#core.decode(found.id, view, keys);
    if (session === null) return { status: "invalid" };
    if (status === "grace") return { status: "grace", session };
    return { status: "rotated", session, credential: `${found.id}.${secret}` };
  }

  /**
   * See {@linkcode SessionStore.attach}. The anonymous session and the user's sessions live in
   * different hash slots, so this takes three round trips, each atomic: a claim on
   * the anonymous session (it stays valid meanwhile; other writes to it wait for the claim); the new
   * session created under the user's limit; then the anonymous session removed (or released when
   * the limit refused the login). A claim that is never resolved (a crashed process) lapses after
   * `max(1 s, 5 × commandTimeoutMs)`, leaving the anonymous session as it was.
   */
  async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    const o = check.checkAttach(options, this.#core.maxDataBytes);
    const found = this.#core.credential(credential);
    if (found === null) return { status: "invalid" };
    const { keys, hash } = found;
    const now = this.#core.clock.now();
    const tag = this.#core.userTag(o.userId);
    const token = generateSessionId(this.#core.random);
    const claim = await this.#core.runWaiting(
      "claim",
      [keys.session, keys.index, keys.claim],
      CLAIM_ARGS.build({
        rest: keys.rest,
        now,
        hash,
        token,
        claimMs: this.#core.markerMs,
        replayMs: this.#core.replayMs,
      }),
    );
    const { status, view: anonRecord } = viewReply(claim);
    if (status === "reused") return this.#core.reused(found.id, claim);
    if (status === "not-anonymous") return { status: "not-anonymous" };
    if (status !== "claimed") return { status: "invalid" };
    // Ends the claim: "remove" takes the anonymous session away (the login is done), "keep"
    // leaves it as it was (the login was refused or failed).
    const endClaim = (anonymous: "remove" | "keep") =>
      this.#core.run(
        "commit",
        [keys.session, keys.claim],
        COMMIT_ARGS.build({
          token,
          removeAnonymous: anonymous === "remove",
          replayMs: this.#core.replayMs,
        }),
      );
    const anon = decodeRecord(found.id, anonRecord);
    if (anon === null) {
      await endClaim("keep");
      await this.#core.decode(found.id, anonRecord, keys);
      return { status: "invalid" };
    }
    const dataJson = options.data === undefined ? JSON.stringify(anon.data) : o.dataJson;
    const deviceJson = JSON.stringify(options.device === undefined ? anon.device : o.device);
    let made: Opened | null;
    try {
      made = await this.#core.open(tag, o, dataJson, deviceJson, now);
    } catch (error) {
      await endClaim("keep").catch(() => {});
      throw error;
    }
    if (made === null) {
      await endClaim("keep");
      return { status: "limit-reached" };
    }
    const committed = await endClaim("remove");
    if (viewReply(committed).status !== "ok") {
      await this.destroy(made.session.id).catch(() => {});
      throw new SessionError("store-unavailable", "Attach took longer than its claim; retry");
    }
    return { status: "attached", ...made, replacedSessionId: found.id };
  }

  /** See {@linkcode SessionStore.update}. One round trip. */
  async update(
    sessionId: string,
    data: JsonObject,
    options?: UpdateOptions,
  ): Promise<UpdateResult> {
    check.checkSessionIdArg(sessionId);
    const dataJson = check.checkData(data, this.#core.maxDataBytes);
    const expected = check.checkExpectedVersion(options?.expectedVersion);
    const keys = sessionKeys(this.#core.prefix, sessionId);
    if (keys === null) return { status: "invalid" };
    const reply = await this.#core.updateById(keys, dataJson, expected);
    const { status, view } = viewReply(reply);
    if (status !== "ok" && status !== "conflict") return { status: "invalid" };
    const session = await this.#core.decode(sessionId, view, keys);
    if (session === null) return { status: "invalid" };
    return status === "ok" ? { status: "updated", session } : { status: "conflict", session };
  }

  /** See {@linkcode SessionStore.get}. One round trip. */
  async get(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    return await this.#core.readSession(sessionId, "get");
  }

  /** See {@linkcode SessionStore.destroy}. One round trip. */
  async destroy(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    return await this.#core.readSession(sessionId, "destroy");
  }

  /** See {@linkcode SessionStore.list}. One round trip. */
  async list(userId: string): Promise<Session[]> {
    check.checkUserId(userId);
    return await this.#core.listUser(userId);
  }

  /** See {@linkcode SessionStore.destroyAll}. One round trip. */
  async destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
    const except = options?.exceptSessionId;
    if (except !== undefined) check.checkSessionIdArg(except, "exceptSessionId");
    check.checkUserId(userId);
    return await this.#core.destroyUser(userId, except);
  }
  /** A refused binding check: the script changed nothing and answered the user id. */
  #mismatch(sessionId: string, reply: readonly unknown[]): BindingMismatchResult {
    const userId = this.#core.reused(sessionId, reply).userId;
    return { status: "binding-mismatch", sessionId, userId };
  }

  /** See {@linkcode SessionStore.revokeToken}. One round trip. */
  async revokeToken(revocation: TokenRevocation): Promise<void> {
    await tokens.revokeToken(this.#core, revocation);
  }

  /** See {@linkcode SessionStore.revokeTokens}. One round trip. */
  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    await tokens.revokeTokens(this.#core, cutoff);
  }

  /**
   * See {@linkcode SessionStore.isTokenRevoked}. Two reads sent together (the session's slot and
   * the user's slot), so one round trip of latency.
   */
  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    return await tokens.isTokenRevoked(this.#core, token);
  }

  /**
   * Removes what has logically expired under the prefix: dead sessions (anonymous ones are not in
   * any index), index entries, past token revocations and cutoffs, user mappings with no session
   * left. Redis TTLs remove all of it eventually anyway (logical expiry + `gcMarginMs`); the sweep
   * makes it prompt. SCANs every master of a cluster; safe to run while the store is in use.
   * Forgetting a past cutoff changes nothing visible: a later cutoff never merges with a past one.
   * Replies kept for a resent write (see `docs/redis.md`) are removed too.
   *
   * @example
   * ```ts
   * import { ManualClock } from "@sessionkit/sessionkit";
   * import RedisMock from "ioredis-mock"; // in production: ioredis `Redis` or `Cluster`
   * import { RedisStore } from "@sessionkit/sessionkit/redis";
   * const clock = new ManualClock(1_000);
   * const store = new RedisStore(new RedisMock(), { prefix: "sweep-example:", clock });
   * await store.create({ userId: null, idleTtlMs: 1_000, absoluteTtlMs: 1_000 });
   * clock.advance(1_000);
   * const { scanned } = await store.sweep();
   * if (scanned !== 1) throw new Error("Expected one key");
   * ```
   *
   * @param options The nodes to SCAN and the COUNT hint.
   * @returns How many keys were looked at.
   * @throws {SessionError} `store-unavailable` when Redis fails.
   * @throws {TypeError} `invalid-argument` when there is nothing to SCAN.
   */
  async sweep(options: SweepOptions = {}): Promise<SweepReport> {
    return await sweep(this.#core, options);
  }
}
