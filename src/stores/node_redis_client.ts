/**
 * An adapter that lets {@linkcode RedisStore} run over node-redis (the `redis` package, v5 and
 * v6) instead of ioredis. Thin on purpose: it only reshapes the calls the store makes.
 *
 * @module
 */

import type { RedisClient } from "./redis_client.ts";

/** The part of a node-redis client the adapter uses (`createClient()` from the `redis` package). */
export interface NodeRedisLike {
  /** `EVALSHA`: node-redis takes keys and arguments in an options object. */
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** `EVAL`, same shape. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** `GET` (validations that write nothing). */
  get?(key: string): Promise<string | null | unknown>;
  /**
   * `MULTI` as node-redis builds it; only `addCommand` and `execAsPipeline` are used (the
   * `durability` option: a script and its `WAIT`, pipelined on one connection, no transaction).
   */
  multi?(): {
    addCommand(args: string[]): unknown;
    execAsPipeline(): Promise<unknown[]>;
  };
  /** `SCAN` (the sweep only). */
  scan?(
    cursor: string,
    options: { MATCH: string; COUNT: number },
  ): Promise<{ cursor: string | number; keys: string[] }>;
}

/**
 * Wraps a node-redis client as a {@linkcode RedisClient}. Tested against a real redis-server
 * with the conformance kit; node-redis clusters are not covered (use ioredis' `Cluster`).
 *
 * @example
 * ```ts
 * import { fromNodeRedis, RedisStore } from "@sessionkit/sessionkit/redis";
 * const calls: string[] = [];
 * const client = fromNodeRedis({
 *   evalSha: (sha, { keys }) => { calls.push(`${sha}:${keys.length}`); return Promise.resolve([0, "invalid"]); },
 *   eval: () => Promise.resolve([0, "invalid"]),
 * });
 * const store = new RedisStore(client); // in production: fromNodeRedis(await createClient().connect())
 * if (typeof store.validate !== "function") throw new Error("Not a store");
 * ```
 *
 * @param client A connected node-redis client.
 * @returns The client in the shape RedisStore expects.
 */
export function fromNodeRedis(client: NodeRedisLike): RedisClient {
  const split = (numkeys: number, args: string[]) => ({
    keys: args.slice(0, numkeys),
    arguments: args.slice(numkeys),
  });
  const get = client.get?.bind(client);
  const adapted: { -readonly [K in keyof RedisClient]: RedisClient[K] } = {
    evalsha: (sha1, numkeys, ...args) => client.evalSha(sha1, split(numkeys, args)),
    eval: (script, numkeys, ...args) => client.eval(script, split(numkeys, args)),
    ...(get === undefined ? {} : { get: (key: string) => get(key) as Promise<string | null> }),
  };
  const multi = client.multi?.bind(client);
  if (multi !== undefined) {
    adapted.evalAndWait = async (command, script, numkeys, args, replicas, timeoutMs) => {
      const pipeline = multi();
      pipeline.addCommand([command, script, String(numkeys), ...args]);
      pipeline.addCommand(["WAIT", String(replicas), String(timeoutMs)]);
      const replies = await pipeline.execAsPipeline().catch((error: unknown) => {
        // node-redis rejects a pipeline with a failed command as a whole: surface that command's
        // own error (e.g. NOSCRIPT, which the store answers with EVAL).
        const each = (error as { replies?: unknown[] } | null)?.replies;
        throw each?.find((r) => r instanceof Error) ?? error;
      });
      const [reply, acknowledged] = replies;
      if (reply instanceof Error) throw reply;
      return [reply, Number(acknowledged)];
    };
  }
  const scan = client.scan?.bind(client);
  if (scan === undefined) return adapted;
  return {
    ...adapted,
    scan: async (cursor, _match, pattern, _count, count) => {
      const reply = await scan(cursor, { MATCH: pattern, COUNT: count });
      return [String(reply.cursor), reply.keys];
    },
  };
}
