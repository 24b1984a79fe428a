// Stores the manager's end-to-end tests run on: MemoryStore, RedisStore on ioredis-mock, and
// RedisStore on a real redis-server (skipped loudly without one, a failure under CI=true).
import assert from "node:assert/strict";
import RedisMock from "ioredis-mock";
import { ManualClock } from "../../src/core/clock.ts";
import type { AccessTokenKeySet } from "../../src/tokens/key_set.ts";
import { SessionManager } from "../../src/manager/manager.ts";
import type { SessionManagerOptions } from "../../src/manager/options.ts";
import type { SessionEvent } from "../../src/manager/events.ts";
import type { Clock } from "../../src/core/clock.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import { RedisStore } from "../../src/stores/redis.ts";
import type { SessionStore } from "../../src/model/store.ts";
import {
  realRedisOrSkip,
  standaloneClient,
  type StandaloneServer,
  startStandalone,
} from "./_redis_servers.ts";

export interface StoreKind {
  readonly name: string;
  make(clock: Clock): Promise<SessionStore>;
  close(): Promise<void>;
}

let n = 0;

export function storeKinds(): StoreKind[] {
  const kinds: StoreKind[] = [{
    name: "MemoryStore",
    make: (clock) => Promise.resolve(new MemoryStore({ clock })),
    close: () => Promise.resolve(),
  }];
  const mock = new RedisMock({ port: 47_000 + Math.floor(Math.random() * 2_000) });
  kinds.push({
    name: "RedisStore (ioredis-mock)",
    make: (clock) => Promise.resolve(new RedisStore(mock, { clock, prefix: `m${n++}:` })),
    close: async () => {
      mock.disconnect();
    },
  });
  if (realRedisOrSkip("manager on redis-server")) {
    let server: StandaloneServer | undefined;
    let client: ReturnType<typeof standaloneClient> | undefined;
    kinds.push({
      name: "RedisStore (redis-server)",
      make: async (clock) => {
        server ??= await startStandalone();
        client ??= standaloneClient(server.url);
        return new RedisStore(client, { clock, prefix: `r${n++}:` });
      },
      close: async () => {
        client?.disconnect();
        await server?.stop();
      },
    });
  }
  return kinds;
}

/**
 * A SessionManager on a fresh store of `kind`, with a ManualClock at `start`, HS256 access tokens
 * under `keys`, and every event collected; `options` override the defaults.
 */
export async function managerSetup(
  kind: StoreKind,
  start: number,
  keys: AccessTokenKeySet,
  options: Partial<SessionManagerOptions> = {},
): Promise<
  { clock: ManualClock; manager: SessionManager; events: SessionEvent[]; store: SessionStore }
> {
  const clock = new ManualClock(start);
  const events: SessionEvent[] = [];
  const store = await kind.make(clock);
  const manager = new SessionManager({
    store,
    clock,
    onEvent: (e) => events.push(e),
    accessTokens: { keys },
    ...options,
  });
  return { clock, manager, events, store };
}

/** An assertion callback: the error carries `code`. */
export const code = (expected: string) => (error: { code?: string }): boolean => {
  assert.equal(error.code, expected);
  return true;
};
