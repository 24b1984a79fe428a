// Deliberately broken stores: each wraps a real MemoryStore and adds one realistic defect.
// The conformance kit must reject every one of them (spec/kit/kit_power.test.ts).

import type { Clock } from "../../src/core/clock.ts";
import type { RandomSource } from "../../src/core/random.ts";
import { tryParseCredential } from "../../src/core/credential.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import { checkCreate, checkUserId } from "../../src/model/_arguments.ts";
import { bindingMismatch } from "../../src/model/binding_mismatch.ts";
import { checkArguments } from "../../src/model/check_arguments.ts";
import type { ModelOperation } from "../../src/model/model.ts";
import type {
  AttachOptions,
  AttachResult,
  BindFacts,
  CreateOptions,
  CreateResult,
  DestroyAllOptions,
  JsonObject,
  RotateOptions,
  RotateResult,
  Session,
  SessionStore,
  TokenCutoff,
  TokenIdentity,
  TokenRevocation,
  UpdateOptions,
  UpdateResult,
  ValidateOptions,
  ValidateResult,
} from "../../src/model/store.ts";

/** Delegates everything to a MemoryStore; subclasses override one thing. */
class Wrapper implements SessionStore {
  readonly inner: MemoryStore;
  constructor(ctx: { clock: Clock; random: RandomSource }) {
    this.inner = new MemoryStore(ctx);
  }
  dump(): string {
    return this.inner.dump();
  }
  create(o: CreateOptions): Promise<CreateResult> {
    return this.inner.create(o);
  }
  validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
    return this.inner.validate(c, o);
  }
  rotate(c: string, o?: RotateOptions): Promise<RotateResult> {
    return this.inner.rotate(c, o);
  }
  attach(c: string, o: AttachOptions): Promise<AttachResult> {
    return this.inner.attach(c, o);
  }
  update(id: string, d: JsonObject, o?: UpdateOptions): Promise<UpdateResult> {
    return this.inner.update(id, d, o);
  }
  get(id: string): Promise<Session | null> {
    return this.inner.get(id);
  }
  destroy(id: string): Promise<Session | null> {
    return this.inner.destroy(id);
  }
  list(u: string): Promise<Session[]> {
    return this.inner.list(u);
  }
  destroyAll(u: string, o?: DestroyAllOptions): Promise<Session[]> {
    return this.inner.destroyAll(u, o);
  }
  revokeToken(r: TokenRevocation): Promise<void> {
    return this.inner.revokeToken(r);
  }
  revokeTokens(c: TokenCutoff): Promise<void> {
    return this.inner.revokeTokens(c);
  }
  isTokenRevoked(t: TokenIdentity): Promise<boolean> {
    return this.inner.isTokenRevoked(t);
  }
}

/** Tracks, per session, the credentials it has had, so wrappers can misbehave around rotation. */
class RotationMemory extends Wrapper {
  /** credential → the credential that replaced it */
  readonly next = new Map<string, string>();
  readonly rotatedAt = new Map<string, number>();
  override async rotate(c: string, o?: RotateOptions): Promise<RotateResult> {
    const r = await this.inner.rotate(c, o);
    if (r.status === "rotated") {
      this.next.set(c, r.credential);
      this.rotatedAt.set(c, r.session.rotatedAt);
    }
    return r;
  }
  latest(c: string): string {
    let current = c;
    while (this.next.has(current)) current = this.next.get(current)!;
    return current;
  }
}

/**
 * The store with the model's argument checks in front of every method, so that each broken store
 * has exactly its one defect (its overrides do not have to repeat the checks).
 */
function checked(store: Wrapper): Wrapper {
  const ops: Record<string, (...a: never[]) => ModelOperation> = {
    create: (options) => ({ op: "create", options }),
    validate: (credential, options) => ({ op: "validate", credential, options }),
    rotate: (credential, options) => ({ op: "rotate", credential, options }),
    attach: (credential, options) => ({ op: "attach", credential, options }),
    update: (sessionId, data, options) => ({ op: "update", sessionId, data, options }),
    get: (sessionId) => ({ op: "get", sessionId }),
    destroy: (sessionId) => ({ op: "destroy", sessionId }),
    list: (userId) => ({ op: "list", userId }),
    destroyAll: (userId, options) => ({ op: "destroyAll", userId, options }),
    revokeToken: (revocation) => ({ op: "revokeToken", revocation }),
    revokeTokens: (cutoff) => ({ op: "revokeTokens", cutoff }),
    isTokenRevoked: (token) => ({ op: "isTokenRevoked", token }),
  };
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      const op = typeof key === "string" ? ops[key] : undefined;
      if (op === undefined || typeof value !== "function") return value;
      return async (...args: never[]) => {
        checkArguments(op(...args));
        return value.apply(target, args);
      };
    },
  });
}

