// RedisStore on a real Redis Cluster under faults, with operations in flight from several clients:
// a master killed with replicas (failover), a master killed without replicas (its slots down), and
// users' slots migrated while in use (MOVED/ASK). Every call settles as a correct answer or a
// `store-unavailable` SessionError; after recovery each user's sessions equal the acknowledged
// record, with the one operation of unknown outcome per user whole or absent.

import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Cluster, Redis } from "ioredis";
import { ManualClock } from "../../src/core/clock.ts";
import { RedisStore } from "../../src/stores/redis.ts";
import { routingKey, userTag } from "../../src/stores/_redis_routing.ts";
import {
  checkRecovered,
  type Client,
  type FaultRun,
  faultRun,
} from "../_support/_fault_workload.ts";
import { type LocalCluster, realRedisOrSkip, startCluster } from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis-cluster faults");
const COMMAND_TIMEOUT_MS = 400;
const USERS = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds, checking every 50 ms, for at most 30 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) await sleep(50);
  assert.ok(done(), `not reached within 30 s: ${what}`);
}

interface Setup {
  cluster: LocalCluster;
  client: Cluster;
  store: RedisStore;
  clock: ManualClock;
  admins: Redis[];
}

let setups: Setup[] = [];
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

async function setup(
  replicas: number,
  durability?: { replicas: number; timeoutMs: number },
  fullCoverage = true,
): Promise<Setup> {
  const cluster = await startCluster({ replicas, fullCoverage });
  // No re-sending, by the node clients nor by the Cluster itself: with its defaults a command that
  // met CLUSTERDOWN or a closed connection is re-sent 100 ms later (up to maxRedirections times),
  // so a write the store already reported as store-unavailable could be applied seconds later,
  // after the checks below have read the state. Each fault then leaves at most one operation of
  // unknown outcome per user, settled before the checks.
  const client = new Cluster(cluster.ports.map((port) => ({ host: "127.0.0.1", port })), {
    redisOptions: { maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false },
    enableReadyCheck: true,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
  });
  client.on("error", () => {});
  const clock = new ManualClock(Date.now());
  const store = new RedisStore(client, {
    clock,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    ...(durability === undefined ? {} : { durability }),
  });
  const s: Setup = { cluster, client, store, clock, admins: [] };
  setups.push(s);
  return s;
}

function admin(s: Setup, port: number): Redis {
  const redis = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  s.admins.push(redis);
  return redis;
}

/** The master ports, and which master serves each slot. */
async function masters(
  s: Setup,
  via: number,
): Promise<{ ports: number[]; owner: (slot: number) => number }> {
  const slots = await admin(s, via).call("CLUSTER", "SLOTS") as [
    number,
    number,
    [string, number],
  ][];
  const ports = [...new Set(slots.map((range) => range[2][1]))];
  return {
    ports,
    owner: (slot) => slots.find(([from, to]) => slot >= from && slot <= to)![2][1],
  };
}

async function clusterOk(s: Setup, ports: readonly number[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (
      ports.every((port) => s.cluster.cli(port, "cluster", "info").includes("cluster_state:ok"))
    ) {
      return;
    }
    await sleep(100);
  }
  throw new Error("The cluster did not recover");
}

/** Waits until the cluster marked `victim` as failed (FAIL, not the PFAIL suspicion). */
async function failedOver(s: Setup, via: number, victim: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const line = s.cluster.cli(via, "cluster", "nodes").split("\n")
      .find((l) => l.includes(`:${victim}@`)) ?? "";
    const flags = line.split(" ")[2]?.split(",") ?? [];
    if (flags.includes("fail")) return;
    await sleep(100);
  }
  throw new Error("The killed master was never marked failed");
}

/** Waits (at most 10 s) until every replica of the master on `port` has its whole stream. */
async function replicaCaughtUp(s: Setup, port: number): Promise<void> {
  const redis = admin(s, port);
  for (let i = 0; i < 200; i++) {
    const info = String(await redis.call("INFO", "replication"));
    const master = Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
    const replicas = [...info.matchAll(/slave\d+:[^\r\n]*offset=(\d+)/g)].map((m) => Number(m[1]));
    if (replicas.length > 0 && replicas.every((offset) => offset === master)) return;
    await sleep(50);
  }
  throw new Error("The replica never caught up with its master");
}

