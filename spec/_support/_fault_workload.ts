// The workload and oracle of the fault suite (spec/stores/redis_crash_faults.test.ts). Each client owns
// one user and runs store operations one at a time, comparing every acknowledged answer with its
// own record of that user's sessions (the model of what was acknowledged). A call that fails must
// fail as a `store-unavailable` SessionError within the hard limit; the client then stops, leaving
// at most one operation of unknown outcome per user, which the recovery check resolves: the state
// must be the record with that operation applied entirely, or not at all.

import type { ManualClock } from "../../src/core/clock.ts";
import { SessionError } from "../../src/core/errors.ts";
import type { JsonObject, SessionStore } from "../../src/model/store.ts";

export const LIMIT = 3;
const TTL = { idleTtlMs: 3_600_000, absoluteTtlMs: 7_200_000 };

interface Tracked {
  readonly id: string;
  credential: string;
  retired: string[];
  data: JsonObject;
  version: number;
  readonly order: number;
}

type Pending =
  | { readonly op: "create" }
  | { readonly op: "validate" | "probe-destroyed" }
  | { readonly op: "rotate"; readonly id: string; readonly credential: string }
  | {
    readonly op: "update";
    readonly id: string;
    readonly data: JsonObject;
    readonly before: JsonObject;
    readonly version: number;
  }
  | { readonly op: "destroy"; readonly id: string };

export interface Client {
  readonly userId: string;
  readonly sessions: Map<string, Tracked>;
  /** Every credential ever issued to this user, for the empty-restart check. */
  readonly everIssued: string[];
  /** Credentials of sessions whose destruction was acknowledged. */
  readonly destroyed: string[];
  pending: Pending | undefined;
  acked: number;
  failed: number;
}

export interface FaultRun {
  readonly clients: Client[];
  readonly violations: string[];
  /** Runs the clients until `stop()` or until each has one failed operation. */
  run(): Promise<void>;
  stop(): void;
}

/** The hard limit within which every call must settle (well above commandTimeoutMs). */
export function settleLimitMs(commandTimeoutMs: number): number {
  return commandTimeoutMs * 3 + 2_000;
}

