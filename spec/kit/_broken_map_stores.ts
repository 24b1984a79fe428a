// Deliberately broken stores, second family: each is the guide's example store (examples/
// map_store.ts) with ONE realistic defect in one rule — an inclusive boundary, a wrong eviction
// order, a forgotten revocation, a missing lock around a check-then-act with one await inside.
// The conformance kit must reject every one (spec/kit/kit_power.test.ts, scripts/kit-power.mjs).

import type { Clock } from "../../src/core/clock.ts";
import type { RandomSource } from "../../src/core/random.ts";
import { tryParseCredential } from "../../src/core/credential.ts";
import { type Cutoff, type Entry, MapStore, type OperationName } from "../../examples/map_store.ts";
import { checkArguments } from "../../src/model/check_arguments.ts";
import {
  type AttachOptions,
  type AttachResult,
  type CreateOptions,
  type CreateResult,
  type DestroyAllOptions,
  type DeviceInfo,
  type JsonObject,
  RETIRED_SECRETS_KEPT,
  type Session,
  type TokenIdentity,
  type UpdateOptions,
  type UpdateResult,
} from "../../src/model/store.ts";

type Ctx = { clock: Clock; random: RandomSource };
type Make = (ctx: Ctx) => MapStore;

/** Merges a new cutoff with the old one even when the old one's `until` has passed. */
const mergeEvenLapsed = (old: Cutoff | undefined, c: Cutoff): Cutoff =>
  old === undefined ? { ...c } : {
    issuedBefore: Math.max(old.issuedBefore, c.issuedBefore),
    until: Math.max(old.until, c.until),
  };

/** A store whose one operation runs without the mutex (its `pause` becomes a race window). */
const unlocked = (name: OperationName): Make => (ctx) =>
  new (class extends MapStore {
    protected override exclusive<T>(op: OperationName, body: () => Promise<T>): Promise<T> {
      return op === name ? body() : super.exclusive(op, body);
    }
  })(ctx);