/** A store whose rotate passes the caller's options through `change` (one option defect). */
const rotatingWith =
  (change: (o: RotateOptions) => RotateOptions) =>
  (ctx: { clock: Clock; random: RandomSource }): Wrapper =>
    new (class extends Wrapper {
      override rotate(c: string, o?: RotateOptions): Promise<RotateResult> {
        return this.inner.rotate(c, change(o ?? {}));
      }
    })(ctx);

const wrappers: Record<
  string,
  (ctx: { clock: Clock; random: RandomSource }) => Wrapper
> = {
  "forgets to slide the idle expiry": (ctx) =>
    new (class extends Wrapper {
      override validate(c: string): Promise<ValidateResult> {
        // A threshold so small that it never slides.
        return this.inner.validate(c, { slideThreshold: Number.MIN_VALUE });
      }
    })(ctx),

  "slides past the absolute lifetime": (ctx) =>
    new (class extends Wrapper {
      override create(o: CreateOptions): Promise<CreateResult> {
        // Caps the absolute lifetime as if it were twice as long.
        return this.inner.create({ ...o, absoluteTtlMs: o.absoluteTtlMs * 2 }).then((r) =>
          r.status === "created"
            ? {
              ...r,
              session: {
                ...r.session,
                absoluteExpiresAt: r.session.absoluteExpiresAt - o.absoluteTtlMs,
              },
            }
            : r
        );
      }
    })(ctx),

  "evicts the newest session instead of the oldest": (ctx) =>
    new (class extends Wrapper {
      override async create(o: CreateOptions): Promise<CreateResult> {
        if (o.userId === null || o.limit === undefined || o.onLimit === "reject") {
          return this.inner
            .create(o);
        }
        const mine = await this.inner.list(o.userId);
        const evicted: Session[] = [];
        while (mine.length >= o.limit) {
          const newest = mine.pop()!;
          await this.inner.destroy(newest.id);
          evicted.push(newest);
        }
        const { limit: _limit, ...unlimited } = o;
        const r = await this.inner.create(unlimited);
        return r.status === "created" ? { ...r, evicted } : r;
      }
    })(ctx),

  "lets limit + 1 through under parallel logins (read, then write)": (ctx) =>
    new (class extends Wrapper {
      override async create(o: CreateOptions): Promise<CreateResult> {
        checkCreate(o, 8192);
        if (o.userId === null || o.limit === undefined) return this.inner.create(o);
        const mine = await this.inner.list(o.userId);
        await new Promise((resolve) => setTimeout(resolve, 0));
        const excess = mine.length - o.limit + 1;
        if (excess > 0 && o.onLimit === "reject") return { status: "limit-reached" };
        const evicted = excess > 0 ? mine.slice(0, excess) : [];
        for (const s of evicted) await this.inner.destroy(s.id);
        const { limit: _limit, ...unlimited } = o;
        const r = await this.inner.create(unlimited);
        return r.status === "created" ? { ...r, evicted } : r;
      }
    })(ctx),

  "accepts a rotated-away credential": (ctx) =>
    new (class extends RotationMemory {
      override validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        return this.inner.validate(this.latest(c), o);
      }
    })(ctx),

  "does not revoke the session when a rotated-away credential is reused": (ctx) =>
    new (class extends RotationMemory {
      override async validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        const latest = this.latest(c);
        if (latest !== c && this.next.get(c) !== latest) return { status: "invalid" };
        return this.inner.validate(c, o);
      }
    })(ctx),

  "grace window also accepts the grandparent": (ctx) =>
    new (class extends RotationMemory {
      override async validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        const parent = this.next.get(c);
        const child = parent === undefined ? undefined : this.next.get(parent);
        if (child !== undefined && this.latest(c) === child) {
          const r = await this.inner.validate(parent!, o);
          if (r.status === "valid" && r.grace) return r;
        }
        return this.inner.validate(c, o);
      }
    })(ctx),

  "updates without compare-and-set": (ctx) =>
    new (class extends Wrapper {
      override async update(id: string, d: JsonObject, o?: UpdateOptions): Promise<UpdateResult> {
        await this.inner.update(id, d, o).catch((e) => {
          if (e instanceof TypeError) throw e;
        });
        return this.inner.update(id, d);
      }
    })(ctx),

  "destroyAll misses the newest session": (ctx) =>
    new (class extends Wrapper {
      override async destroyAll(u: string, o?: DestroyAllOptions): Promise<Session[]> {
        await this.inner.destroyAll("validation-only", o);
        const mine = (await this.inner.list(checkUserId(u))).filter((s) =>
          s.id !== o?.exceptSessionId
        );
        mine.pop();
        for (const s of mine) await this.inner.destroy(s.id);
        return mine;
      }
    })(ctx),

  "keeps credentials in clear in a lookup cache": (ctx) =>
    new (class extends Wrapper {
      readonly cache = new Map<string, string>();
      override async create(o: CreateOptions): Promise<CreateResult> {
        const r = await this.inner.create(o);
        if (r.status === "created") this.cache.set(r.credential, r.session.id);
        return r;
      }
      override dump(): string {
        return this.inner.dump() + JSON.stringify([...this.cache.keys()]);
      }
    })(ctx),

  "still accepts a revoked jti": (ctx) =>
    new (class extends Wrapper {
      override async revokeToken(): Promise<void> {}
    })(ctx),

  "treats the expiry instant as still valid (off by one)": (ctx) =>
    new (class extends Wrapper {
      readonly seen = new Map<string, Session>();
      override async create(o: CreateOptions): Promise<CreateResult> {
        const r = await this.inner.create(o);
        if (r.status === "created") this.seen.set(r.credential, r.session);
        return r;
      }
      override async validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        const r = await this.inner.validate(c, o);
        if (r.status === "valid") this.seen.set(c, r.session);
        const last = this.seen.get(c);
        if (r.status === "invalid" && last && last.idleExpiresAt === ctx.clock.now()) {
          return { status: "valid", session: last, grace: false };
        }
        return r;
      }
    })(ctx),

  "answers a store failure with a valid session of the wrong user": (ctx) =>
    new (class extends Wrapper {
      override async validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        const r = await this.inner.validate(c, o);
        // Returns a cached record even when the session is gone (fail open).
        if (r.status === "invalid" && tryParseCredential(c) !== null) {
          const last = (await this.inner.list("u1")).at(-1);
          if (last) return { status: "valid", session: last, grace: false };
        }
        return r;
      }
    })(ctx),

  "ignores the kind validate asks for": (ctx) =>
    new (class extends Wrapper {
      override validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        const { kind: _kind, ...rest } = o ?? {};
        return this.inner.validate(c, rest);
      }
    })(ctx),

  "ignores the kind rotate asks for": rotatingWith(({ kind: _kind, ...rest }) => rest),

  "ignores a re-authenticating rotation (authenticatedAt stays at login)": rotatingWith((
    { reauthenticate: _reauthenticate, ...rest },
  ) => rest),

  "re-authenticates on every rotation (a plain regenerate counts as step-up)": rotatingWith((
    o,
  ) => ({
    ...o,
    reauthenticate: true,
  })),

  "logs a user into an anonymous refresh session": (ctx) =>
    new (class extends Wrapper {
      override async attach(c: string, o: AttachOptions): Promise<AttachResult> {
        const r = await this.inner.attach(c, o);
        if (r.status !== "invalid") return r;
        const anon = await this.inner.validate(c, { slideThreshold: Number.MIN_VALUE });
        if (anon.status !== "valid" || anon.session.userId !== null) return r;
        const made = await this.inner.create({
          ...o,
          data: o.data ?? anon.session.data,
          device: o.device ?? anon.session.device,
        });
        if (made.status !== "created") return made;
        await this.inner.destroy(anon.session.id);
        const { status: _s, ...rest } = made;
        return { status: "attached", ...rest, replacedSessionId: anon.session.id };
      }
    })(ctx),

  "ignores the bound request facts": (ctx) =>
    new (class extends Wrapper {
      override validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        const { bind: _bind, ...rest } = o ?? {};
        return this.inner.validate(c, rest);
      }
    })(ctx),

  "slides the session before refusing a binding mismatch": (ctx) =>
    new (class extends Wrapper {
      override async validate(c: string, o?: ValidateOptions): Promise<ValidateResult> {
        const { bind, ...rest } = o ?? {};
        const r = await this.inner.validate(c, rest);
        return r.status === "valid" ? refuseMismatch(r, bind) : r;
      }
    })(ctx),

  "rotates the credential before refusing a binding mismatch": (ctx) =>
    new (class extends Wrapper {
      override async rotate(c: string, o?: RotateOptions): Promise<RotateResult> {
        const { bind, ...rest } = o ?? {};
        const r = await this.inner.rotate(c, rest);
        return r.status === "rotated" || r.status === "grace" ? refuseMismatch(r, bind) : r;
      }
    })(ctx),
};

/** The check-after-the-fact of a store that applies the binding only to what it answers. */
function refuseMismatch<T extends { session: Session }>(
  r: T,
  bind: BindFacts | undefined,
): T | { status: "binding-mismatch"; sessionId: string; userId: string | null } {
  if (!bindingMismatch(r.session.device, bind)) return r;
  return { status: "binding-mismatch", sessionId: r.session.id, userId: r.session.userId };
}

export const brokenStores: Record<
  string,
  (ctx: { clock: Clock; random: RandomSource }) => Wrapper
> = Object.fromEntries(
  Object.entries(wrappers).map(([name, make]) => [name, (ctx) => checked(make(ctx))]),
);
