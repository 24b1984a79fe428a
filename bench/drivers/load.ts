// `npm run load`: 200 concurrent clients for 30 s against a real redis-server started on a free
// loopback port, then against a real 3-master Redis Cluster, with the invariant checker of
// spec/fuzz_load/_load.ts alongside. Prints throughput, p50, p99 and violations; exits non-zero on any
// violation. LOAD_SECONDS, LOAD_CLIENTS and LOAD_TARGETS ("standalone,cluster") change the run.

import process from "node:process";
import { RedisStore } from "../../src/stores/redis.ts";
import { formatReport, runLoad } from "../../spec/fuzz_load/_load.ts";
import {
  clusterClient,
  realRedisOrSkip,
  standaloneClient,
  startCluster,
  startStandalone,
} from "../../spec/_support/_redis_servers.ts";

const seconds = Number(process.env.LOAD_SECONDS ?? 30);
const clients = Number(process.env.LOAD_CLIENTS ?? 200);
const targets = (process.env.LOAD_TARGETS ?? "standalone,cluster").split(",");
if (!realRedisOrSkip("load")) process.exit(1);

let violations = 0;
if (targets.includes("standalone")) {
  const server = await startStandalone();
  const client = standaloneClient(server.url);
  try {
    const store = new RedisStore(client, { prefix: "load:" });
    const report = await runLoad({ store, clients, durationMs: seconds * 1000, seed: 1 });
    console.log(formatReport(`redis-server, ${clients} clients`, report));
    violations += report.violations.length;
  } finally {
    client.disconnect();
    server.stop();
  }
}
if (targets.includes("cluster")) {
  const cluster = await startCluster();
  const client = clusterClient(cluster);
  try {
    const store = new RedisStore(client, { prefix: "load:" });
    const report = await runLoad({ store, clients, durationMs: seconds * 1000, seed: 2 });
    console.log(formatReport(`3-master cluster, ${clients} clients`, report));
    violations += report.violations.length;
  } finally {
    client.disconnect();
    cluster.stop();
  }
}
process.exit(violations === 0 ? 0 : 1);
