// RedisStore through real server faults, with operations in flight from several clients: SIGKILL
// and restart with data (AOF appendfsync always; RDB), SIGKILL and an empty restart, SIGSTOP past
// commandTimeoutMs then SIGCONT, CLIENT KILL, CLIENT PAUSE WRITE. Every call settles within its
// limit as a correct answer or a `store-unavailable` SessionError; no unhandled rejection; after
// recovery each user's sessions equal the acknowledged record, the one operation of unknown
// outcome per user applied entirely or not at all (spec/_support/_fault_workload.ts).

import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Redis, type RedisOptions } from "ioredis";
import { ManualClock } from "../../src/core/clock.ts";
import { RedisStore } from "../../src/stores/redis.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import {
  checkRecovered,
  type Client,
  type FaultRun,
  faultRun,
  settleLimitMs,
} from "../_support/_fault_workload.ts";
import {
  type ManagedServer,
  type Persistence,
  realRedisOrSkip,
  startManagedServer,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis-server faults");
const COMMAND_TIMEOUT_MS = 400;
const USERS = 10;
// ioredis' defaults resend a command whose reply was lost with its connection, after reconnecting
// (autoResendUnfulfilledCommands, maxRetriesPerRequest). Most of the suite uses a client that never
// resends (one operation of unknown outcome per failure); the last describe runs the defaults,
// which RedisStore's idempotent writes must survive.
const NO_RESEND = { maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Setup {
  server: ManagedServer;
  client: Redis;
  store: RedisStore;
  clock: ManualClock;
}

let setups: Setup[] = [];
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

async function setup(
  persistence: Persistence,
  clientOptions: RedisOptions = NO_RESEND,
): Promise<Setup> {
  const server = await startManagedServer(persistence);
  const client = new Redis(server.url, clientOptions);
  client.on("error", () => {});
  const clock = new ManualClock(Date.now());
  const store = new RedisStore(client, { clock, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  const s = { server, client, store, clock };
  setups.push(s);
  return s;
}

async function ready(client: Redis): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await client.ping()) === "PONG") return;
    } catch {
      // Reconnecting.
    }
    await sleep(50);
  }
  throw new Error("The client did not reconnect");
}

function workload(s: Setup, tag: string): FaultRun {
  return faultRun(s.store, s.clock, { users: USERS, tag, commandTimeoutMs: COMMAND_TIMEOUT_MS });
}

/** Runs the workload until every client failed once (or `stopAfterMs`), with `fault` injected. */
async function underFault(
  work: FaultRun,
  fault: () => Promise<void> | void,
  stopAfterMs?: number,
): Promise<void> {
  const running = work.run();
  await sleep(300);
  const acked = work.clients.reduce((n, c) => n + c.acked, 0);
  assert.ok(acked > 0, "no operation ran before the fault");
  await fault();
  if (stopAfterMs !== undefined) {
    await sleep(stopAfterMs);
    work.stop();
  }
  await running;
}

/** After recovery: state check, then more load with no fault, then the state check again. */
async function recoveredAndWorking(s: Setup, work: FaultRun): Promise<void> {
  assert.deepEqual(work.violations, []);
  assert.deepEqual(await checkRecovered(s.store, work.clients), []);
  const more = work.run();
  await sleep(300);
  work.stop();
  await more;
  assert.deepEqual(work.violations, []);
  // A call that timed out here (a busy machine) is one more operation of unknown outcome: checked.
  assert.deepEqual(await checkRecovered(s.store, work.clients), []);
}

function snapshot(clients: Client[]): string {
  return JSON.stringify(clients.map((c) => [c.userId, [...c.sessions.values()], c.destroyed]));
}

