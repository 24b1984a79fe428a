/**
 * The Redis client interface RedisStore talks to: a few commands, satisfied by ioredis as it is
 * and by node-redis through `fromNodeRedis`.
 *
 * @module
 */

/**
 * The few commands RedisStore needs from a Redis client. ioredis 5 and 6 `Redis` and `Cluster`
 * satisfy it as they are; so does anything with the same `evalsha`/`eval` (and, for
 * {@linkcode RedisStore.sweep}, `scan`) signatures.
 *
 * @example
 * ```ts
 * import type { RedisClient } from "@sessionkit/sessionkit/redis";
 * const calls: string[] = [];
 * const fake: RedisClient = {
 *   evalsha: (sha) => { calls.push(sha); return Promise.reject(new Error("NOSCRIPT")); },
 *   eval: () => Promise.resolve([0, "invalid"]),
 * };
 * if (typeof fake.eval !== "function") throw new Error("Not a client");
 * ```
 */
export interface RedisClient {
  /** `EVALSHA sha numkeys key… arg…`. */
  evalsha(sha1: string, numkeys: number, ...args: string[]): Promise<unknown>;
  /** `EVAL script numkeys key… arg…`. */
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
  /**
   * `GET key`. Optional: with it, a validation that writes nothing (the common case) is a plain
   * read decided in the client; without it, every validation runs a script.
   */
  get?(key: string): Promise<string | null>;
  /** `SCAN cursor MATCH pattern COUNT count` (needed by the sweep only). */
  scan?(
    cursor: string,
    matchToken: "MATCH",
    pattern: string,
    countToken: "COUNT",
    count: number,
  ): Promise<[cursor: string, keys: string[]]>;
  /** A cluster's master nodes (ioredis `Cluster.nodes("master")`), for the sweep's SCAN. */
  nodes?(role: "master"): RedisScanNode[];
  /** See {@linkcode EvalAndWait} (needed by the `durability` option only). */
  evalAndWait?: EvalAndWait;
}

/**
 * Runs `EVALSHA` (or `EVAL`) and then `WAIT replicas timeoutMs` on the same connection, pipelined,
 * answering the script's reply and how many replicas acknowledged. RedisStore's `durability`
 * uses it; ioredis clients need no such method (their `pipeline()` serves), `fromNodeRedis`
 * provides it. Rejects with the server's error (e.g. `NOSCRIPT`).
 */
export type EvalAndWait = (
  command: "EVALSHA" | "EVAL",
  script: string,
  numkeys: number,
  args: readonly string[],
  replicas: number,
  timeoutMs: number,
) => Promise<[reply: unknown, acknowledged: number]>;

/** A node the sweep can SCAN. */
export interface RedisScanNode {
  /** `SCAN cursor MATCH pattern COUNT count`. */
  scan(
    cursor: string,
    matchToken: "MATCH",
    pattern: string,
    countToken: "COUNT",
    count: number,
  ): Promise<[cursor: string, keys: string[]]>;
}