/** The hash slot of every key of `userId`'s sessions (the default prefix and routing key). */
async function slotOfUser(s: Setup, userId: string): Promise<number> {
  const key = `sk:{${userTag(routingKey("sk:", undefined), userId)}}:s:x`;
  return Number(await admin(s, s.cluster.ports[0]!).call("CLUSTER", "KEYSLOT", key));
}

/** Waits until every client of `work` holds a session or has failed (not a fixed sleep). */
const started = (work: FaultRun): Promise<void> =>
  until(
    () => work.clients.every((c) => c.sessions.size > 0 || c.failed > 0),
    "every client logged in",
  );

/** The clients of one test: USERS users on the setup's store, tagged `tag`. */
const workload = (s: Setup, tag: string): FaultRun =>
  faultRun(s.store, s.clock, { users: USERS, tag, commandTimeoutMs: COMMAND_TIMEOUT_MS });

/** The port of the master that serves the first slot range. */
async function firstMaster(s: Setup): Promise<number> {
  return (await masters(s, s.cluster.ports[0]!)).ports[0]!;
}

/** Waits until the cluster replaced the killed master `victim` and is whole again. */
async function failOver(s: Setup, victim: number): Promise<void> {
  const others = s.cluster.ports.filter((port) => port !== victim);
  await failedOver(s, others[0]!, victim);
  await clusterOk(s, others);
}

/** Waits (at most 30 s) until `store` answers a read for every client (topology refreshed). */
async function served(store: RedisStore, clients: readonly Client[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const answers = await Promise.all(
      clients.map((c) => store.list(c.userId).then(() => true, () => false)),
    );
    if (answers.every(Boolean)) return;
    await sleep(100);
  }
  assert.fail("after the failover the store never answered for every user");
}

async function recoveredAndWorking(s: Setup, work: FaultRun, clients: Client[]): Promise<void> {
  assert.deepEqual(work.violations, []);
  assert.deepEqual(await checkRecovered(s.store, clients), []);
  const more = work.run();
  await sleep(300);
  work.stop();
  await more;
  assert.deepEqual(work.violations, []);
  assert.deepEqual(await checkRecovered(s.store, clients), []);
}

