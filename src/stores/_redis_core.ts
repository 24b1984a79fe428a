// Private: the state and the shared steps of RedisStore (running scripts with the corruption
// report and the attach-claim wait, decoding, the credential's keys, creating a session under a
// tag, reads by id, the per-user index). redis_store.ts is the public API over it; token
// revocation is in _redis_tokens.ts, the sweep in _redis_sweep.ts.

import { type Clock, systemClock } from "../core/clock.ts";
import {
  generateSecret,
  generateSessionId,
  hashSecret,
  tryParseCredential,
} from "../core/credential.ts";
import { SessionError, typeError } from "../core/errors.ts";
import { type RandomSource, webCryptoRandom } from "../core/random.ts";
import * as check from "../model/_arguments.ts";
import type { JsonObject, Session } from "../model/store.ts";
import {
  decodeRecord,
  encodeNewRecord,
  REST_BYTES,
  SESSION_ID_LENGTH,
  type SessionKeys,
  sessionKeys,
  TAG_BYTES,
  tagBase,
  userOf,
} from "./_redis_codec.ts";
import { type Reply, type ScriptCall, ScriptRunner } from "./_redis_runner.ts";
import { listReply, viewReply } from "./_redis_replies.ts";
import { checkDurability } from "./_redis_durability.ts";
import { checkSafeInteger } from "../core/_integers.ts";
import { INDEX_ARGS, READ_ARGS, type ScriptName } from "./_redis_scripts.ts";
import { CREATE_ARGS } from "./_redis_create_script.ts";
import { routingKey, userTag } from "./_redis_routing.ts";
import { isWellFormed } from "./_redis_key_text.ts";
import type { RedisClient } from "./redis_client.ts";
import type { RedisStoreOptions } from "./redis_store_options.ts";

export interface Opened {
  session: Session;
  credential: string;
  evicted: Session[];
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_GC_MARGIN_MS = 3_600_000;

/** What the read script does with the one session it finds (see READ in _redis_scripts.ts). */
export type ReadMode = "get" | "destroy" | "update" | "purge";

/** What the index script does with a user's live sessions (see INDEX in _redis_scripts.ts). */
export type IndexMode = "list" | "destroy" | "prune";

const checkPositive = (value: unknown, what: string, fallback: number): number =>
  value === undefined ? fallback : checkSafeInteger(value, what, 1);

/** RedisStore's state and shared steps. */
export class RedisCore {
  readonly client: RedisClient;
  readonly runner: ScriptRunner;
  readonly prefix: string;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly maxDataBytes: number;
  readonly margin: number;
  readonly markerMs: number;
  readonly onCorrupt: (error: SessionError) => void;
  readonly routingKey: Uint8Array;
  /**
   * How long a write's first reply is kept for a re-run of the same command (a client that resends
   * a command whose reply was lost with its connection, as ioredis does by default).
   */
  readonly replayMs: number;
  /** Operation ids: a random prefix of this store instance, then a counter. */
  readonly #opPrefix: string;
  #opCount = 0;

  constructor(client: RedisClient, options: RedisStoreOptions = {}) {
    if (
      typeof client !== "object" || client === null || typeof client.evalsha !== "function" ||
      typeof client.eval !== "function"
    ) {
      throw typeError("invalid-argument", "client must have evalsha and eval methods");
    }
    const prefix = options.prefix ?? "sk:";
    // A lone surrogate reaches Redis as U+FFFD: two such prefixes would share every key.
    if (
      typeof prefix !== "string" || /[{}]/.test(prefix) || prefix.length > 128 ||
      !isWellFormed(prefix)
    ) {
      throw typeError(
        "invalid-argument",
        "prefix must be a string of at most 128 characters without braces or lone surrogates",
      );
    }
    const timeout = checkPositive(options.commandTimeoutMs, "commandTimeoutMs", DEFAULT_TIMEOUT_MS);
    this.client = client;
    this.runner = new ScriptRunner(client, timeout, checkDurability(options.durability, timeout));
    this.prefix = prefix;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? webCryptoRandom;
    this.maxDataBytes = check.checkMaxDataBytes(options.maxDataBytes);
    this.margin = checkPositive(options.gcMarginMs, "gcMarginMs", DEFAULT_GC_MARGIN_MS);
    this.markerMs = Math.max(1_000, 5 * timeout);
    this.replayMs = Math.max(60_000, 30 * timeout);
    // Always fresh randomness (not the injected source): two stores seeded alike must not share ids.
    this.#opPrefix = generateSessionId(webCryptoRandom, { byteLength: 12 });
    this.onCorrupt = options.onCorrupt ?? (() => {});
    const key = options.routingKey;
    if (key !== undefined && !(key instanceof Uint8Array && key.length >= 16)) {
      throw typeError("invalid-argument", "routingKey must be a Uint8Array of at least 16 bytes");
    }
    this.routingKey = routingKey(prefix, key);
  }

