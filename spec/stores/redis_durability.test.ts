// RedisStore's `durability` option on a real standalone master with a replica, over ioredis and
// node-redis: every acknowledged write is already on the replica (so a failover keeps it); with
// the replica frozen (SIGSTOP) a write is refused as store-unavailable within the command timeout
// while a store without durability acknowledges it from the master alone; reads never wait.

import { describe, it } from "node:test";
import { after, before } from "../_support/_hooks.ts";
import assert from "node:assert/strict";
import process from "node:process";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { ManualClock } from "../../src/core/clock.ts";
import { fromNodeRedis, type RedisClient, RedisStore } from "../../src/stores/redis.ts";
import {
  type MasterWithReplica,
  realRedisOrSkip,
  startMasterWithReplica,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis durability");
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
const DURABILITY = { replicas: 1, timeoutMs: 300 };

const clients: Array<{ name: string; connect(port: number): Promise<[RedisClient, () => void]> }> =
  [
    {
      name: "ioredis",
      connect: (port) => {
        const redis = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
        return Promise.resolve([redis, () => redis.disconnect()]);
      },
    },
    {
      name: "node-redis",
      connect: async (port) => {
        const client = await createClient({ url: `redis://127.0.0.1:${port}` }).connect();
        return [fromNodeRedis(client), () => void client.destroy()];
      },
    },
  ];

for (const kind of clients) {
  describe(`RedisStore durability over ${kind.name}`, { skip: !REAL }, () => {
    let servers: MasterWithReplica;
    const closers: Array<() => void> = [];
    let replica: Redis;
    before(async () => {
      servers = await startMasterWithReplica();
      replica = new Redis({ port: servers.replicaPort, host: "127.0.0.1" });
    });
    after(() => {
      for (const close of closers) close();
      replica.disconnect();
      servers.stop();
    });
    const store = async (durable: boolean, prefix: string) => {
      const [client, close] = await kind.connect(servers.masterPort);
      closers.push(close);
      return new RedisStore(client, {
        prefix,
        clock: new ManualClock(Date.now()),
        commandTimeoutMs: 1_000,
        ...(durable ? { durability: DURABILITY } : {}),
      });
    };
    const onReplica = async (prefix: string) =>
      (await replica.keys(`${prefix}*`)).filter((k) => k.includes(":s:")).length;

    it("every acknowledged login, rotation and logout is on the replica when acknowledged", async () => {
      const prefix = `durable-${kind.name}:`;
      const s = await store(true, prefix);
      const logins = [];
      for (let i = 0; i < 20; i++) {
        const login = await s.create({ userId: `u${i % 4}`, ...TTL });
        assert.equal(login.status, "created");
        if (login.status === "created") logins.push(login);
        // No wait of any kind: WAIT in the store is what makes this hold.
        assert.equal(await onReplica(prefix), logins.length);
      }
      const rotated = await s.rotate(logins[0]!.credential);
      assert.equal(rotated.status, "rotated");
      assert.equal(await s.destroy(logins[1]!.session.id) !== null, true);
      assert.equal(await onReplica(prefix), logins.length - 1, "the logout reached the replica");
    });

    it("with the replica frozen a write is refused (store-unavailable), a read is answered", async () => {
      const prefix = `frozen-${kind.name}:`;
      const durable = await store(true, prefix);
      const plain = await store(false, prefix);
      const existing = await durable.create({ userId: "ada", ...TTL });
      assert.equal(existing.status, "created");
      const pid = servers.pidOf(servers.replicaPort);
      process.kill(pid, "SIGSTOP");
      try {
        await assert.rejects(
          durable.create({ userId: "ada", ...TTL }),
          (e: { code?: string }) => e.code === "store-unavailable",
        );
        if (existing.status === "created") {
          await assert.rejects(
            durable.destroy(existing.session.id),
            (e: { code?: string }) => e.code === "store-unavailable",
            "a logout not confirmed by the replica must not be reported done",
          );
          const read = await durable.validate(existing.credential, { slideThreshold: 0.5 });
          assert.ok(read.status === "valid" || read.status === "invalid", read.status);
          // get and list are reads too: they never wait for the replica.
          assert.ok((await durable.get(existing.session.id)) !== undefined);
          assert.ok(Array.isArray(await durable.list("ada")));
        }
        const acknowledged = await plain.create({ userId: "bob", ...TTL });
        assert.equal(acknowledged.status, "created", "without durability the master alone acks");
      } finally {
        process.kill(pid, "SIGCONT");
      }
    });

    it("refuses a durability option it cannot honour", async () => {
      const [client, close] = await kind.connect(servers.masterPort);
      closers.push(close);
      for (const durability of [{ replicas: 0 }, { replicas: 1, timeoutMs: 1_000 }, null]) {
        assert.throws(
          () =>
            new RedisStore(client, { commandTimeoutMs: 1_000, durability: durability as never }),
          (e: { code?: string }) => e.code === "invalid-argument",
        );
      }
      const bare = { evalsha: () => Promise.resolve([0]), eval: () => Promise.resolve([0]) };
      assert.throws(
        () => new RedisStore(bare, { durability: { replicas: 1 } }),
        (e: { code?: string }) => e.code === "invalid-argument",
      );
    });
  });
}
