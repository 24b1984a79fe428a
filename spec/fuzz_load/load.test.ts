// The CI form of `npm run load`: 200 concurrent clients for 5 s against a real redis-server and a
// real 3-master cluster (both started here on free loopback ports), with the invariant checker of
// spec/fuzz_load/_load.ts alongside: zero violations, and every kind of operation (reuse included) exercised.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { RedisStore } from "../../src/stores/redis.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { formatReport, type LoadReport, runLoad } from "./_load.ts";
import {
  clusterClient,
  realRedisOrSkip,
  standaloneClient,
  startCluster,
  startStandalone,
} from "../_support/_redis_servers.ts";

const REAL = realRedisOrSkip("load on redis-server");
const SECONDS = Number(process.env.LOAD_CI_SECONDS ?? 5);

function checkReport(name: string, report: LoadReport): void {
  console.log(formatReport(name, report));
  assert.deepEqual(report.violations, []);
  assert.ok(report.operations > 200, `only ${report.operations} operations`);
  for (const kind of ["login", "validate", "regenerate", "refresh", "reuse", "logout", "update"]) {
    assert.ok((report.byKind[kind] ?? 0) > 0, `no ${kind} ran`);
  }
  assert.ok((report.outcomes["session-reused"] ?? 0) > 0, "no reuse was detected");
  assert.ok(report.checks > 0, "the limit checker never ran");
  assert.equal(report.outcomes["thrown"] ?? 0, 0);
}

/** A MemoryStore with some methods replaced, the others bound to it. */
function broken(replace: (inner: MemoryStore) => Partial<SessionStore>): SessionStore {
  const inner = new MemoryStore();
  const store = {} as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(MemoryStore.prototype)) {
    const method = (inner as unknown as Record<string, unknown>)[name];
    if (name !== "constructor" && typeof method === "function") store[name] = method.bind(inner);
  }
  return Object.assign(store, replace(inner)) as unknown as SessionStore;
}

describe("load: the invariant checker", () => {
  const cases: [string, string, (inner: MemoryStore) => Partial<SessionStore>][] = [
    ["ignores destroy", "dead", (inner) => ({
      destroy: (id: string) => inner.get(id),
      destroyAll: (userId: string) => inner.list(userId),
    })],
    ["ignores the limit", "live sessions, limit", (inner) => ({
      create: (options) => inner.create({ ...options, limit: 1_000 }),
    })],
    ["ignores compare-and-set", "acknowledged increments", (inner) => ({
      update: async (id, data) => {
        await new Promise((resolve) => setTimeout(resolve, 1)); // let other clients interleave
        return await inner.update(id, data);
      },
    })],
  ];
  for (const [what, expected, replace] of cases) {
    it(`reports violations for a store that ${what} (so the checker can fail)`, async () => {
      const report = await runLoad({
        store: broken(replace),
        clients: 20,
        durationMs: 0,
        // A count, not a time, and few users (about 25 logins each): the broken behaviour shows
        // however loaded the machine is.
        operations: 2_000,
        users: 4,
        seed: 3,
      });
      assert.ok(
        report.violations.some((v) => v.includes(expected)),
        `a store that ${what} passed: ${formatReport("broken", report)}`,
      );
    });
  }
});

describe("load: 200 clients with an invariant checker (CI form)", { skip: !REAL }, () => {
  it(`holds every invariant for ${SECONDS} s on a real redis-server`, async () => {
    const server = await startStandalone();
    const client = standaloneClient(server.url);
    try {
      const store = new RedisStore(client, { prefix: `loadci${Date.now()}:` });
      const report = await runLoad({ store, clients: 200, durationMs: SECONDS * 1000, seed: 11 });
      checkReport("redis-server", report);
    } finally {
      client.disconnect();
      server.stop();
    }
  });

  it(`holds every invariant for ${SECONDS} s on a real 3-master cluster`, async () => {
    const cluster = await startCluster();
    const client = clusterClient(cluster);
    try {
      const store = new RedisStore(client, { prefix: "loadci:" });
      const report = await runLoad({ store, clients: 200, durationMs: SECONDS * 1000, seed: 12 });
      checkReport("3-master cluster", report);
    } finally {
      client.disconnect();
      cluster.stop();
    }
  });
});
