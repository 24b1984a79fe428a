// Deliberately broken stores, third family: one per general check of the kit (issue 21) —
// adversarial identities, aliasing, inert refusals, threshold arithmetic. Each is the guide's
// example store (examples/map_store.ts) with ONE defect aimed at that check (docs/kit-power.md
// says which ones the kit without the check accepted).
// The conformance kit must reject every one (spec/kit/kit_power.test.ts).

import type { Clock } from "../../src/core/clock.ts";
import type { RandomSource } from "../../src/core/random.ts";
import { tryParseCredential } from "../../src/core/credential.ts";
import { checkArguments } from "../../src/model/check_arguments.ts";
import { type Cutoff, type Entry, type Found, MapStore } from "../../examples/map_store.ts";
import type {
  CreateOptions,
  CreateResult,
  DeviceInfo,
  JsonObject,
  Session,
  SessionKind,
  UpdateOptions,
  UpdateResult,
  ValidateOptions,
  ValidateResult,
} from "../../src/model/store.ts";

type Ctx = { clock: Clock; random: RandomSource };
type Make = (ctx: Ctx) => MapStore;

/** A Map that files every key under `index(key)`: an index that confuses some keys. */
class IndexedMap<V> extends Map<string, V> {
  constructor(private readonly index: (key: string) => string) {
    super();
  }
  override get(key: string): V | undefined {
    return super.get(this.index(key));
  }
  override set(key: string, value: V): this {
    return super.set(this.index(key), value);
  }
  override has(key: string): boolean {
    return super.has(this.index(key));
  }
  override delete(key: string): boolean {
    return super.delete(this.index(key));
  }
}

/** A store whose user index (lists, limits, destroyAll) compares user ids through `fold`. */
const userIndex = (fold: (userId: string) => string): Make => (ctx) =>
  new (class extends MapStore {
    protected override liveOf(userId: string, now: number): Entry[] {
      return [...this.sessions.values()]
        .filter((e) => e.userId !== null && fold(e.userId) === fold(userId) && this.isLive(e, now))
        .sort((a, b) => a.seq - b.seq);
    }
  })(ctx);

