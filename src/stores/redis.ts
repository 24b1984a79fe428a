/**
 * The Redis store of sessionkit (subpath `./redis`): {@linkcode RedisStore} over any client with
 * `evalsha`/`eval` — ioredis 5 or 6, `Redis` or `Cluster`, or node-redis through
 * {@linkcode fromNodeRedis}. No client library is imported here: bring your own client.
 *
 * @example
 * ```ts
 * import RedisMock from "ioredis-mock"; // in production: `new Redis(url)` or `new Cluster(nodes)` from ioredis
 * import { RedisStore } from "@sessionkit/sessionkit/redis";
 * const store = new RedisStore(new RedisMock());
 * const login = await store.create({ userId: "ada", idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000 });
 * if (login.status !== "created") throw new Error("Login refused");
 * ```
 *
 * @module
 */

export {
  type EvalAndWait,
  type RedisClient,
  type RedisScanNode,
  RedisStore,
  type RedisStoreOptions,
  type SweepOptions,
  type SweepReport,
} from "./redis_store.ts";
export { fromNodeRedis, type NodeRedisLike } from "./node_redis_client.ts";
