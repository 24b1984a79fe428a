// RedisStore against the reference model through the conformance kit, on three backends:
// ioredis-mock (always), a real redis-server and a real 3-master Redis Cluster (skipped loudly
// without redis-server, a failure under CI=true). The kit's clock jumps hours ahead while Redis'
// own clock barely moves: expiry must be logical.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import RedisMock from "ioredis-mock";
import type { Redis } from "ioredis";
import type { SessionError } from "../../src/core/errors.ts";
import { type RedisClient, RedisStore } from "../../src/stores/redis.ts";
import { type StoreContext, verifyStore } from "../../src/testing/mod.ts";
import { KIT_COMMAND_TIMEOUT_MS, RUNS, SEEDS } from "../_support/_budget.ts";
import {
  clusterClient,
  deletePrefix,
  dumpPrefix,
  type LocalCluster,
  realRedisOrSkip,
  standaloneClient,
  type StandaloneServer,
  startCluster,
  startStandalone,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis-server");
const CLUSTER = realRedisOrSkip("redis-cluster");
let mockPort = 41_000 + Math.floor(Math.random() * 1_000) * 10;
let run = 0;

/** A factory over one shared client: a fresh prefix per run, removed afterwards. */
function factoryOver(
  client: RedisClient,
  nodes: () => Redis[],
  corrupt: SessionError[],
) {
  return ({ clock, random, maxDataBytes }: StoreContext) => {
    const prefix = `t${run++}:`;
    const store = new RedisStore(client, {
      prefix,
      clock,
      random,
      maxDataBytes,
      commandTimeoutMs: KIT_COMMAND_TIMEOUT_MS,
      onCorrupt: (error) => corrupt.push(error),
    });
    return {
      store,
      dump: () => dumpPrefix(nodes(), prefix),
      cleanup: () => deletePrefix(nodes(), prefix),
    };
  };
}

// ioredis-mock runs each script in a fresh fengari VM (~10 ms a call): it gets a smaller budget;
// the real server, the ground truth, gets the full one.
// Since issue 9 a run holds composite scenarios (rotation chains, probes, histories) of many calls.
// The mock therefore runs the "quick" budget; a quick run there costs about 2 s of CPU.
const MOCK_RUNS = Math.min(RUNS, 10);

describe("RedisStore on ioredis-mock", () => {
  for (const seed of SEEDS) {
    it(`conforms to the model (seed ${seed})`, async () => {
      const corrupt: SessionError[] = [];
      const report = await verifyStore(({ clock, random, maxDataBytes }) => {
        // Instances on one host:port share a keyspace (a mock quirk): one port per run.
        const client = new RedisMock({ port: mockPort++ });
        const store = new RedisStore(client as unknown as RedisClient, {
          clock,
          random,
          maxDataBytes,
          commandTimeoutMs: KIT_COMMAND_TIMEOUT_MS,
          onCorrupt: (error) => corrupt.push(error),
        });
        const nodes = () => [client as unknown as Redis];
        return {
          store,
          dump: () => dumpPrefix(nodes(), "sk:"),
          cleanup: async () => {
            await client.flushall();
            client.disconnect();
          },
        };
      }, {
        name: "RedisStore/ioredis-mock",
        budget: "quick",
        runs: MOCK_RUNS,
        raceRuns: Math.ceil(MOCK_RUNS / 4),
        seed,
      });
      assert.equal(report.runs, MOCK_RUNS);
      assert.deepEqual(corrupt, []);
    });
  }

  it("conforms with a small data cap", async () => {
    await verifyStore(({ clock, random, maxDataBytes }) => {
      const client = new RedisMock({ port: mockPort++ });
      return {
        store: new RedisStore(client as unknown as RedisClient, {
          clock,
          random,
          maxDataBytes,
          commandTimeoutMs: KIT_COMMAND_TIMEOUT_MS,
        }),
        cleanup: () => client.disconnect(),
      };
    }, { budget: "quick", runs: 5, raceRuns: 2, maxCommands: 30, maxDataBytes: 64 });
  });
});

describe("RedisStore on a real redis-server", { skip: !REAL }, () => {
  let server: StandaloneServer | undefined;
  let client: Redis | undefined;
  const setup = async (): Promise<Redis> => {
    server ??= await startStandalone();
    client ??= standaloneClient(server.url);
    return client;
  };

  for (const seed of SEEDS) {
    it(`conforms to the model (seed ${seed})`, async () => {
      const redis = await setup();
      const corrupt: SessionError[] = [];
      const report = await verifyStore(factoryOver(redis, () => [redis], corrupt), {
        name: "RedisStore/redis-server",
        runs: RUNS,
        raceRuns: Math.ceil(RUNS / 4),
        seed,
      });
      assert.equal(report.runs, RUNS);
      assert.deepEqual(corrupt, []);
    });
  }

  it("stops the server it started", async () => {
    await client?.quit();
    server?.stop();
  });
});

describe("RedisStore on a real 3-master Redis Cluster", { skip: !CLUSTER }, () => {
  let cluster: LocalCluster | undefined;
  let client: ReturnType<typeof clusterClient> | undefined;
  const setup = async () => {
    cluster ??= await startCluster();
    client ??= clusterClient(cluster);
    return client;
  };

  it(`conforms to the model, race mode included, without CROSSSLOT (seed ${SEEDS[0]})`, async () => {
    const redis = await setup();
    const corrupt: SessionError[] = [];
    const runs = Math.min(RUNS, 500);
    const report = await verifyStore(
      factoryOver(redis, () => redis.nodes("master"), corrupt),
      { name: "RedisStore/cluster", runs, raceRuns: Math.ceil(runs / 2), seed: SEEDS[0]! },
    );
    assert.equal(report.runs, runs);
    assert.deepEqual(corrupt, []);
  });

  it("stops the cluster it started", async () => {
    await client?.quit();
    cluster?.stop();
  });
});