describe("RedisStore on a real cluster under faults", { skip: !REAL }, () => {
  beforeEach(() => {
    unhandled = [];
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
    for (const s of setups) {
      s.client.disconnect();
      for (const a of s.admins) a.disconnect();
      s.cluster.stop();
    }
    setups = [];
    assert.deepEqual(unhandled, []);
  });

  it("a master killed with replicas: its users fail as store-unavailable, then after the failover the state is whole", async () => {
    const s = await setup(1);
    const work = workload(s, "failover");
    // Redis replicates asynchronously: a write acknowledged just before the kill may not have
    // reached the replica, and then the failover loses it (docs/reliability.md). This test controls
    // that window instead of hoping the replica keeps up: the first run stops, the replica is
    // waited for (bounded), the master is killed, and a second run calls through the failover
    // (nothing is acknowledged by the dying master after its replica caught up).
    const first = work.run();
    await started(work);
    work.stop();
    await first;
    const victim = await firstMaster(s);
    await replicaCaughtUp(s, victim);
    process.kill(s.cluster.pidOf(victim), "SIGKILL");
    const running = work.run();
    await failOver(s, victim);
    work.stop();
    await running;
    assert.ok(work.clients.some((c) => c.failed > 0), "no user was served by the killed master");
    await served(s.store, work.clients);
    await recoveredAndWorking(s, work, work.clients);
  });

  it("with durability: a master killed mid-run loses no acknowledged write (no waiting for the replica)", async () => {
    // WAIT 1 after every write: a write is acknowledged only once the replica has it, so the
    // failover keeps it, however far behind the replica would otherwise be. The master is killed
    // while the clients run, with no wait for the replica: nothing here depends on timing.
    const s = await setup(1, { replicas: 1, timeoutMs: COMMAND_TIMEOUT_MS / 2 });
    const work = workload(s, "durable");
    const running = work.run();
    await started(work);
    const victim = await firstMaster(s);
    process.kill(s.cluster.pidOf(victim), "SIGKILL");
    await failOver(s, victim);
    work.stop();
    await running;
    assert.ok(work.clients.some((c) => c.failed > 0), "no user was served by the killed master");
    assert.deepEqual(work.violations, []);
    // The promoted replica has no replica of its own (its master is dead), so the durable store
    // now refuses writes on its slots (fail closed) while reads still work. A store without
    // durability reads the recovered state: every acknowledged write is there.
    const plain = new RedisStore(s.client, { clock: s.clock, commandTimeoutMs: 2_000 });
    await served(plain, work.clients);
    assert.deepEqual(await checkRecovered(plain, work.clients), []);
    const write = await Promise.all(
      work.clients.map((c) =>
        s.store.create({ userId: c.userId, idleTtlMs: 60_000, absoluteTtlMs: 600_000 }).then(
          () => "done",
          (error: { code?: string }) => String(error.code),
        )
      ),
    );
    assert.ok(write.includes("store-unavailable"), "a write without its replica was acknowledged");
    assert.ok(write.every((w) => w === "done" || w === "store-unavailable"), write.join());
  });

  it("a master killed without replicas: calls on its slots settle as store-unavailable, other users are exact", async () => {
    // With `cluster-require-full-coverage no` the other masters keep serving (with the default the
    // whole cluster refuses queries once the dead master is marked failed). Which users the dead
    // master served follows from their slots, not from timing: each of them fails, and the test
    // waits (bounded) until all have, however slowly the machine runs.
    const s = await setup(0, undefined, false);
    const work = workload(s, "down");
    const running = work.run();
    await started(work);
    const { owner } = await masters(s, s.cluster.ports[0]!);
    const victim = await firstMaster(s);
    const servedBy = new Map<Client, number>();
    for (const c of work.clients) servedBy.set(c, owner(await slotOfUser(s, c.userId)));
    const onVictim = work.clients.filter((c) => servedBy.get(c) === victim);
    assert.ok(onVictim.length > 0, "no user was served by the killed master");
    process.kill(s.cluster.pidOf(victim), "SIGKILL");
    await until(
      () => onVictim.every((c) => c.failed > 0),
      "every user of the killed master failed",
    );
    work.stop();
    await running;
    assert.deepEqual(work.violations, []);
    // Users of the other masters are exact; those of the dead one keep failing closed.
    const others = work.clients.filter((c) => servedBy.get(c) !== victim);
    assert.deepEqual(await checkRecovered(s.store, others), []);
    for (const c of onVictim.filter((c) => c.everIssued.length > 0)) {
      const result = await s.store.validate(c.everIssued.at(-1)!).then(
        (r) => r.status,
        (error: { code?: string }) => error.code,
      );
      assert.equal(result, "store-unavailable");
    }
  });

  it("users' slots migrated while in use (ASK, then MOVED): answers stay correct and the state is whole", async () => {
    const s = await setup(0);
    const work = workload(s, "migrate");
    const running = work.run();
    await started(work);
    const { ports, owner } = await masters(s, s.cluster.ports[0]!);
    const ids = (p: number) => s.cluster.cli(p, "cluster", "myid").trim();
    let migrated = 0;
    for (const c of work.clients.slice(0, 4)) {
      const slot = await slotOfUser(s, c.userId);
      const from = owner(slot);
      const to = ports.find((p) => p !== from)!;
      if (s.cluster.cli(to, "cluster", "countkeysinslot", String(slot)).trim() !== "0") continue;
      s.cluster.cli(to, "cluster", "setslot", String(slot), "importing", ids(from));
      s.cluster.cli(from, "cluster", "setslot", String(slot), "migrating", ids(to));
      for (;;) {
        const keys = s.cluster.cli(from, "cluster", "getkeysinslot", String(slot), "1").trim();
        if (keys === "") break;
        s.cluster.cli(from, "migrate", "127.0.0.1", String(to), "", "0", "5000", "KEYS", keys);
        await sleep(30); // Leave the slot half-migrated for a while: ASK redirections.
      }
      for (const p of ports) s.cluster.cli(p, "cluster", "setslot", String(slot), "node", ids(to));
      migrated++;
    }
    await sleep(300);
    work.stop();
    await running;
    assert.ok(migrated > 0, "no slot was migrated");
    await recoveredAndWorking(s, work, work.clients);
  });
});
