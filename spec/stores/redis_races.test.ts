// Races against a real redis-server and a real 3-master cluster (no CROSSSLOT anywhere):
// simultaneous logins at the limit, simultaneous rotations of one credential, parallel
// compare-and-set updates.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { ManualClock } from "../../src/core/clock.ts";
import { type RedisClient, RedisStore } from "../../src/stores/redis.ts";
import type { JsonObject } from "../../src/model/store.ts";
import {
  clusterClient,
  dumpPrefix,
  keysWithoutTtl,
  type LocalCluster,
  realRedisOrSkip,
  standaloneClient,
  type StandaloneServer,
  startCluster,
  startStandalone,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("redis-server");
const CLUSTER = realRedisOrSkip("redis-cluster");
const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
let run = 0;

function races(client: () => Promise<RedisClient>, nodes: () => Redis[]): void {
  const fresh = async () => new RedisStore(await client(), { prefix: `race${run++}:` });

  it("gives every key a TTL and the sweep of every master leaves no key after expiry", async () => {
    const prefix = `sweep${run++}:`;
    const clock = new ManualClock(1_800_000_000_000);
    const store = new RedisStore(await client(), { prefix, clock });
    for (let i = 0; i < 40; i++) {
      const login = await store.create({
        userId: i % 4 === 0 ? null : `user${i % 7}`,
        limit: 3,
        ...TTL,
      });
      if (login.status !== "created") throw new Error("Not created");
      const sessionId = login.session.id;
      await store.rotate(login.credential, { graceMs: 1_000 });
      await store.revokeToken({ jti: `j${i}`, sessionId, expiresAt: clock.now() + 900_000 });
      await store.revokeTokens({ sessionId, issuedBefore: clock.now(), until: clock.now() + 1 });
    }
    await store.revokeTokens({
      userId: "user1",
      issuedBefore: clock.now(),
      until: clock.now() + 1,
    });
    assert.deepEqual(await keysWithoutTtl(nodes(), prefix), []);
    clock.advance(TTL.absoluteTtlMs + 900_000);
    const { scanned } = await store.sweep();
    assert.ok(scanned > 40);
    assert.equal(await dumpPrefix(nodes(), prefix), "");
  });

  it("50 simultaneous logins with limit 3 leave exactly 3 live sessions; the evicted never validate", async () => {
    const store = await fresh();
    const logins = await Promise.all(
      Array.from({ length: 50 }, () => store.create({ userId: "racer", limit: 3, ...TTL })),
    );
    const credentials = logins.map((login) => {
      assert.equal(login.status, "created");
      return login.status === "created" ? login.credential : "";
    });
    const evicted = logins.flatMap((login) => login.status === "created" ? login.evicted : []);
    assert.equal(evicted.length, 47);
    const live = await store.list("racer");
    assert.equal(live.length, 3);
    const checks = await Promise.all(credentials.map((c) => store.validate(c)));
    const valid = checks.filter((check) => check.status === "valid");
    assert.equal(valid.length, 3);
    const evictedIds = new Set(evicted.map((s) => s.id));
    for (const check of valid) {
      if (check.status === "valid") assert.ok(!evictedIds.has(check.session.id));
    }
  });

  it("50 simultaneous logins with limit 3 and onLimit reject admit exactly 3", async () => {
    const store = await fresh();
    const logins = await Promise.all(
      Array.from(
        { length: 50 },
        () => store.create({ userId: "racer", limit: 3, onLimit: "reject", ...TTL }),
      ),
    );
    assert.equal(logins.filter((l) => l.status === "created").length, 3);
    assert.equal(logins.filter((l) => l.status === "limit-reached").length, 47);
    assert.equal((await store.list("racer")).length, 3);
  });

  it("20 simultaneous rotations without grace: one rotated, reuse revokes the session", async () => {
    const store = await fresh();
    const login = await store.create({ userId: "rot", ...TTL });
    assert.equal(login.status, "created");
    if (login.status !== "created") return;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.rotate(login.credential)),
    );
    const rotated = results.filter((r) => r.status === "rotated");
    assert.equal(rotated.length, 1);
    assert.ok(results.some((r) => r.status === "reused"));
    assert.ok(results.every((r) => ["rotated", "reused", "invalid"].includes(r.status)));
    const winner = rotated[0]!;
    if (winner.status !== "rotated") return;
    // The reuse revoked the whole session: even the winner's new credential is dead.
    assert.equal((await store.validate(winner.credential)).status, "invalid");
    assert.deepEqual(await store.list("rot"), []);
  });

  it("20 simultaneous rotations with grace: one rotated, 19 grace; older reuse revokes", async () => {
    const store = await fresh();
    const login = await store.create({ userId: "rot", ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.rotate(login.credential, { graceMs: 5_000 })),
    );
    assert.equal(results.filter((r) => r.status === "rotated").length, 1);
    assert.equal(results.filter((r) => r.status === "grace").length, 19);
    const winner = results.find((r) => r.status === "rotated");
    if (winner?.status !== "rotated") throw new Error("No winner");
    assert.equal((await store.validate(winner.credential)).status, "valid");
    // Rotate again: the first credential is now an older ancestor, outside any grace.
    const second = await store.rotate(winner.credential, { graceMs: 5_000 });
    assert.equal(second.status, "rotated");
    assert.equal((await store.validate(login.credential)).status, "reused");
    if (second.status === "rotated") {
      assert.equal((await store.validate(second.credential)).status, "invalid");
    }
  });

  it("20 simultaneous attaches of one anonymous session: exactly one attached", async () => {
    const store = await fresh();
    const anon = await store.create({ userId: null, data: { cart: 3 }, ...TTL });
    if (anon.status !== "created") throw new Error("Not created");
    const results = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => store.attach(anon.credential, { userId: `buyer${i % 2}`, limit: 5, ...TTL }),
      ),
    );
    const attached = results.filter((r) => r.status === "attached");
    assert.equal(attached.length, 1);
    assert.equal(results.filter((r) => r.status === "invalid").length, 19);
    const winner = attached[0]!;
    if (winner.status !== "attached") return;
    assert.deepEqual(winner.session.data, { cart: 3 });
    assert.equal((await store.validate(anon.credential)).status, "invalid");
    assert.equal((await store.validate(winner.credential)).status, "valid");
  });

  it("an attach refused by the limit leaves the anonymous session as it was", async () => {
    const store = await fresh();
    await store.create({ userId: "full", ...TTL });
    const anon = await store.create({ userId: null, ...TTL });
    if (anon.status !== "created") throw new Error("Not created");
    const results = await Promise.all([
      store.attach(anon.credential, { userId: "full", limit: 1, onLimit: "reject", ...TTL }),
      store.attach(anon.credential, { userId: "full", limit: 1, onLimit: "reject", ...TTL }),
      store.validate(anon.credential),
    ]);
    assert.deepEqual(results.map((r) => r.status), ["limit-reached", "limit-reached", "valid"]);
    assert.equal((await store.validate(anon.credential)).status, "valid");
  });

  it("parallel compare-and-set updates lose no update", async () => {
    const store = await fresh();
    const login = await store.create({ userId: "cas", data: { n: 0 }, ...TTL });
    if (login.status !== "created") throw new Error("Not created");
    const id = login.session.id;
    const increment = async () => {
      for (;;) {
        const current = await store.get(id);
        if (current === null) throw new Error("Session vanished");
        const n = (current.data as { n: number }).n;
        const next: JsonObject = { n: n + 1 };
        const result = await store.update(id, next, { expectedVersion: current.version });
        if (result.status === "updated") return;
        assert.equal(result.status, "conflict");
      }
    };
    await Promise.all(Array.from({ length: 20 }, increment));
    const final = await store.get(id);
    assert.deepEqual(final?.data, { n: 20 });
    assert.equal(final?.version, 21);
  });
}

describe("RedisStore races on a real redis-server", { skip: !REAL }, () => {
  let server: StandaloneServer | undefined;
  let client: Redis | undefined;
  races(async () => {
    server ??= await startStandalone();
    client ??= standaloneClient(server.url);
    return client;
  }, () => [client!]);
  it("stops the server it started", async () => {
    await client?.quit();
    server?.stop();
  });
});

describe("RedisStore races on a real 3-master Redis Cluster", { skip: !CLUSTER }, () => {
  let cluster: LocalCluster | undefined;
  let client: ReturnType<typeof clusterClient> | undefined;
  races(async () => {
    cluster ??= await startCluster();
    client ??= clusterClient(cluster);
    return client;
  }, () => client!.nodes("master"));
  it("stops the cluster it started", async () => {
    await client?.quit();
    cluster?.stop();
  });
});