export const brokenGeneralStores: Record<string, Make> = {
  // --- Adversarial identities ------------------------------------------------------------------
  "finds a user's sessions case-insensitively": userIndex((u) => u.toLowerCase()),
  "compares user ids after Unicode normalisation (NFC)": userIndex((u) => u.normalize("NFC")),
  "keys sessions by the first 16 characters of the id": (ctx) =>
    new (class extends MapStore {
      protected override readonly sessions = new IndexedMap<Entry>((id) => id.slice(0, 16));
    })(ctx),
  "keys user-wide cutoffs by the user id cut at the first NUL (a C string)": (ctx) =>
    new (class extends MapStore {
      protected override readonly userCutoffs = new IndexedMap<Cutoff>((u) => u.split("\0")[0]!);
    })(ctx),
  "keys user-wide cutoffs by the user id cut to 255 characters": (ctx) =>
    new (class extends MapStore {
      protected override readonly userCutoffs = new IndexedMap<Cutoff>((u) => u.slice(0, 255));
    })(ctx),
  "keys revoked jtis case-insensitively": (ctx) =>
    new (class extends MapStore {
      protected override readonly tokens = new IndexedMap<number>((k) => k.toLowerCase());
    })(ctx),
  "keys session cutoffs with the separators of the id dropped": (ctx) =>
    new (class extends MapStore {
      protected override readonly sessionCutoffs = new IndexedMap<Cutoff>((id) =>
        id.replace(/[-_]/g, "")
      );
    })(ctx),

  // --- Aliasing --------------------------------------------------------------------------------
  "keeps the caller's device object (no copy)": (ctx) =>
    new (class extends MapStore {
      protected override deviceOf(device: DeviceInfo | undefined): DeviceInfo {
        const known = ["userAgent", "ip", "label"];
        return device !== undefined && Object.keys(device).every((k) => known.includes(k))
          ? device
          : super.deviceOf(device);
      }
    })(ctx),
  "answers with its own record's device object (not a copy)": (ctx) =>
    new (class extends MapStore {
      protected override view(e: Entry): Session {
        return { ...super.view(e), device: e.device };
      }
    })(ctx),
  "reuses one answer object per session and updates it in place": (ctx) =>
    new (class extends MapStore {
      readonly #views = new Map<string, Session>();
      protected override view(e: Entry): Session {
        const view = this.#views.get(e.id) ?? ({} as Session);
        this.#views.set(e.id, Object.assign(view, super.view(e)));
        return view;
      }
    })(ctx),
  "writes its defaults into the caller's create options": (ctx) =>
    new (class extends MapStore {
      override create(options: CreateOptions): Promise<CreateResult> {
        if (typeof options === "object" && options !== null) {
          const o = options as { kind?: string; onLimit?: string };
          o.kind ??= "cookie";
          o.onLimit ??= "evict-oldest";
        }
        return super.create(options);
      }
    })(ctx),

  // --- Every refusal is inert ------------------------------------------------------------------
  "a wrong secret for a live session still records activity (lastActiveAt)": (ctx) =>
    new (class extends MapStore {
      protected override find(credential: string, now: number, kind?: SessionKind): Found {
        const found = super.find(credential, now, kind);
        const e = this.sessions.get(tryParseCredential(credential)?.sessionId ?? "");
        if (found.outcome === "invalid" && e !== undefined && this.isLive(e, now)) {
          e.lastActiveAt = now;
        }
        return found;
      }
    })(ctx),
  "a version conflict still slides the session": (ctx) =>
    new (class extends MapStore {
      override async update(
        id: string,
        data: JsonObject,
        options?: UpdateOptions,
      ): Promise<UpdateResult> {
        const result = await super.update(id, data, options);
        const e = this.sessions.get(id);
        if (result.status === "conflict" && e !== undefined) {
          this.slide(e, this.clock.now());
          return { ...result, session: this.view(e) };
        }
        return result;
      }
    })(ctx),
  "a login refused at the limit marks the user's sessions active": (ctx) =>
    new (class extends MapStore {
      protected override toEvict(mine: Entry[], limit: number): Entry[] {
        const evicted = super.toEvict(mine, limit);
        // Meant for the evict-oldest path, run before the policy is looked at.
        if (evicted.length > 0) { for (const e of mine) e.lastActiveAt = this.clock.now(); }
        return evicted;
      }
    })(ctx),
  "validate records activity before it checks its options (no rollback)": (ctx) =>
    new (class extends MapStore {
      override async validate(
        credential: string,
        options?: ValidateOptions,
      ): Promise<ValidateResult> {
        const now = this.clock.now();
        const found = typeof credential === "string" ? this.find(credential, now) : undefined;
        if (found?.outcome === "ok") {
          const before = found.entry.lastActiveAt;
          found.entry.lastActiveAt = now;
          checkArguments({ op: "validate", credential, ...(options ? { options } : {}) });
          found.entry.lastActiveAt = before;
        }
        return await super.validate(credential, options);
      }
    })(ctx),

  // --- Threshold arithmetic --------------------------------------------------------------------
  "decides the slide from lastActiveAt + idleTtlMs instead of the idle expiry": (ctx) =>
    new (class extends MapStore {
      protected override shouldSlide(e: Entry, now: number, threshold: number): boolean {
        return e.lastActiveAt + e.idleTtlMs - now < threshold * e.idleTtlMs;
      }
    })(ctx),
  "rounds the slide threshold down to whole milliseconds": (ctx) =>
    new (class extends MapStore {
      protected override shouldSlide(e: Entry, now: number, threshold: number): boolean {
        return e.idleExpiresAt - now < Math.floor(threshold * e.idleTtlMs);
      }
    })(ctx),
  "stops recording activity once the idle expiry is capped": (ctx) =>
    new (class extends MapStore {
      protected override slide(e: Entry, now: number): void {
        // "Nothing to extend": but lastActiveAt must still move.
        if (e.idleExpiresAt === e.absoluteExpiresAt) return;
        super.slide(e, now);
      }
    })(ctx),
};
