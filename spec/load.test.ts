// The CI form of `npm run load`: 200 concurrent clients for 5 s against a real redis-server and a
// real 3-master cluster (both started here on free loopback ports), with the invariant checker of
// spec/_load.ts alongside: zero violations, and every kind of operation (reuse included) exercised.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { RedisStore } from "../src/stores/redis.ts";
import { MemoryStore } from "../src/stores/memory_store.ts";
import type { SessionStore } from "../src/model/store.ts";
import { formatReport, type LoadReport, runLoad } from "./_load.ts";
import {
  clusterClient,
  realRedisOrSkip,
  standaloneClient,
  startCluster,
  startStandalone,
} from "./_redis_servers.ts";

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

describe("load: the invariant checker", () => {
  it("reports violations for a store whose destroy does nothing (so the checker can fail)", async () => {
    const inner = new MemoryStore();
    const broken: SessionStore = Object.assign(Object.create(inner) as SessionStore, {
      destroy: (id: string) => inner.get(id),
      destroyAll: async (userId: string) => await inner.list(userId),
    });
    for (const name of ["create", "validate", "rotate", "attach", "update", "get", "list"]) {
      const method = (inner as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
      (broken as unknown as Record<string, unknown>)[name] = method.bind(inner);
    }
    const report = await runLoad({ store: broken, clients: 20, durationMs: 1_000, seed: 3 });
    assert.ok(
      report.violations.length > 0,
      `a store that never destroys passed: ${formatReport("broken", report)}`,
    );
    assert.ok(report.violations.some((v) => v.includes("dead")), report.violations.join("\n"));
  });
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
