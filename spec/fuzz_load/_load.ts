// The load engine of `npm run load` (bench/drivers/load.ts) and of its 5-second CI form (spec/fuzz_load/load.test.ts):
// N concurrent clients drive one SessionManager over a real RedisStore with a mix of logins at small
// limits, validations, regenerations, refresh-token rotations with reuse attempts, logouts,
// revoke-all and data compare-and-set updates, while an invariant checker runs alongside.
//
// Invariants (each breach is a violation; a correct store gives 0):
// - a user never has more live sessions than the limit (checked by a concurrent list() loop);
// - a credential whose death was acknowledged (rotated away, logged out, evicted, revoked, its
//   family revoked by reuse) is never accepted by a call that started after that acknowledgement;
// - a reused credential revokes its family: once reuse is answered, the newest credential is dead;
// - no lost update: a counter session's final value equals the number of acknowledged increments.

import { SessionError } from "../../src/core/errors.ts";
import { SessionManager } from "../../mod.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";

export interface LoadOptions {
  readonly store: SessionStore;
  readonly clients: number;
  /** How long the clients run, unless `operations` is given. */
  readonly durationMs: number;
  /**
   * Stop after this many client operations instead (a run whose outcome must not depend on how
   * fast the machine is, e.g. a check that a broken store is caught).
   */
  readonly operations?: number;
  readonly users?: number;
  readonly maxSessions?: number;
  readonly seed?: number;
}

export interface LoadReport {
  readonly operations: number;
  readonly seconds: number;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly byKind: Record<string, number>;
  readonly outcomes: Record<string, number>;
  readonly violations: string[];
  readonly checks: number;
}

interface Family {
  readonly userId: string;
  readonly sessionId: string;
  /** Every credential this session ever had, newest last. */
  readonly credentials: string[];
  readonly kind: "cookie" | "refresh";
  /** Set once a kill of the whole session was acknowledged. */
  deadAt: number | undefined;
  busy: boolean;
}

const now = () => performance.now();

