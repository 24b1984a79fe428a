/**
 * RedisStore: the production {@linkcode SessionStore} over Redis (or Valkey), standalone or
 * Cluster. Every write is one Lua script — atomic, one round trip; a validation that writes nothing
 * is a plain GET decided in the client, one that slides the idle expiry runs a script. Logins and
 * other per-user operations are one round trip too: the user's routing tag is a keyed hash of the
 * user id, computed in the client (see `routingKey`).
 *
 * @module
 */

import { type Clock, systemClock } from "../core/clock.ts";
import {
  generateSecret,
  generateSessionId,
  hashSecret,
  tryParseCredential,
} from "../core/credential.ts";
import { SessionError, typeError } from "../core/errors.ts";
import { type RandomSource, webCryptoRandom } from "../core/random.ts";
import * as check from "../model/arguments.ts";
import {
  type AttachOptions,
  type AttachResult,
  type CreateOptions,
  type CreateResult,
  type DestroyAllOptions,
  type JsonObject,
  RETIRED_SECRETS_KEPT,
  type RotateOptions,
  type RotateResult,
  type Session,
  type SessionStore,
  type TokenCutoff,
  type TokenIdentity,
  type TokenRevocation,
  type UpdateOptions,
  type UpdateResult,
  type ValidateOptions,
  type ValidateResult,
} from "../model/store.ts";
import {
  classify,
  decodeRecord,
  decodeSession,
  globEscape,
  REST_BYTES,
  revocationKey,
  type SessionKeys,
  sessionKeys,
  TAG_BYTES,
  tagBase,
  userKeys,
  VIEW_FIELDS,
} from "./_redis_codec.ts";
import { type Reply, ScriptRunner } from "./_redis_runner.ts";
import { validWithoutWrite } from "./_redis_validate.ts";
import { routingKey, userTag } from "./_redis_routing.ts";
import type { ScriptName } from "./_redis_scripts.ts";

export type { RedisClient, RedisScanNode } from "./redis_client.ts";
import type { RedisClient, RedisScanNode } from "./redis_client.ts";

/** Options of {@linkcode RedisStore}. */
export interface RedisStoreOptions {
  /** Prefix of every key; must not contain `{` or `}`. @default "sk:" */
  readonly prefix?: string;
  /** The clock of all expiry logic. @default systemClock */
  readonly clock?: Clock;
  /** Randomness for session ids, tags and secrets. @default webCryptoRandom */
  readonly random?: RandomSource;
  /** Cap on the UTF-8 size of session data JSON. @default 8192 */
  readonly maxDataBytes?: number;
  /** How long one Redis call may take before it fails with `store-unavailable`. @default 2000 */
  readonly commandTimeoutMs?: number;
  /**
   * Redis keeps a key this long past its logical expiry before its TTL removes it. Must exceed
   * the worst skew between the injected clock and Redis' own clock. @default 3_600_000 (1 hour)
   */
  readonly gcMarginMs?: number;
  /**
   * Called (synchronously) when the store met a value it did not write: garbage, a wrong type, a
   * truncated record. The value was removed and treated as no session. @default ignore
   */
  readonly onCorrupt?: (error: SessionError) => void;
  /**
   * Key of the routing tags: a user's sessions live under `{tag}`, tag = a keyed hash (HMAC-SHA-256,
   * 64 bits) of the user id, computed without a lookup, so a login is one round trip. At least 16
   * bytes, and the SAME in every process that shares the Redis: a different key routes a user
   * elsewhere (existing sessions still validate, but the limit, `list` and `destroyAll` no longer
   * see them). Without it the key is derived from the prefix: user ids stay out of key names, but
   * anyone who can guess a user id can compute its tag. Set a secret one (16+ random bytes, from
   * configuration) to make tags unlinkable to user ids.
   * @default derived from `prefix`
   */
  readonly routingKey?: Uint8Array;
}

/** What {@linkcode RedisStore.sweep} did. */
export interface SweepReport {
  /** Keys under the prefix that SCAN returned. */
  readonly scanned: number;
}

/** Options of {@linkcode RedisStore.sweep}. */
export interface SweepOptions {
  /** The nodes to SCAN. @default the cluster's masters, or the client itself */
  readonly nodes?: readonly RedisScanNode[];
  /** SCAN's COUNT hint. @default 500 */
  readonly count?: number;
}