export const brokenMapStores: Record<string, Make> = {
  // --- Boundaries ---------------------------------------------------------------------------
  "keeps a session alive at its idle expiry instant (<= instead of <)": (ctx) =>
    new (class extends MapStore {
      protected override isLive(e: Entry, now: number): boolean {
        return now <= e.idleExpiresAt;
      }
    })(ctx),
  "slides the idle expiry past the absolute lifetime": (ctx) =>
    new (class extends MapStore {
      protected override slide(e: Entry, now: number): void {
        e.lastActiveAt = now;
        e.idleExpiresAt = now + e.idleTtlMs;
      }
    })(ctx),
  "slides when exactly the threshold remains (<= instead of <)": (ctx) =>
    new (class extends MapStore {
      protected override shouldSlide(e: Entry, now: number, threshold: number): boolean {
        return e.idleExpiresAt - now <= threshold * e.idleTtlMs;
      }
    })(ctx),
  "ignores the slide threshold (always slides)": (ctx) =>
    new (class extends MapStore {
      protected override shouldSlide(): boolean {
        return true;
      }
    })(ctx),
  "accepts the predecessor at the grace window's end instant": (ctx) =>
    new (class extends MapStore {
      protected override inGrace(e: Entry, now: number): boolean {
        return now <= e.graceUntil;
      }
    })(ctx),
  "accepts the predecessor forever (grace never ends)": (ctx) =>
    new (class extends MapStore {
      protected override inGrace(): boolean {
        return true;
      }
    })(ctx),
  "keeps a cutoff in force at its until instant": (ctx) =>
    new (class extends MapStore {
      protected override cuts(c: Cutoff | undefined, iat: number, now: number): boolean {
        return c !== undefined && now <= c.until && iat < c.issuedBefore;
      }
    })(ctx),
  "revokes a token issued exactly at the cutoff's issuedBefore": (ctx) =>
    new (class extends MapStore {
      protected override cuts(c: Cutoff | undefined, iat: number, now: number): boolean {
        return c !== undefined && now < c.until && iat <= c.issuedBefore;
      }
    })(ctx),
  "keeps a revoked jti revoked at the token's expiry instant": (ctx) =>
    new (class extends MapStore {
      protected override jtiRevoked(until: number | undefined, now: number): boolean {
        return until !== undefined && now <= until;
      }
    })(ctx),
  // --- Revocation histories -----------------------------------------------------------------
  "lets a later cutoff replace a live one instead of merging": (ctx) =>
    new (class extends MapStore {
      protected override mergeCutoff(_old: Cutoff | undefined, c: Cutoff): Cutoff {
        return { ...c };
      }
    })(ctx),
  "merges a new cutoff with one whose until has passed": (ctx) =>
    new (class extends MapStore {
      protected override mergeCutoff(old: Cutoff | undefined, c: Cutoff): Cutoff {
        return mergeEvenLapsed(old, c);
      }
    })(ctx),
  // MemoryStore's own former defect: lapsed entries are cleaned up a few per call, and a new
  // cutoff merged with a lapsed one still held. Only a history among many other revocations
  // shows it (with few entries every lapsed cutoff is gone before the next revocation).
  "merges a new cutoff with a lapsed one it has not cleaned up yet (lazy sweep)": (ctx) =>
    new (class extends MapStore {
      #cursor: Iterator<[string, unknown]> | null = null;
      #map = 0;
      protected override exclusive<T>(op: OperationName, body: () => Promise<T>): Promise<T> {
        return super.exclusive(op, () => {
          this.#sweep(this.clock.now());
          return body();
        });
      }
      /** Drops at most 8 lapsed entries per call, round robin over the revocation maps. */
      #sweep(now: number): void {
        const maps = [this.tokens, this.sessionCutoffs, this.userCutoffs] as Map<
          string,
          number | Cutoff
        >[];
        for (let i = 0; i < 8; i++) {
          this.#cursor ??= maps[this.#map]!.entries();
          const next = this.#cursor.next();
          if (next.done) {
            this.#cursor = null;
            this.#map = (this.#map + 1) % maps.length;
            continue;
          }
          const [key, value] = next.value as [string, number | Cutoff];
          const until = typeof value === "number" ? value : value.until;
          if (until <= now) maps[this.#map]!.delete(key);
        }
      }
      protected override mergeCutoff(old: Cutoff | undefined, c: Cutoff): Cutoff {
        return mergeEvenLapsed(old, c);
      }
    })(ctx),
  "lets a back-dated revocation of a jti shorten an earlier one": (ctx) =>
    new (class extends MapStore {
      protected override mergeRevocation(_old: number | undefined, expiresAt: number): number {
        return expiresAt;
      }
    })(ctx),
  "ignores user-wide cutoffs when checking a token": (ctx) =>
    new (class extends MapStore {
      override async isTokenRevoked(token: TokenIdentity): Promise<boolean> {
        checkArguments({ op: "isTokenRevoked", token });
        return super.isTokenRevoked({ ...token, userId: "nobody-at-all" });
      }
    })(ctx),
  // --- Rotation histories -------------------------------------------------------------------
  "remembers only the last rotated-away secret": (ctx) =>
    new (class extends MapStore {
      protected override retire(e: Entry, hash: string): void {
        e.retired = [hash];
      }
    })(ctx),
  "remembers one rotated-away secret too many": (ctx) =>
    new (class extends MapStore {
      protected override retire(e: Entry, hash: string): void {
        e.retired = [...e.retired, hash].slice(-(RETIRED_SECRETS_KEPT + 1));
      }
    })(ctx),
  "never forgets a rotated-away secret": (ctx) =>
    new (class extends MapStore {
      protected override retire(e: Entry, hash: string): void {
        e.retired = [...e.retired, hash];
      }
    })(ctx),
  "reports reuse but does not revoke the session": (ctx) =>
    new (class extends MapStore {
      protected override revoke(e: Entry) {
        return { status: "reused" as const, sessionId: e.id, userId: e.userId };
      }
    })(ctx),
  "answers reuse of a rotated-away secret as merely invalid": (ctx) =>
    new (class extends MapStore {
      protected override find(credential: string, now: number) {
        const found = super.find(credential, now);
        return found.outcome === "reused" ? { outcome: "invalid" as const } : found;
      }
    })(ctx),
  "accepts any rotated-away secret inside the grace window": (ctx) =>
    new (class extends MapStore {
      protected override find(credential: string, now: number) {
        const found = super.find(credential, now);
        if (found.outcome === "reused" && this.inGrace(found.entry, now)) {
          return { outcome: "ok" as const, entry: found.entry, grace: true };
        }
        return found;
      }
    })(ctx),
  "rotates again when the predecessor is presented in its grace window": (ctx) =>
    new (class extends MapStore {
      protected override find(credential: string, now: number) {
        const found = super.find(credential, now);
        return found.outcome === "ok" && found.grace ? { ...found, grace: false } : found;
      }
    })(ctx),
  // --- Eviction -----------------------------------------------------------------------------
  "evicts the newest logins instead of the oldest": (ctx) =>
    new (class extends MapStore {
      protected override toEvict(mine: Entry[], limit: number): Entry[] {
        const excess = mine.length - limit + 1;
        return excess > 0 ? mine.slice(-excess) : [];
      }
    })(ctx),
  "evicts the least recently active instead of the oldest login": (ctx) =>
    new (class extends MapStore {
      protected override limitPool(userId: string, now: number): Entry[] {
        return this.liveOf(userId, now).sort((a, b) => a.lastActiveAt - b.lastActiveAt);
      }
    })(ctx),
  "lets one session over the limit (off by one)": (ctx) =>
    new (class extends MapStore {
      protected override toEvict(mine: Entry[], limit: number): Entry[] {
        const excess = mine.length - limit;
        return excess > 0 ? mine.slice(0, excess) : [];
      }
    })(ctx),
  "counts expired-but-unswept sessions against the limit": (ctx) =>
    new (class extends MapStore {
      protected override limitPool(userId: string): Entry[] {
        return [...this.sessions.values()].filter((e) => e.userId === userId)
          .sort((a, b) => a.seq - b.seq);
      }
    })(ctx),
  "evicts even when the policy is reject": (ctx) =>
    new (class extends MapStore {
      override async create(options: CreateOptions): Promise<CreateResult> {
        checkArguments({ op: "create", options });
        if (options.onLimit !== "reject") return super.create(options);
        return super.create({ ...options, onLimit: "evict-oldest" });
      }
    })(ctx),
  "does not apply the limit when attaching": (ctx) =>
    new (class extends MapStore {
      override async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
        checkArguments({ op: "attach", credential, options });
        if (options.limit === undefined) {
          return super.attach(credential, options);
        }
        const { limit: _limit, ...rest } = options;
        return super.attach(credential, rest as AttachOptions);
      }
    })(ctx),
  // --- Attach, update, reads ----------------------------------------------------------------
  "merges the anonymous session's data on attach instead of replacing it": (ctx) =>
    new (class extends MapStore {
      protected override attachData(anon: Entry, data: JsonObject | undefined): JsonObject {
        return { ...(JSON.parse(anon.dataJson) as JsonObject), ...data };
      }
    })(ctx),
  "keeps the anonymous session alive after attach": (ctx) =>
    new (class extends MapStore {
      override async attach(credential: string, options: AttachOptions): Promise<AttachResult> {
        const id = tryParseCredential(typeof credential === "string" ? credential : "")?.sessionId;
        const anon = id === undefined ? undefined : this.sessions.get(id);
        const r = await super.attach(credential, options);
        if (r.status === "attached" && anon !== undefined) this.sessions.set(anon.id, anon);
        return r;
      }
    })(ctx),
  "stores device fields the contract does not know": (ctx) =>
    new (class extends MapStore {
      protected override deviceOf(device: DeviceInfo | undefined): DeviceInfo {
        return { ...device };
      }
    })(ctx),
  "lists a user's sessions newest first": (ctx) =>
    new (class extends MapStore {
      override async list(userId: string): Promise<Session[]> {
        return (await super.list(userId)).reverse();
      }
    })(ctx),
  "destroyAll ignores exceptSessionId": (ctx) =>
    new (class extends MapStore {
      override destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
        return super.destroyAll(userId, options).then(async (r) =>
          options?.exceptSessionId === undefined
            ? r
            : [...r, ...(await super.destroyAll(userId))].sort((a, b) => a.createdAt - b.createdAt)
        );
      }
    })(ctx),
  "get slides the idle expiry like validate": (ctx) =>
    new (class extends MapStore {
      override async get(sessionId: string): Promise<Session | null> {
        const r = await super.get(sessionId);
        const e = r === null ? undefined : this.sessions.get(r.id);
        if (e === undefined) return r;
        this.slide(e, this.clock.now());
        return this.view(e);
      }
    })(ctx),
  "update forgets to bump the version": (ctx) =>
    new (class extends MapStore {
      override async update(
        sessionId: string,
        data: JsonObject,
        options?: UpdateOptions,
      ): Promise<UpdateResult> {
        const r = await super.update(sessionId, data, options);
        if (r.status !== "updated") return r;
        const e = this.sessions.get(r.session.id)!;
        e.version--;
        return { status: "updated", session: this.view(e) };
      }
    })(ctx),
  "update accepts an expectedVersion older than the current one": (ctx) =>
    new (class extends MapStore {
      override async update(
        sessionId: string,
        data: JsonObject,
        options?: UpdateOptions,
      ): Promise<UpdateResult> {
        const e = typeof sessionId === "string" ? this.sessions.get(sessionId) : undefined;
        const expected = options?.expectedVersion;
        if (
          e !== undefined && typeof expected === "number" && expected >= 1 && expected < e.version
        ) {
          return super.update(sessionId, data, {});
        }
        return super.update(sessionId, data, options);
      }
    })(ctx),
  "update writes into an expired-but-unswept session": (ctx) =>
    new (class extends MapStore {
      override async update(
        sessionId: string,
        data: JsonObject,
        options?: UpdateOptions,
      ): Promise<UpdateResult> {
        const r = await super.update(sessionId, data, options);
        const e = typeof sessionId === "string" ? this.sessions.get(sessionId) : undefined;
        if (r.status !== "invalid" || e === undefined || options?.expectedVersion !== undefined) {
          return r;
        }
        e.dataJson = JSON.stringify(data);
        e.version++;
        return { status: "updated", session: this.view(e) };
      }
    })(ctx),
  // --- Same-tick races: one operation without the lock ----------------------------------------
  "create without the lock (limit checked, then a round trip, then written)": unlocked("create"),
  "rotate without the lock (two rotations of one credential both succeed)": unlocked("rotate"),
  "update without the lock (compare-and-set races)": unlocked("update"),
  "attach without the lock (races the anonymous session's other uses)": unlocked("attach"),
};
