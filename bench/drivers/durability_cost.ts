// What RedisStore's `durability` option costs per write, as a ratio in one run: logins (new users,
// one script each) with `durability: { replicas: 1 }` against the same logins without it, on a
// master with one replica on loopback, alternating rounds so both see the same machine. Not part
// of `npm test` (docs/reliability.md quotes its figures).
//
//   npx deno run -A bench/drivers/durability_cost.ts [--rounds 5] [--logins 2000]
import { Redis } from "ioredis";
import { RedisStore } from "../../src/stores/redis.ts";
import { startMasterWithReplica } from "../../spec/_support/_redis_servers.ts";

const arg = (name: string, fallback: number): number => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
const rounds = arg("rounds", 5);
const logins = arg("logins", 2000);
const servers = await startMasterWithReplica();
const client = new Redis({ port: servers.masterPort, host: "127.0.0.1" });
const TTL = { idleTtlMs: 3_600_000, absoluteTtlMs: 7_200_000 };
let n = 0;

async function timed(store: RedisStore, inFlight: number): Promise<number> {
  const t0 = performance.now();
  let left = logins;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (left-- > 0) await store.create({ userId: `u${n++}`, ...TTL });
  }));
  return (performance.now() - t0) / logins;
}

try {
  const plain = new RedisStore(client, { prefix: "plain:" });
  const durable = new RedisStore(client, { prefix: "durable:", durability: { replicas: 1 } });
  for (const inFlight of [1, 16]) {
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const without = await timed(plain, inFlight);
      const withWait = await timed(durable, inFlight);
      ratios.push(withWait / without);
    }
    ratios.sort((a, b) => a - b);
    console.log(
      `login with durability / without, ${inFlight} in flight: median ${
        ratios[Math.floor(ratios.length / 2)]!.toFixed(2)
      } (range ${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)}, ${rounds} rounds)`,
    );
  }
} finally {
  client.disconnect();
  servers.stop();
}
