// Shared set-up of the security matrix: the stores it runs on (MemoryStore and RedisStore over
// ioredis-mock), a manager with tokens on a manual clock, and the collection of events.

import RedisMock from "ioredis-mock";
import { ManualClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import { RedisStore } from "../../src/stores/redis.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { SessionManager } from "../../mod.ts";
import type { SessionManagerOptions } from "../../mod.ts";
import type { SessionEvent } from "../../mod.ts";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";

/** A whole-second instant (tokens count in seconds). */
export const T0 = 1_800_000_000_000;

export interface StoreMaker {
  readonly name: string;
  make(clock: ManualClock): SessionStore;
}

let port = 51_000 + Math.floor(Math.random() * 2_000) * 3;
let prefix = 0;

/** MemoryStore and RedisStore over ioredis-mock (each with its own keyspace). */
export const STORES: readonly StoreMaker[] = [
  { name: "MemoryStore", make: (clock) => new MemoryStore({ clock }) },
  {
    name: "RedisStore on ioredis-mock",
    make: (clock) =>
      new RedisStore(new RedisMock({ port: port++ }), { clock, prefix: `sm${prefix++}:` }),
  },
];

export interface World {
  readonly clock: ManualClock;
  readonly store: SessionStore;
  readonly manager: SessionManager;
  readonly events: SessionEvent[];
  readonly keys: AccessTokenKeySet;
}

/** An HS256 key from a known secret string (so the run can search for it). */
export async function knownKey(secret: string, kid = "k1"): Promise<AccessTokenKey> {
  return await AccessTokenKey.import({ kid, secret });
}

export async function world(
  maker: StoreMaker,
  options: Partial<Omit<SessionManagerOptions, "store" | "clock">> = {},
): Promise<World> {
  const clock = new ManualClock(T0);
  const store = maker.make(clock);
  const events: SessionEvent[] = [];
  const keys = new AccessTokenKeySet(
    await AccessTokenKey.generate("k1", { random: seededRandom(7) }),
  );
  const manager = new SessionManager({
    store,
    clock,
    accessTokens: { keys, revocation: "lists" },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { clock, store, manager, events, keys };
}

/** The coded error a promise rejects with (fails when it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<{ code?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: unknown };
  }
  throw new Error("Expected a rejection");
}

/** The coded error a function throws (fails when it returns). */
export function thrownBy(body: () => unknown): { code?: unknown; name?: unknown } {
  try {
    body();
  } catch (error) {
    return error as { code?: unknown };
  }
  throw new Error("Expected a throw");
}