function rng(seed: number): () => number {
  let state = seed | 0 || 0x2545f491;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/** Runs the load; never throws for a store error (counted as an outcome). */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { store, clients, durationMs } = options;
  const users = options.users ?? 40;
  const maxSessions = options.maxSessions ?? 3;
  const random = rng(options.seed ?? 1);
  const keys = new AccessTokenKeySet(await AccessTokenKey.generate("load"));
  const manager = new SessionManager({
    store,
    session: { graceMs: 0, idleTtlMs: 3_600_000, absoluteTtlMs: 7_200_000 },
    refresh: { graceMs: 0, idleTtlMs: 3_600_000, absoluteTtlMs: 7_200_000 },
    limit: { maxSessions },
    accessTokens: { keys },
  });
  // Users `ruser*` are served with the other limit policy: at the limit, a login is refused.
  const rejecting = new SessionManager({
    store,
    session: { graceMs: 0, idleTtlMs: 3_600_000, absoluteTtlMs: 7_200_000 },
    limit: { maxSessions: 2, onLimit: "reject" },
  });
  const counters = new SessionManager({ store, limit: { maxSessions: 1_000 } });

  const violations: string[] = [];
  const violate = (what: string) => {
    if (violations.length < 50) violations.push(what);
    else violations.length++;
  };
  const families: Family[] = [];
  /** Families not known dead, for picking (dead ones are dropped from it lazily). */
  const live: Family[] = [];
  const bySession = new Map<string, Family>();
  /** Credentials whose individual death (rotation) was acknowledged, with when. */
  const retiredAt = new Map<string, number>();
  const latencies: number[] = [];
  const byKind: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const count = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  const pick = <T>(list: readonly T[]): T | undefined =>
    list.length === 0 ? undefined : list[Math.floor(random() * list.length)];
  const pickWhere = (ok: (f: Family) => boolean): Family | undefined => {
    for (let i = 0; i < 16; i++) {
      const f = pick(families);
      if (f !== undefined && ok(f)) return f;
    }
    return undefined;
  };
  const pickLive = (ok: (f: Family) => boolean): Family | undefined => {
    for (let i = 0; i < 16 && live.length > 0; i++) {
      const at = Math.floor(random() * live.length);
      const f = live[at]!;
      if (f.deadAt !== undefined) {
        live[at] = live[live.length - 1]!;
        live.pop();
        continue;
      }
      if (ok(f)) return f;
    }
    return undefined;
  };
  const user = () => `user${Math.floor(random() * users)}`;
  const killFamily = (family: Family | undefined, at: number) => {
    if (family !== undefined && family.deadAt === undefined) family.deadAt = at;
  };
  const deadSince = (family: Family, credential: string): number | undefined => {
    const retired = retiredAt.get(credential);
    if (family.deadAt === undefined) return retired;
    return retired === undefined ? family.deadAt : Math.min(retired, family.deadAt);
  };
  const accepted = (family: Family, credential: string, startedAt: number, what: string) => {
    const dead = deadSince(family, credential);
    if (dead !== undefined && dead < startedAt) {
      violate(`${what} accepted a credential dead ${(startedAt - dead).toFixed(1)} ms earlier`);
    }
  };
  const register = (
    userId: string,
    sessionId: string,
    credential: string,
    kind: Family["kind"],
  ) => {
    const family: Family = {
      userId,
      sessionId,
      credentials: [credential],
      kind,
      deadAt: undefined,
      busy: false,
    };
    families.push(family);
    live.push(family);
    bySession.set(sessionId, family);
    if (families.length > 4_000) {
      const old = families.splice(0, 1_000);
      for (const f of old) {
        if (f.deadAt !== undefined) bySession.delete(f.sessionId);
        else families.push(f);
      }
    }
  };
  const codeOf = (error: unknown) => error instanceof SessionError ? error.code : "thrown";

  // Counter sessions for the compare-and-set check: a few sessions updated by many clients.
  const counterSessions: { id: string; credential: string; acked: number }[] = [];
  for (let i = 0; i < 8; i++) {
    const login = await counters.login(`counter${i}`, { data: { n: 0 } });
    counterSessions.push({ id: login.session.id, credential: login.credential, acked: 0 });
  }

  const actions: [number, string, () => Promise<boolean | void>][] = [
    [10, "login", async () => {
      const userId = user();
      const r = random();
      if (r < 0.3) {
        const ruser = `r${userId}`;
        const login = await rejecting.login(ruser);
        register(ruser, login.session.id, login.credential, "cookie");
      } else if (r < 0.6) {
        const login = await manager.loginWithTokens(userId);
        register(userId, login.session.id, login.refreshToken, "refresh");
        for (const s of login.evicted) killFamily(bySession.get(s.id), now());
      } else {
        const login = await manager.login(userId);
        register(userId, login.session.id, login.credential, "cookie");
        for (const s of login.evicted) killFamily(bySession.get(s.id), now());
      }
    }],
    [40, "validate", async () => {
      // Mostly live sessions; a fifth of the picks may be dead ones (which must stay dead).
      const family = random() < 0.2
        ? pickWhere((f) => f.kind === "cookie" && f.deadAt !== undefined)
        : pickLive((f) => f.kind === "cookie");
      if (family === undefined) return false;
      const credential = family.credentials[family.credentials.length - 1]!;
      const t = now();
      try {
        const { session } = await manager.validate(credential);
        accepted(family, credential, t, "validate");
        if (session.id !== family.sessionId) violate("validate returned another session");
      } catch (error) {
        if (codeOf(error) === "session-reused") killFamily(family, now());
        throw error;
      }
      return true;
    }],
    [8, "regenerate", async () => {
      const family = pickLive((f) => f.kind === "cookie" && !f.busy);
      if (family === undefined) return false;
      family.busy = true;
      const old = family.credentials[family.credentials.length - 1]!;
      const t = now();
      try {
        const next = await manager.regenerate(old);
        accepted(family, old, t, "regenerate");
        if (next.credential !== null) {
          family.credentials.push(next.credential);
          retiredAt.set(old, now());
        }
      } finally {
        family.busy = false;
      }
      return true;
    }],
    [10, "refresh", async () => {
      const family = pickLive((f) => f.kind === "refresh" && !f.busy);
      if (family === undefined) return false;
      family.busy = true;
      const old = family.credentials[family.credentials.length - 1]!;
      const t = now();
      try {
        const next = await manager.refresh(old);
        accepted(family, old, t, "refresh");
        if (next.refreshToken === null) violate("refresh answered grace with graceMs 0");
        else {
          family.credentials.push(next.refreshToken);
          retiredAt.set(old, now());
        }
      } catch (error) {
        if (codeOf(error) === "session-reused") killFamily(family, now());
        throw error;
      } finally {
        family.busy = false;
      }
      return true;
    }],
    [5, "reuse", async () => {
      const family = pickLive((f) => f.credentials.length > 1 && !f.busy);
      if (family === undefined) return false;
      const stale = family.credentials[family.credentials.length - 2]!;
      const newest = family.credentials[family.credentials.length - 1]!;
      const t = now();
      try {
        if (family.kind === "refresh") await manager.refresh(stale);
        else await manager.validate(stale);
        accepted(family, stale, t, "reuse attempt");
        violate("a rotated-away credential was accepted");
      } catch (error) {
        const code = codeOf(error);
        if (code !== "session-reused" && code !== "session-invalid") throw error;
        if (code === "session-reused") {
          killFamily(family, now());
          // The family is revoked: its newest credential is dead.
          const check = now();
          try {
            await manager.validate(newest);
            accepted(family, newest, check, "validate after reuse");
          } catch {
            // Dead, as required.
          }
        }
        throw error;
      }
      return true;
    }],
    [5, "logout", async () => {
      const family = pickLive((f) => !f.busy);
      if (family === undefined) return false;
      await manager.logout(family.credentials[family.credentials.length - 1]!);
      killFamily(family, now());
      return true;
    }],
    [2, "revokeAll", async () => {
      const userId = random() < 0.3 ? `r${user()}` : user();
      const t = now();
      const before = families.filter((f) => f.userId === userId);
      await manager.revokeAllSessions(userId);
      const at = now();
      // Sessions whose login was acknowledged before this call started are dead now.
      for (const f of before) if (f.deadAt === undefined) f.deadAt = Math.max(t, at);
    }],
    [20, "update", async () => {
      const counter = pick(counterSessions)!;
      const { session } = await counters.validate(counter.credential);
      const n = (session.data as { n: number }).n;
      await counters.updateData(session, { n: n + 1 });
      counter.acked++;
    }],
  ];
  const weights = actions.reduce((sum, [w]) => sum + w, 0);
  const choose = () => {
    let r = random() * weights;
    for (const action of actions) if ((r -= action[0]) < 0) return action;
    return actions[0]!;
  };

  const end = now() + durationMs;
  let begun = 0;
  const running = () => options.operations === undefined ? now() < end : begun < options.operations;
  let checks = 0;
  const checkLimits = async () => {
    for (let i = 0; i < 2 * users; i++) {
      const userId = i < users ? `user${i}` : `ruser${i - users}`;
      const limit = i < users ? maxSessions : 2;
      try {
        const live = await manager.listSessions(userId);
        checks++;
        if (live.length > limit) {
          violate(`${userId} has ${live.length} live sessions, limit ${limit}`);
        }
      } catch {
        // A store error is not a violation.
      }
    }
  };
  const checker = async () => {
    while (running()) {
      // Yield between passes: with an in-process store nothing else would run.
      await new Promise((resolve) => setTimeout(resolve, 1));
      await checkLimits();
    }
  };
  const client = async () => {
    while (running()) {
      begun++;
      const [, kind, body] = choose();
      const t = now();
      try {
        if ((await body()) === false) {
          count(outcomes, "skipped");
          await new Promise((resolve) => setTimeout(resolve, 1)); // nothing to do yet: yield
          continue;
        }
        count(outcomes, "ok");
      } catch (error) {
        count(outcomes, codeOf(error));
        if (codeOf(error) === "thrown") violate(`uncoded error in ${kind}: ${String(error)}`);
      }
      latencies.push(now() - t);
      count(byKind, kind);
    }
  };
  const started = now();
  await Promise.all([checker(), ...Array.from({ length: clients }, client)]);
  const seconds = (now() - started) / 1000;
  await checkLimits(); // once more when quiet: what the last operations left

  for (const counter of counterSessions) {
    const session = await store.get(counter.id);
    const n = (session?.data as { n?: number } | undefined)?.n;
    if (n !== counter.acked) {
      violate(`counter session holds ${n} after ${counter.acked} acknowledged increments`);
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    operations: latencies.length,
    seconds,
    throughput: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    byKind,
    outcomes,
    violations,
    checks,
  };
}

/** One line per figure, for the console. */
export function formatReport(name: string, report: LoadReport): string {
  return [
    `${name}: ${report.operations.toLocaleString("en")} operations in ${
      report.seconds.toFixed(1)
    } s`,
    `  throughput ${report.throughput.toFixed(0)} ops/s, p50 ${report.p50Ms.toFixed(2)} ms, p99 ${
      report.p99Ms.toFixed(2)
    } ms`,
    `  mix ${JSON.stringify(report.byKind)}`,
    `  outcomes ${JSON.stringify(report.outcomes)}`,
    `  limit checks ${report.checks}, violations ${report.violations.length}`,
    ...report.violations.map((v) => `    ${v}`),
  ].join("\n");
}
