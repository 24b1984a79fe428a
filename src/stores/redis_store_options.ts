/**
 * The options of {@linkcode RedisStore} and of its sweep.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { SessionError } from "../core/errors.ts";
import type { RandomSource } from "../core/random.ts";
import type { RedisScanNode } from "./redis_client.ts";

/** Options of `RedisStore`. */
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
  /**
   * Wait for replicas after every write: each script is pipelined with `WAIT replicas timeoutMs`
   * on the same connection (in a cluster, the key's master). A write that fewer replicas
   * acknowledged in time rejects with `store-unavailable` — its outcome is unknown (it happened on
   * the master and may or may not survive a failover), never reported as done. Reads (a validation
   * that does not slide, `get`, `list`) do not wait. Redis replication stays asynchronous: this bounds the loss
   * window of a failover to writes that were reported as failed, it is not consensus. Needs an
   * ioredis client (`Redis` or `Cluster`) or `fromNodeRedis`; `timeoutMs` must be below
   * `commandTimeoutMs`. See docs/reliability.md for what it costs per write.
   * @default no waiting (a write is acknowledged by the master alone)
   */
  readonly durability?: {
    /** Replicas that must acknowledge each write (at least 1). */
    readonly replicas: number;
    /** How long to wait for them (ms). @default half of `commandTimeoutMs` */
    readonly timeoutMs?: number;
  };
}

/** What `RedisStore.sweep` did. */
export interface SweepReport {
  /** Keys under the prefix that SCAN returned. */
  readonly scanned: number;
}

/** Options of `RedisStore.sweep`. */
export interface SweepOptions {
  /** The nodes to SCAN. @default the cluster's masters, or the client itself */
  readonly nodes?: readonly RedisScanNode[];
  /** SCAN's COUNT hint. @default 500 */
  readonly count?: number;
}
