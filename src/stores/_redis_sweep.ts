// Private: RedisStore's sweep: SCAN under the prefix on every master, and let each key's script
// remove what has logically expired.

import { SessionError, typeError } from "../core/errors.ts";
import { classify, globEscape, sessionKeys, tagBase } from "./_redis_codec.ts";
import type { RedisCore } from "./_redis_core.ts";
import { keptTag, liveCount, viewReply } from "./_redis_replies.ts";
import { INDEX_ARGS } from "./_redis_scripts.ts";
import { SWEEP_MAPPING_ARGS, SWEEP_REVOCATIONS_ARGS } from "./_redis_token_scripts.ts";
import type { RedisScanNode } from "./redis_client.ts";
import type { SweepOptions, SweepReport } from "./redis_store_options.ts";

/** Runs `RedisStore.sweep` (see its documentation). */
export async function sweep(core: RedisCore, options: SweepOptions = {}): Promise<SweepReport> {
  const client = core.client;
  const nodes = options.nodes ??
    (typeof client.nodes === "function"
      ? client.nodes("master")
      : client.scan
      ? [client as RedisScanNode]
      : []);
  if (nodes.length === 0) {
    throw typeError("invalid-argument", "sweep needs a client or nodes with scan");
  }
  const pattern = `${globEscape(core.prefix)}*`;
  const count = options.count ?? 500;
  let scanned = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      let page: [string, string[]];
      try {
        page = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      } catch (error) {
        throw new SessionError("store-unavailable", "Redis store is unavailable", {
          cause: error,
        });
      }
      cursor = page[0];
      scanned += page[1].length;
      for (const key of page[1]) await sweepKey(core, key);
    } while (cursor !== "0");
  }
  return { scanned };
}

async function sweepKey(core: RedisCore, key: string): Promise<void> {
  const now = core.clock.now();
  // The prune of an index writes no kept reply: no operation id.
  const prune = (base: string) =>
    INDEX_ARGS.build({
      base,
      now,
      userJson: "",
      mode: "prune",
      exceptRest: "",
      opId: "",
      replayMs: core.replayMs,
    });
  const what = classify(core.prefix, key);
  switch (what.kind) {
    case "session": {
      const keys = sessionKeys(core.prefix, what.tag + what.rest)!;
      const reply = await core.getById(keys);
      const { status, view } = viewReply(reply);
      if (status === "ok") await core.decode(what.tag + what.rest, view, keys);
      return;
    }
    case "index":
      await core.run("index", [key], prune(tagBase(core.prefix, what.tag)));
      return;
    case "revocations":
      await core.run("sweepRevocations", [key], SWEEP_REVOCATIONS_ARGS.build({ now }));
      return;
    case "replay":
      // A kept first reply (see replayMs): the sweep ends its window early.
      await core.run("forget", [key], []);
      return;
    case "mapping": {
      const reply = await core.run("tag", [key], []);
      const tag = keptTag(reply);
      let live = 0;
      if (tag !== "") {
        const base = tagBase(core.prefix, tag);
        const pruned = await core.run("index", [`${base}i`], prune(base));
        live = liveCount(pruned);
      }
      await core.run(
        "sweepMapping",
        [key, what.marker],
        SWEEP_MAPPING_ARGS.build({ now, indexLive: live > 0 }),
      );
      return;
    }
    case "other":
      return;
  }
}
