// CPU profile helper for docs/performance.md: run one hot path for a few seconds under
// `node --cpu-prof`. Usage (after bundling like bench/compare/compare.mjs):
// PROFILE=login|validate|getex|jwt (getex: the raw floor, GETEX + JSON.parse of the same keys).
import process from "node:process";
import { Redis } from "ioredis";
import { jwtVerify } from "jose";
import { RedisStore } from "../../src/stores/redis.ts";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";
import { signAccessToken, verifyAccessToken } from "../../src/tokens/access_token.ts";
import { startRedis } from "./_redis_server.ts";
import { DATA, loadSessions } from "./_compare_redis.ts";

const what = process.env.PROFILE ?? "login";
const seconds = Number(process.env.SECONDS ?? 4);
const until = performance.now() + seconds * 1000;
let ops = 0;
if (what === "jwt") {
  const key = await AccessTokenKey.import({ kid: "k1", secret: new Uint8Array(32).fill(3) });
  const keys = new AccessTokenKeySet(key);
  const { token } = await signAccessToken(keys, { sub: "u", sid: "s1" });
  const mode = process.env.JWT ?? "ours";
  while (performance.now() < until) {
    if (mode === "ours") await verifyAccessToken(token, keys);
    else {await jwtVerify(token, key.verificationKey, {
        algorithms: ["HS256"],
        currentDate: new Date(),
      });}
    ops++;
  }
} else {
  const server = await startRedis();
  const client = new Redis({ port: server.port, host: "127.0.0.1" });
  const store = new RedisStore(client, { prefix: "sk:" });
  const credentials = await loadSessions(store, 2_000, "user");
  const raw = Array.from({ length: 2_000 }, (_, i) => `raw:${i}`);
  if (what === "getex") await Promise.all(raw.map((key) => client.set(key, JSON.stringify(DATA))));
  let n = 0;
  const worker = async () => {
    while (performance.now() < until) {
      if (what === "login") {
        await store.create({
          userId: `p${n++ % 500}`,
          data: DATA,
          idleTtlMs: 3_600_000,
          absoluteTtlMs: 86_400_000,
          limit: 5,
        });
      } else if (what === "getex") {
        JSON.parse((await client.getex(raw[n++ % raw.length]!, "EX", 3600))!);
      } else {
        await store.validate(credentials[n++ % credentials.length]!, { slideThreshold: 0.5 });
      }
      ops++;
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  client.disconnect();
  server.stop();
}
console.log(`${what}: ${ops} ops in ${seconds} s`);