async function settled<T>(promise: Promise<T>, limitMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: no answer within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the workload over `store` (whose clock is `clock`) for `users` users. */
export function faultRun(
  store: SessionStore,
  clock: ManualClock,
  options: { users: number; tag: string; commandTimeoutMs: number; random?: () => number },
): FaultRun {
  const random = options.random ?? Math.random;
  const violations: string[] = [];
  const limitMs = settleLimitMs(options.commandTimeoutMs);
  let order = 0;
  let stopped = false;
  const clients: Client[] = Array.from({ length: options.users }, (_, i) => ({
    userId: `${options.tag}-user${i}`,
    sessions: new Map(),
    everIssued: [],
    destroyed: [],
    pending: undefined,
    acked: 0,
    failed: 0,
  }));

  const wrong = (client: Client, what: string): void => {
    violations.push(`${client.userId}: ${what}`);
  };
  const pick = (client: Client) => {
    const list = [...client.sessions.values()];
    return list[Math.floor(random() * list.length)];
  };

  async function step(client: Client): Promise<void> {
    clock.advance(1);
    const r = random();
    const s = pick(client);
    if (s === undefined || r < 0.2) {
      client.pending = { op: "create" };
      const result = await store.create({ userId: client.userId, limit: LIMIT, ...TTL });
      if (result.status !== "created") return wrong(client, `create answered ${result.status}`);
      const oldest = [...client.sessions.values()].sort((a, b) => a.order - b.order);
      const expectEvicted = client.sessions.size >= LIMIT ? [oldest[0]!.id] : [];
      const evicted = result.evicted.map((e) => e.id);
      if (JSON.stringify(evicted) !== JSON.stringify(expectEvicted)) {
        wrong(client, `create evicted ${evicted.length}, expected ${expectEvicted.length}`);
      }
      for (const id of evicted) {
        const gone = client.sessions.get(id);
        if (gone !== undefined) client.destroyed.push(gone.credential);
        client.sessions.delete(id);
      }
      client.sessions.set(result.session.id, {
        id: result.session.id,
        credential: result.credential,
        retired: [],
        data: result.session.data,
        version: result.session.version,
        order: order++,
      });
      client.everIssued.push(result.credential);
    } else if (r < 0.5) {
      client.pending = { op: "validate" };
      const result = await store.validate(s.credential);
      if (result.status !== "valid" || result.session.id !== s.id) {
        return wrong(client, `validate of a live credential answered ${result.status}`);
      }
      if (JSON.stringify(result.session.data) !== JSON.stringify(s.data)) {
        wrong(client, "validate returned other data than acknowledged");
      }
    } else if (r < 0.65) {
      client.pending = { op: "rotate", id: s.id, credential: s.credential };
      const result = await store.rotate(s.credential, { graceMs: 0 });
      if (result.status !== "rotated") return wrong(client, `rotate answered ${result.status}`);
      s.retired.push(s.credential);
      s.credential = result.credential;
      client.everIssued.push(result.credential);
    } else if (r < 0.85) {
      const data = { n: Math.floor(random() * 1e9) };
      client.pending = { op: "update", id: s.id, data, before: s.data, version: s.version };
      const result = await store.update(s.id, data, { expectedVersion: s.version });
      if (result.status !== "updated") return wrong(client, `update answered ${result.status}`);
      s.data = data;
      s.version = result.session.version;
    } else if (r < 0.95) {
      client.pending = { op: "destroy", id: s.id };
      const result = await store.destroy(s.id);
      if (result === null) return wrong(client, "destroy of a live session found none");
      client.sessions.delete(s.id);
      client.destroyed.push(s.credential, ...s.retired);
    } else if (r < 0.975 && s.retired.length > 0) {
      // A rotated-away credential presented again: reuse, which must end the session.
      client.pending = { op: "destroy", id: s.id };
      const result = await store.validate(s.retired[s.retired.length - 1]!);
      if (result.status === "valid") return wrong(client, "a rotated-away credential validated");
      if (result.status !== "reused") return wrong(client, `reuse answered ${result.status}`);
      client.sessions.delete(s.id);
      client.destroyed.push(s.credential, ...s.retired);
    } else {
      const dead = client.destroyed[Math.floor(random() * client.destroyed.length)];
      if (dead === undefined) return;
      client.pending = { op: "probe-destroyed" };
      const result = await store.validate(dead);
      if (result.status === "valid") wrong(client, "a destroyed session's credential validated");
    }
    client.pending = undefined;
    client.acked++;
  }

  async function loop(client: Client): Promise<void> {
    while (!stopped) {
      try {
        await settled(step(client), limitMs);
      } catch (error) {
        client.failed++;
        if (!(error instanceof SessionError) || error.code !== "store-unavailable") {
          wrong(client, `a call failed with ${String(error)} instead of store-unavailable`);
        }
        return; // At most one operation of unknown outcome per user.
      }
      // Yield so that a fault injected by the test interleaves with the clients.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  return {
    clients,
    violations,
    run: async () => {
      stopped = false;
      await Promise.all(clients.map(loop));
    },
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * After recovery: each user's sessions equal the acknowledged record, with its one operation of
 * unknown outcome applied entirely or not at all. Resolves that operation into the record, so a
 * second check (or more load) can follow. Returns the differences found.
 */
export async function checkRecovered(store: SessionStore, clients: Client[]): Promise<string[]> {
  const problems: string[] = [];
  for (const client of clients) {
    const say = (what: string) =>
      problems.push(
        `${client.userId}: ${what} (unknown outcome: ${
          pending?.op ?? "none"
        }; ${client.sessions.size} recorded, ${live.size} listed)`,
      );
    const pending = client.pending;
    const live = new Set((await store.list(client.userId)).map((s) => s.id));
    const expected = new Set(client.sessions.keys());
    const extra = [...live].filter((id) => !expected.has(id));
    const missing = [...expected].filter((id) => !live.has(id));
    client.pending = undefined;
    if (pending?.op === "create") {
      // Applied: one new session, and the oldest evicted if the user was at the limit.
      const oldest = [...client.sessions.values()].sort((a, b) => a.order - b.order)[0];
      const applied = extra.length === 1 &&
        (client.sessions.size >= LIMIT
          ? missing.length === 1 && missing[0] === oldest?.id
          : missing.length === 0);
      const notApplied = extra.length === 0 && missing.length === 0;
      if (!applied && !notApplied) {
        say(`a failed create left ${extra.length} new and ${missing.length} missing sessions`);
      }
      if (applied && oldest !== undefined && missing.length === 1) {
        client.sessions.delete(oldest.id);
        client.destroyed.push(oldest.credential);
        missing.length = 0;
      }
      if (applied) {
        // Its credential was never received: nobody can use it; end it so the record stays exact.
        if ((await store.destroy(extra[0]!)) === null) say("the unknown session cannot be ended");
        extra.length = 0;
      }
    } else if (pending?.op === "destroy") {
      if (missing.length === 1 && missing[0] === pending.id) {
        const gone = client.sessions.get(pending.id)!;
        client.sessions.delete(pending.id);
        client.destroyed.push(gone.credential);
        missing.length = 0;
      }
    }
    if (extra.length > 0) say(`${extra.length} session(s) nobody created`);
    if (missing.length > 0) {
      const ranks = [...client.sessions.values()].sort((a, b) => a.order - b.order).map((t) =>
        t.id
      );
      say(
        `${missing.length} acknowledged session(s) lost (at login ranks ${
          missing.map((id) => ranks.indexOf(id)).join(",")
        }; ${extra.length} unknown listed)`,
      );
    }
    for (const s of client.sessions.values()) {
      if (!live.has(s.id)) continue;
      const got = await store.get(s.id);
      if (got === null) {
        say("a listed session cannot be read");
        continue;
      }
      if (pending?.op === "update" && pending.id === s.id) {
        const applied = JSON.stringify(got.data) === JSON.stringify(pending.data);
        const notApplied = JSON.stringify(got.data) === JSON.stringify(pending.before) &&
          got.version === pending.version;
        if (!applied && !notApplied) say("a failed update left a third state");
        s.data = got.data;
        s.version = got.version;
      } else if (JSON.stringify(got.data) !== JSON.stringify(s.data) || got.version !== s.version) {
        say("an acknowledged update was lost or changed");
      }
      if (pending?.op === "rotate" && pending.id === s.id) {
        // Not applied: the old credential is current. Applied: it is rotated away (reuse).
        const result = await store.validate(s.credential);
        if (result.status === "valid") continue;
        if (result.status !== "reused") {
          say(`a failed rotation left the credential ${result.status}`);
        }
        client.sessions.delete(s.id); // Reuse revoked it, as it must.
        client.destroyed.push(s.credential);
        continue;
      }
      const result = await store.validate(s.credential);
      if (result.status !== "valid") say(`an acknowledged credential is ${result.status}`);
    }
    for (const dead of client.destroyed) {
      if ((await store.validate(dead)).status === "valid") say("a destroyed credential validates");
    }
  }
  return problems;
}