  /** A new operation id, unique across store instances (see `replayMs`). */
  opId(): string {
    return this.#opPrefix + (this.#opCount++).toString(36);
  }

  /** The routing tag of a user's sessions. */
  userTag(userId: string): string {
    return userTag(this.routingKey, userId);
  }

  async run(
    name: ScriptName,
    keys: readonly string[],
    args: readonly string[],
    call: ScriptCall = "write",
  ): Promise<Reply> {
    const reply = await this.runner.run(name, keys, args, call);
    const corrupt = reply[0] as number;
    if (corrupt > 0) this.corrupt(corrupt);
    return reply;
  }

  /** Runs a script, retrying while an attach in flight holds a claim on the session. */
  async runWaiting(
    name: ScriptName,
    keys: readonly string[],
    args: readonly string[],
    call: ScriptCall = "write",
  ): Promise<Reply> {
    let waited = 0;
    for (let attempt = 0;; attempt++) {
      const reply = await this.run(name, keys, args, call);
      if (reply[1] !== "busy") return reply;
      if (waited > 2 * this.markerMs) {
        throw new SessionError("store-unavailable", "Session stayed claimed by an attach");
      }
      const pause = Math.min(2 ** attempt, 50);
      waited += pause;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  corrupt(count: number): void {
    try {
      this.onCorrupt(
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
  decode(id: string, record: unknown, keys: SessionKeys): Promise<Session | null> {
    return this.purgeUnless(decodeRecord(id, record), keys);
  }

  /** A decoded session, or (when it did not decode) `null` after reporting and purging it. */
  async purgeUnless(session: Session | null, keys: SessionKeys): Promise<Session | null> {
    if (session !== null) return session;
    this.corrupt(1);
    await this.purge(keys);
    return null;
  }

  credential(credential: string): { id: string; keys: SessionKeys; hash: string } | null {
    check.checkCredentialArg(credential);
    const parsed = tryParseCredential(credential);
    if (parsed === null) return null;
    const keys = sessionKeys(this.prefix, parsed.sessionId);
    if (keys === null) return null;
    return { id: parsed.sessionId, keys, hash: hashSecret(parsed.secret) };
  }

  reused(
    sessionId: string,
    reply: Reply,
  ): { status: "reused"; sessionId: string; userId: string | null } {
    return { status: "reused", sessionId, userId: userOf(viewReply(reply).view) };
  }

  newTag(): string {
    return generateSessionId(this.random, { byteLength: TAG_BYTES });
  }

  /** Creates a session under a tag (applying the user's limit). One round trip. */
  async open(
    tag: string,
    o: check.CheckedCreate,
    dataJson: string,
    deviceJson: string,
    now: number,
  ): Promise<Opened | null> {
    const id = generateSessionId(this.random, { prefix: tag, byteLength: REST_BYTES });
    const keys = sessionKeys(this.prefix, id)!;
    const secret = generateSecret(this.random);
    const record = encodeNewRecord({
      now,
      idleExpiresAt: now + o.idleTtlMs,
      absoluteExpiresAt: now + o.absoluteTtlMs,
      idleTtlMs: o.idleTtlMs,
      kind: o.kind,
      hash: hashSecret(secret),
      userId: o.userId ?? "",
      deviceJson,
      dataJson,
    });
    const reply = await this.run(
      "create",
      [keys.index, keys.session],
      CREATE_ARGS.build({
        base: keys.base,
        rest: keys.rest,
        now,
        userId: o.userId ?? "",
        limit: o.limit === Infinity ? undefined : o.limit,
        reject: o.onLimit === "reject",
        record,
        idleExpiresAt: now + o.idleTtlMs,
        recordTtlMs: o.absoluteTtlMs + this.margin,
        opId: this.opId(),
        replayMs: this.replayMs,
        indexTtlMs: 2 * (o.absoluteTtlMs + this.margin),
      }),
    );
    const answer = listReply(reply);
    if (answer.status === "limit") return null;
    if (answer.status !== "created") {
      throw new SessionError("store-unavailable", "Redis store answered create unexpectedly");
    }
    const evicted: Session[] = [];
    for (const listed of answer.sessions) {
      const session = decodeRecord(tag + listed.rest, listed.record);
      if (session === null) this.corrupt(1);
      else evicted.push(session);
    }
    const session: Session = {
      id,
      userId: o.userId,
      kind: o.kind,
      data: JSON.parse(dataJson) as JsonObject,
      version: 1,
      device: JSON.parse(deviceJson),
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt: now + o.idleTtlMs,
      absoluteExpiresAt: now + o.absoluteTtlMs,
      idleTtlMs: o.idleTtlMs,
      rotatedAt: now,
      authenticatedAt: o.userId === null ? null : now,
    };
    return { session, credential: `${id}.${secret}`, evicted };
  }

  /** The read script over one session (its reply: status, then the record). */
  #read(
    keys: SessionKeys,
    mode: ReadMode,
    update: { dataJson: string; expectedVersion: number | undefined } | undefined,
  ): Promise<Reply> {
    return this.runWaiting(
      "read",
      [keys.session, keys.index, keys.claim],
      READ_ARGS.build({
        rest: keys.rest,
        now: this.clock.now(),
        mode,
        data: update?.dataJson ?? "",
        expectedVersion: update?.expectedVersion,
        margin: this.margin,
        opId: this.opId(),
        replayMs: this.replayMs,
      }),
      mode === "get" ? "read" : "write",
    );
  }

  /** Reads a session (removing it when it is dead). */
  getById(keys: SessionKeys): Promise<Reply> {
    return this.#read(keys, "get", undefined);
  }

  /** Replaces a session's data (compare-and-set on the version when one is expected). */
  updateById(
    keys: SessionKeys,
    dataJson: string,
    expectedVersion: number | undefined,
  ): Promise<Reply> {
    return this.#read(keys, "update", { dataJson, expectedVersion });
  }

  /** Removes a value that did not decode, with its index entries. */
  purge(keys: SessionKeys): Promise<Reply> {
    return this.#read(keys, "purge", undefined);
  }

  /** `get` or `destroy` of one session by id. */
  async readSession(sessionId: string, mode: "get" | "destroy"): Promise<Session | null> {
    const keys = sessionKeys(this.prefix, sessionId);
    if (keys === null) return null;
    const reply = await this.#read(keys, mode, undefined);
    const { status, view } = viewReply(reply);
    if (status !== "ok") return null;
    return await this.decode(sessionId, view, keys);
  }

  /** A user's live sessions. */
  listUser(userId: string): Promise<Session[]> {
    return this.#index(userId, "list", undefined);
  }

  /** Removes a user's sessions (all but `exceptSessionId`); answers the removed ones. */
  destroyUser(userId: string, exceptSessionId: string | undefined): Promise<Session[]> {
    return this.#index(userId, "destroy", exceptSessionId);
  }

  async #index(
    userId: string,
    mode: "list" | "destroy",
    except: string | undefined,
  ): Promise<Session[]> {
    const tag = userTag(this.routingKey, userId);
    const base = tagBase(this.prefix, tag);
    // A session id of another user's tag (or of another length) is none of this user's sessions.
    const exceptRest = except !== undefined && except.length === SESSION_ID_LENGTH &&
        except.startsWith(tag)
      ? except.slice(tag.length)
      : "";
    const reply = await this.run(
      "index",
      [`${base}i`],
      INDEX_ARGS.build({
        base,
        now: this.clock.now(),
        userJson: JSON.stringify(userId),
        mode,
        exceptRest,
        opId: this.opId(),
        replayMs: this.replayMs,
      }),
      mode === "list" ? "read" : "write",
    );
    const sessions: Session[] = [];
    for (const { rest, record } of listReply(reply).sessions) {
      const keys = sessionKeys(this.prefix, tag + rest);
      const session = keys && await this.decode(tag + rest, record, keys);
      if (session) sessions.push(session);
    }
    return sessions;
  }
}