interface Opened {
  session: Session;
  credential: string;
  evicted: Session[];
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_GC_MARGIN_MS = 3_600_000;

const s = (n: number): string => String(n);

function checkPositive(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw Object.assign(new RangeError(`${what} must be a positive safe integer`), {
      code: "invalid-argument" as const,
    });
  }
  return value;
}

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
  readonly #client: RedisClient;
  readonly #runner: ScriptRunner;
  readonly #prefix: string;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #maxDataBytes: number;
  readonly #margin: number;
  readonly #markerMs: number;
  readonly #onCorrupt: (error: SessionError) => void;
  readonly #routingKey: Uint8Array;

  /**
   * Creates a store over a Redis client.
   *
   * @param client An ioredis `Redis` or `Cluster` (or anything that fits {@linkcode RedisClient}).
   * @param options Prefix, clock, randomness, limits, timeout, routing key, corruption callback.
   * @throws {TypeError} `invalid-argument` for a bad client or prefix.
   * @throws {RangeError} `invalid-argument` for a bad number option.
   */
  constructor(client: RedisClient, options: RedisStoreOptions = {}) {
    if (
      typeof client !== "object" || client === null || typeof client.evalsha !== "function" ||
      typeof client.eval !== "function"
    ) {
      throw typeError("invalid-argument", "client must have evalsha and eval methods");
    }
    const prefix = options.prefix ?? "sk:";
    if (typeof prefix !== "string" || /[{}]/.test(prefix) || prefix.length > 128) {
      throw typeError(
        "invalid-argument",
        "prefix must be a string of at most 128 characters without braces",
      );
    }
    const timeout = checkPositive(options.commandTimeoutMs, "commandTimeoutMs", DEFAULT_TIMEOUT_MS);
    this.#client = client;
    this.#runner = new ScriptRunner(client, timeout);
    this.#prefix = prefix;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? webCryptoRandom;
    this.#maxDataBytes = check.checkMaxDataBytes(options.maxDataBytes);
    this.#margin = checkPositive(options.gcMarginMs, "gcMarginMs", DEFAULT_GC_MARGIN_MS);
    this.#markerMs = Math.max(1_000, 5 * timeout);
    this.#onCorrupt = options.onCorrupt ?? (() => {});
    const key = options.routingKey;
    if (key !== undefined && !(key instanceof Uint8Array && key.length >= 16)) {
      throw typeError("invalid-argument", "routingKey must be a Uint8Array of at least 16 bytes");
    }
    this.#routingKey = routingKey(prefix, key);
  }

  /** See {@linkcode SessionStore.create}. One round trip. */
  async create(options: CreateOptions): Promise<CreateResult> {
    const o = check.checkCreate(options, this.#maxDataBytes, false);
    const now = this.#clock.now();
    const tag = o.userId === null ? this.#newTag() : userTag(this.#routingKey, o.userId);
    const made = await this.#open(tag, o, o.dataJson, JSON.stringify(o.device), now);
    if (made === null) return { status: "limit-reached" };
    return { status: "created", ...made };
  }

  /**
   * See {@linkcode SessionStore.validate}. One round trip. With a `slideThreshold` under 1 (and a
   * client with `get`), the common case is a plain `GET` of the record decided in the client; a
   * slide past the threshold, a grace or reuse case, or an expiry to clean up then runs the
   * validate script (a second round trip for those only; every write stays atomic in the script).
   * With `slideThreshold` 1 every validation slides, so it goes straight to the script.
   */
  async validate(credential: string, options?: ValidateOptions): Promise<ValidateResult> {
    const threshold = check.checkSlideThreshold(options?.slideThreshold);
    const found = this.#credential(credential);
    if (found === null) return { status: "invalid" };
    const { keys, hash } = found;
    let now = this.#clock.now();
    if (threshold < 1 && this.#runner.canGet) {
      const stored = await this.#runner.get(keys.session);
      if (stored === null) return { status: "invalid" };
      const session = validWithoutWrite(found.id, stored, hash, now, threshold);
      if (session !== null) return { status: "valid", session, grace: false };
      now = this.#clock.now();
    }
    const reply = await this.#runWaiting("validate", [keys.session], [
      s(now),
      hash,
      s(threshold),
      s(this.#margin),
    ]);
    const status = reply[1];
    if (status === "reused") return this.#reused(found.id, reply);
    if (status !== "ok" && status !== "grace") return { status: "invalid" };
    const session = await this.#purgeUnless(decodeRecord(found.id, reply[2]), keys);
    if (session === null) return { status: "invalid" };
    return { status: "valid", session, grace: status === "grace" };
  }

  /** See {@linkcode SessionStore.rotate}. One round trip. */
  async rotate(credential: string, options?: RotateOptions): Promise<RotateResult> {
    const graceMs = check.checkGraceMs(options?.graceMs);
    const found = this.#credential(credential);
    if (found === null) return { status: "invalid" };
    const { keys, hash } = found;
    const secret = generateSecret(this.#random);
    const now = this.#clock.now();
    const reply = await this.#runWaiting("rotate", [keys.session, keys.index, keys.claim], [
      keys.rest,
      s(now),
      hash,
      hashSecret(secret),
      s(graceMs),
      s(RETIRED_SECRETS_KEPT),
      s(this.#margin),
    ]);
    const status = reply[1];
    if (status === "reused") return this.#reused(found.id, reply);
    if (status !== "rotated" && status !== "grace") return { status: "invalid" };
    const session = await this.#decode(found.id, reply, 2, keys);
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
    const o = check.checkCreate(options, this.#maxDataBytes, true);
    const found = this.#credential(credential);
    if (found === null) return { status: "invalid" };
    const { keys, hash } = found;
    const now = this.#clock.now();
    const tag = userTag(this.#routingKey, o.userId!);
    const token = generateSessionId(this.#random);
    const claim = await this.#runWaiting("claim", [keys.session, keys.index, keys.claim], [
      keys.rest,
      s(now),
      hash,
      token,
      s(this.#markerMs),
    ]);
    const status = claim[1];
    if (status === "reused") return this.#reused(found.id, claim);
    if (status === "not-anonymous") return { status: "not-anonymous" };
    if (status !== "claimed") return { status: "invalid" };
    const release = (remove: boolean) =>
      this.#run("commit", [keys.session, keys.claim], [token, remove ? "1" : "0"]);
    const anon = decodeSession(found.id, claim, 2);
    if (anon === null) {
      await release(false);
      await this.#decode(found.id, claim, 2, keys);
      return { status: "invalid" };
    }
    const dataJson = options.data === undefined ? (claim[3] as string) : o.dataJson;
    const deviceJson = JSON.stringify(options.device === undefined ? anon.device : o.device);
    let made: Opened | null;
    try {
      made = await this.#open(tag, o, dataJson, deviceJson, now);
    } catch (error) {
      await release(false).catch(() => {});
      throw error;
    }
    if (made === null) {
      await release(false);
      return { status: "limit-reached" };
    }
    const committed = await release(true);
    if (committed[1] !== "ok") {
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
    const dataJson = check.checkData(data, this.#maxDataBytes);
    const expected = check.checkExpectedVersion(options?.expectedVersion);
    const keys = sessionKeys(this.#prefix, sessionId);
    if (keys === null) return { status: "invalid" };
    const reply = await this.#read(
      keys,
      "update",
      dataJson,
      expected === undefined ? "" : s(expected),
    );
    const status = reply[1];
    if (status !== "ok" && status !== "conflict") return { status: "invalid" };
    const session = await this.#decode(sessionId, reply, 2, keys);
    if (session === null) return { status: "invalid" };
    return status === "ok" ? { status: "updated", session } : { status: "conflict", session };
  }

  /** See {@linkcode SessionStore.get}. One round trip. */
  async get(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    return await this.#readSession(sessionId, "get");
  }

  /** See {@linkcode SessionStore.destroy}. One round trip. */
  async destroy(sessionId: string): Promise<Session | null> {
    check.checkSessionIdArg(sessionId);
    return await this.#readSession(sessionId, "destroy");
  }

  /** See {@linkcode SessionStore.list}. One round trip. */
  async list(userId: string): Promise<Session[]> {
    check.checkUserId(userId);
    return await this.#index(userId, "list", undefined);
  }

  /** See {@linkcode SessionStore.destroyAll}. One round trip. */
  async destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
    const except = options?.exceptSessionId;
    if (except !== undefined) check.checkSessionIdArg(except, "exceptSessionId");
    check.checkUserId(userId);
    return await this.#index(userId, "destroy", except);
  }

  /** See {@linkcode SessionStore.revokeToken}. One round trip. */
  async revokeToken(revocation: TokenRevocation): Promise<void> {
    const r = check.checkRevocation(revocation);
    await this.#run("revokeToken", [revocationKey(this.#prefix, r.sessionId)], [
      s(this.#clock.now()),
      r.jti,
      s(r.expiresAt),
      s(this.#margin),
    ]);
  }

  /** See {@linkcode SessionStore.revokeTokens}. One round trip. */
  async revokeTokens(cutoff: TokenCutoff): Promise<void> {
    const c = check.checkCutoff(cutoff);
    const key = c.sessionId !== undefined
      ? revocationKey(this.#prefix, c.sessionId)
      : userKeys(this.#prefix, c.userId!).map;
    await this.#run("cutoff", [key], [
      s(this.#clock.now()),
      s(c.issuedBefore),
      s(c.until),
      s(this.#margin),
    ]);
  }

  /**
   * See {@linkcode SessionStore.isTokenRevoked}. Two reads sent together (the session's slot and
   * the user's slot), so one round trip of latency.
   */
  async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    const t = check.checkTokenIdentity(token);
    const now = s(this.#clock.now());
    const [bySession, byUser] = await Promise.all([
      this.#run("tokenCheck", [revocationKey(this.#prefix, t.sessionId)], [
        now,
        t.jti,
        s(t.issuedAt),
      ]),
      this.#run("tokenCheck", [userKeys(this.#prefix, t.userId).map], [now, "", s(t.issuedAt)]),
    ]);
    return bySession[1] === 1 || byUser[1] === 1;
  }

  /**
   * Removes what has logically expired under the prefix: dead sessions (anonymous ones are not in
   * any index), index entries, past token revocations and cutoffs, user mappings with no session
   * left. Redis TTLs remove all of it eventually anyway (logical expiry + `gcMarginMs`); the sweep
   * makes it prompt. SCANs every master of a cluster; safe to run while the store is in use.
   * Forgetting a past cutoff is the one visible effect: a later cutoff no longer merges with it.
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
    const client = this.#client;
    const nodes = options.nodes ??
      (typeof client.nodes === "function"
        ? client.nodes("master")
        : client.scan
        ? [client as RedisScanNode]
        : []);
    if (nodes.length === 0) {
      throw typeError("invalid-argument", "sweep needs a client or nodes with scan");
    }
    const pattern = `${globEscape(this.#prefix)}*`;
    const count = options.count ?? 500;
    let scanned = 0;
    for (const node of nodes) {
      let cursor = "0";
      do {
        let page: [string, string[]];
        try {
          page = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
        } catch (error) {
          throw new SessionError("store-unavailable", "Redis store is unavailable", {
            cause: error,
          });
        }
        cursor = page[0];
        scanned += page[1].length;
        for (const key of page[1]) await this.#sweepKey(key);
      } while (cursor !== "0");
    }
    return { scanned };
  }

  async #sweepKey(key: string): Promise<void> {
    const now = s(this.#clock.now());
    const what = classify(this.#prefix, key);
    switch (what.kind) {
      case "session": {
        const keys = sessionKeys(this.#prefix, what.tag + what.rest)!;
        const reply = await this.#read(keys, "get", "", "");
        if (reply[1] === "ok") await this.#decode(what.tag + what.rest, reply, 2, keys);
        return;
      }
      case "index":
        await this.#run("index", [key], [tagBase(this.#prefix, what.tag), now, "", "prune", ""]);
        return;
      case "revocations":
        await this.#run("sweepRevocations", [key], [now]);
        return;
      case "mapping": {
        const reply = await this.#run("tag", [key, what.marker], ["", now, "0", "0", "0"]);
        const tag = reply[1];
        let live = 0;
        if (typeof tag === "string" && tag !== "") {
          const base = tagBase(this.#prefix, tag);
          const pruned = await this.#run("index", [`${base}i`], [base, now, "", "prune", ""]);
          live = Number(pruned[2]);
        }
        await this.#run("sweepMapping", [key, what.marker], [now, live > 0 ? "1" : "0"]);
        return;
      }
      case "other":
        return;
    }
  }

  async #run(name: ScriptName, keys: readonly string[], args: readonly string[]): Promise<Reply> {
    const reply = await this.#runner.run(name, keys, args);
    const corrupt = reply[0] as number;
    if (corrupt > 0) this.#corrupt(corrupt);
    return reply;
  }

  /** Runs a script, retrying while an attach in flight holds a claim on the session. */
  async #runWaiting(
    name: ScriptName,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<Reply> {
    let waited = 0;
    for (let attempt = 0;; attempt++) {
      const reply = await this.#run(name, keys, args);
      if (reply[1] !== "busy") return reply;
      if (waited > 2 * this.#markerMs) {
        throw new SessionError("store-unavailable", "Session stayed claimed by an attach");
      }
      const pause = Math.min(2 ** attempt, 50);
      waited += pause;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  #corrupt(count: number): void {
    try {
      this.#onCorrupt(
        new SessionError(
          "store-corrupt",
          `Removed ${count} value(s) under the prefix that sessionkit did not write`,
        ),
      );
    } catch {
      // A failing callback must not turn a fault into a crash.
    }
  }

  /** Decodes a view; a record whose JSON is not ours is reported, purged and treated as none. */
  #decode(id: string, reply: Reply, offset: number, keys: SessionKeys): Promise<Session | null> {
    return this.#purgeUnless(decodeSession(id, reply, offset), keys);
  }

  /** A decoded session, or (when it did not decode) `null` after reporting and purging it. */
  async #purgeUnless(session: Session | null, keys: SessionKeys): Promise<Session | null> {
    if (session !== null) return session;
    this.#corrupt(1);
    await this.#read(keys, "purge", "", "");
    return null;
  }

  #credential(credential: string): { id: string; keys: SessionKeys; hash: string } | null {
    check.checkCredentialArg(credential);
    const parsed = tryParseCredential(credential);
    if (parsed === null) return null;
    const keys = sessionKeys(this.#prefix, parsed.sessionId);
    if (keys === null) return null;
    return { id: parsed.sessionId, keys, hash: hashSecret(parsed.secret) };
  }

  #reused(
    sessionId: string,
    reply: Reply,
  ): { status: "reused"; sessionId: string; userId: string | null } {
    const userId = typeof reply[2] === "string" && reply[2] !== "" ? reply[2] : null;
    return { status: "reused", sessionId, userId };
  }

  #newTag(): string {
    return generateSessionId(this.#random, { byteLength: TAG_BYTES });
  }

  /** Creates a session under a tag (applying the user's limit). One round trip. */
  async #open(
    tag: string,
    o: check.CheckedCreate,
    dataJson: string,
    deviceJson: string,
    now: number,
  ): Promise<Opened | null> {
    const id = generateSessionId(this.#random, { prefix: tag, byteLength: REST_BYTES });
    const keys = sessionKeys(this.#prefix, id)!;
    const secret = generateSecret(this.#random);
    const reply = await this.#run("create", [keys.index, keys.session], [
      keys.base,
      keys.rest,
      s(now),
      o.userId ?? "",
      o.limit === Infinity ? "" : s(o.limit),
      o.onLimit === "reject" ? "1" : "0",
      dataJson,
      deviceJson,
      s(now + o.idleTtlMs),
      s(now + o.absoluteTtlMs),
      s(o.idleTtlMs),
      hashSecret(secret),
      s(o.absoluteTtlMs + this.#margin),
    ]);
    if (reply[1] === "limit") return null;
    if (reply[1] !== "created") {
      throw new SessionError("store-unavailable", "Redis store answered create unexpectedly");
    }
    const evicted: Session[] = [];
    const count = Number(reply[2]);
    for (let i = 0; i < count; i++) {
      const at = 3 + i * (VIEW_FIELDS + 1);
      const session = decodeSession(tag + String(reply[at]), reply, at + 1);
      if (session === null) this.#corrupt(1);
      else evicted.push(session);
    }
    const session: Session = {
      id,
      userId: o.userId,
      data: JSON.parse(dataJson) as JsonObject,
      version: 1,
      device: JSON.parse(deviceJson),
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt: now + o.idleTtlMs,
      absoluteExpiresAt: now + o.absoluteTtlMs,
      idleTtlMs: o.idleTtlMs,
      rotatedAt: now,
    };
    return { session, credential: `${id}.${secret}`, evicted };
  }

  #read(keys: SessionKeys, mode: string, data: string, expected: string): Promise<Reply> {
    return this.#runWaiting("read", [keys.session, keys.index, keys.claim], [
      keys.rest,
      s(this.#clock.now()),
      mode,
      data,
      expected,
      s(this.#margin),
    ]);
  }

  async #readSession(sessionId: string, mode: "get" | "destroy"): Promise<Session | null> {
    const keys = sessionKeys(this.#prefix, sessionId);
    if (keys === null) return null;
    const reply = await this.#read(keys, mode, "", "");
    if (reply[1] !== "ok") return null;
    return await this.#decode(sessionId, reply, 2, keys);
  }

  async #index(
    userId: string,
    mode: "list" | "destroy",
    except: string | undefined,
  ): Promise<Session[]> {
    const now = s(this.#clock.now());
    const tag = userTag(this.#routingKey, userId);
    const base = tagBase(this.#prefix, tag);
    const exceptRest = except !== undefined && except.length === 33 && except.startsWith(tag)
      ? except.slice(tag.length)
      : "";
    const reply = await this.#run("index", [`${base}i`], [base, now, userId, mode, exceptRest]);
    const sessions: Session[] = [];
    const count = Number(reply[2]);
    for (let i = 0; i < count; i++) {
      const at = 3 + i * (VIEW_FIELDS + 1);
      const rest = String(reply[at]);
      const keys = sessionKeys(this.#prefix, tag + rest);
      const session = keys && await this.#decode(tag + rest, reply, at + 1, keys);
      if (session) sessions.push(session);
    }
    return sessions;
  }
}