function hooks(): void {
  beforeEach(() => {
    unhandled = [];
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(async () => {
    process.off("unhandledRejection", onUnhandled);
    for (const s of setups) {
      s.client.disconnect();
      s.server.stop();
    }
    setups = [];
    assert.deepEqual(unhandled, []);
  });
}

async function clientKill(s: Setup, work: FaultRun, kills: number): Promise<void> {
  await underFault(work, async () => {
    for (let i = 0; i < kills; i++) {
      s.server.cli("CLIENT", "KILL", "TYPE", "normal");
      await sleep(60);
    }
  }, 300);
  await ready(s.client);
  await sleep(300);
  await recoveredAndWorking(s, work);
}

describe("the fault oracle", () => {
  it("reports a lost session and data changed behind its back (so it can fail)", async () => {
    const clock = new ManualClock(Date.now());
    const store = new MemoryStore({ clock });
    const work = faultRun(store, clock, { users: 4, tag: "oracle", commandTimeoutMs: 100 });
    const running = work.run();
    await sleep(200);
    work.stop();
    await running;
    assert.deepEqual(await checkRecovered(store, work.clients), []);
    const [a, b] = work.clients.filter((c) => c.sessions.size > 0);
    assert.ok(a !== undefined && b !== undefined);
    // Behind the record's back: one session ended, one session's data changed.
    await store.destroy([...a.sessions.keys()][0]!);
    const target = [...b.sessions.values()][0]!;
    await store.update(target.id, { tampered: true });
    const problems = await checkRecovered(store, work.clients);
    assert.ok(problems.some((p) => p.includes("lost")), problems.join("\n"));
    assert.ok(problems.some((p) => p.includes("update")), problems.join("\n"));
  });
});

describe("RedisStore through real server faults", { skip: !REAL }, () => {
  hooks();

  it("SIGKILL mid-run, restart with AOF (appendfsync always): acknowledged state intact, failed operations whole or absent", async () => {
    const s = await setup("aof-always");
    const work = workload(s, "aof");
    await underFault(work, () => s.server.signal("SIGKILL"));
    assert.ok(work.clients.every((c) => c.failed === 1));
    await s.server.restart();
    await ready(s.client);
    await sleep(300); // Commands the client still queued may run now: they count as applied.
    await recoveredAndWorking(s, work);
  });

  it("SIGKILL mid-run, restart from an RDB snapshot: the state is exactly the snapshot's (later acknowledgements are lost)", async () => {
    const s = await setup("rdb");
    const work = workload(s, "rdb");
    const first = work.run();
    await sleep(300);
    work.stop();
    await first;
    assert.deepEqual(work.violations, []);
    assert.equal(s.server.cli("SAVE").trim(), "OK");
    const atSnapshot = snapshot(work.clients);
    const saved = structuredClone(
      work.clients.map((c) => ({ sessions: c.sessions, destroyed: c.destroyed })),
    );
    await underFault(work, () => s.server.signal("SIGKILL"));
    assert.notEqual(snapshot(work.clients), atSnapshot, "nothing was acknowledged after SAVE");
    await s.server.restart();
    await ready(s.client);
    await sleep(300);
    work.clients.forEach((c, i) => {
      c.sessions.clear();
      for (const [id, t] of saved[i]!.sessions) c.sessions.set(id, t);
      c.destroyed.splice(0, c.destroyed.length, ...saved[i]!.destroyed);
      c.pending = undefined;
    });
    await recoveredAndWorking(s, work);
  });

  it("SIGKILL mid-run, empty restart: every credential ever issued is invalid", async () => {
    const s = await setup("aof-always");
    const work = workload(s, "empty");
    await underFault(work, () => s.server.signal("SIGKILL"));
    await s.server.restart({ empty: true });
    await ready(s.client);
    await sleep(300);
    let issued = 0;
    for (const c of work.clients) {
      for (const credential of c.everIssued) {
        issued++;
        const result = await s.store.validate(credential);
        assert.notEqual(result.status, "valid");
      }
      // A create still queued in the client may have run after the restart: nothing else can.
      const live = await s.store.list(c.userId);
      assert.ok(live.length <= (c.pending?.op === "create" ? 1 : 0));
    }
    assert.ok(issued >= USERS);
  });

  it("SIGSTOP past commandTimeoutMs then SIGCONT: calls fail as store-unavailable in time, then the state is whole", async () => {
    const s = await setup("none");
    const work = workload(s, "stop");
    const started = Date.now();
    await underFault(work, () => s.server.signal("SIGSTOP"));
    // Every client failed within the settle limit, while the server was still stopped.
    assert.ok(work.clients.every((c) => c.failed === 1));
    assert.ok(Date.now() - started < 300 + settleLimitMs(COMMAND_TIMEOUT_MS) + 2_000);
    s.server.signal("SIGCONT");
    await ready(s.client);
    await sleep(300);
    await recoveredAndWorking(s, work);
  });

  it("CLIENT KILL under load: calls answer correctly or fail as store-unavailable; the state is whole", async () => {
    const s = await setup("none");
    await clientKill(s, workload(s, "kill"), 10);
  });

  it("CLIENT PAUSE WRITE past commandTimeoutMs: calls fail as store-unavailable, then the state is whole", async () => {
    const s = await setup("none");
    const work = workload(s, "pause");
    const pauseMs = COMMAND_TIMEOUT_MS * 4;
    await underFault(work, () => {
      assert.equal(s.server.cli("CLIENT", "PAUSE", String(pauseMs), "WRITE").trim(), "OK");
    });
    assert.ok(work.clients.every((c) => c.failed === 1));
    await sleep(pauseMs);
    await ready(s.client);
    await sleep(300);
    await recoveredAndWorking(s, work);
  });
});

describe(
  "RedisStore through dropped connections with ioredis' default options",
  { skip: !REAL },
  () => {
    hooks();

    // ioredis resends a script whose reply was lost; a store whose writes are not idempotent answers
    // the second run for the first (a successful rotation comes back "reused" and revokes the
    // session; a successful update comes back "conflict"; a create evicts twice; destroy finds none).
    it("CLIENT KILL under load with autoResendUnfulfilledCommands: every acknowledged answer is the first run's", async () => {
      const s = await setup("none", {});
      await clientKill(s, workload(s, "resend"), 10);
    });
  },
);
