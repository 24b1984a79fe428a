// Private: the model-based commands of the conformance kit — one per store operation, plus
// "advance the clock", "bad input" and "inspect everything".

import fc from "fast-check";
import { tryParseCredential } from "../core/credential.ts";
import type {
  BindFacts,
  DeviceInfo,
  JsonObject,
  LimitPolicy,
  SessionKind,
  SessionStore,
} from "../model/store.ts";
import { badCases } from "./_bad_input.ts";
import { Divergence, type Pair, UNKNOWN_ID, type World } from "./_world.ts";

/** The store side of a run. */
export interface Real {
  readonly store: SessionStore;
  readonly dump?: (() => Promise<string> | string) | undefined;
}

export const USERS = ["u1", "u2", "u3"] as const;
/** A canonical secret nobody was issued: used to forge credentials for known sessions. */
const FORGED_SECRET = "Forged" + "A".repeat(37);

type Exec = (world: World, real: Real, say: (text: string) => void) => Promise<void>;

class Command implements fc.AsyncCommand<World, Real> {
  #text: string;
  constructor(label: string, private readonly exec: Exec) {
    this.#text = label;
  }
  check(): boolean {
    return true;
  }
  async run(world: World, real: Real): Promise<void> {
    await this.exec(world, real, (text) => this.#text = text);
  }
  toString(): string {
    return this.#text;
  }
}

type CredRef =
  | { kind: "issued" | "forged" | "recent" | "ancestor"; index: number }
  | { kind: "garbage"; value: string };

const GARBAGE = [
  "",
  "no-dot",
  "a.b",
  `${UNKNOWN_ID}.${FORGED_SECRET}`,
  `m1.${FORGED_SECRET}`,
  "x".repeat(300),
  `bad id.${FORGED_SECRET}`,
  `id.${"A".repeat(42)}B`,
];

const credRef: fc.Arbitrary<CredRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((index) => ({ kind: "issued" as const, index })) },
  // One of the last three credentials issued: makes chains of rotations and reuse likely.
  { weight: 6, arbitrary: fc.nat({ max: 2 }).map((index) => ({ kind: "recent" as const, index })) },
  // An earlier credential of the session of the last credential issued: rotated away, or not.
  {
    weight: 4,
    arbitrary: fc.integer({ min: 1, max: 3 }).map((index) => ({
      kind: "ancestor" as const,
      index,
    })),
  },
  { weight: 1, arbitrary: fc.nat().map((index) => ({ kind: "forged" as const, index })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...GARBAGE).map((value) => ({ kind: "garbage" as const, value })),
  },
);

function resolveCred(world: World, ref: CredRef): Pair & { label: string } {
  if (ref.kind === "garbage" || world.credentials.length === 0) {
    const value = ref.kind === "garbage" ? ref.value : GARBAGE[3]!;
    return { real: value, model: value, label: "a malformed or unknown credential" };
  }
  const count = world.credentials.length;
  let index = ref.kind === "recent" ? Math.max(0, count - 1 - ref.index) : ref.index % count;
  if (ref.kind === "ancestor") {
    const family = tryParseCredential(world.credentials[count - 1]!.real)!.sessionId;
    const members = world.credentials.flatMap((p, i) =>
      tryParseCredential(p.real)!.sessionId === family ? [i] : []
    );
    index = members[Math.max(0, members.length - 1 - ref.index)]!;
  }
  const pair = world.credentials[index]!;
  if (ref.kind !== "forged") return { ...pair, label: `cred#${index}` };
  const realId = tryParseCredential(pair.real)!.sessionId;
  const modelId = tryParseCredential(pair.model)!.sessionId;
  return {
    real: `${realId}.${FORGED_SECRET}`,
    model: `${modelId}.${FORGED_SECRET}`,
    label: `a forged secret for the session of cred#${index}`,
  };
}

const sessionRef = fc.option(fc.nat(), { freq: 8, nil: null });

function resolveSession(world: World, ref: number | null): Pair & { label: string } {
  if (ref === null || world.sessions.length === 0) {
    return { real: UNKNOWN_ID, model: UNKNOWN_ID, label: "an unknown session" };
  }
  const index = ref % world.sessions.length;
  return { ...world.sessions[index]!, label: `s#${index}` };
}

const user = fc.constantFrom(...USERS);
const ttl = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ idleTtlMs: 20_000, absoluteTtlMs: 60_000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      { idleTtlMs: 1_000, absoluteTtlMs: 10_000 },
      { idleTtlMs: 1_000, absoluteTtlMs: 2_500 },
      { idleTtlMs: 5_000, absoluteTtlMs: 5_000 },
    ),
  },
  { weight: 2, arbitrary: fc.constant({ idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000 }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 20_000 }).chain((idle) =>
      fc.integer({ min: idle, max: idle + 50_000 }).map((abs) => ({
        idleTtlMs: idle,
        absoluteTtlMs: abs,
      }))
    ),
  },
);

function dataArb(maxDataBytes: number): fc.Arbitrary<JsonObject> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.record({ n: fc.integer(), s: fc.string({ maxLength: 12 }) }) },
    {
      weight: 2,
      arbitrary: fc.dictionary(
        fc.string({ maxLength: 6 }),
        fc.jsonValue({ maxDepth: 2 }),
      ) as fc.Arbitrary<JsonObject>,
    },
    { weight: 1, arbitrary: fc.constant({ big: "x".repeat(Math.max(0, maxDataBytes - 10)) }) },
    { weight: 1, arbitrary: fc.constant({ big: "é".repeat(Math.ceil(maxDataBytes / 2)) }) },
  );
}

// User agents and IPs shared by devices and bound request facts, so bindings match and mismatch
// often: one a prefix of another, one that JSON must escape.
const AGENTS = ["Firefox/140", "curl/8", "curl/80", 'Bot "q" \\ ü'] as const;
const IPS = ["192.0.2.1", "2001:db8::1"] as const;
const device: fc.Arbitrary<DeviceInfo> = fc.record(
  {
    userAgent: fc.constantFrom(...AGENTS),
    ip: fc.constantFrom(...IPS),
    label: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: [] },
);
const kindArb = fc.option(fc.constantFrom<SessionKind>("cookie", "refresh"), {
  freq: 2,
  nil: undefined,
});
/** Request facts for validate/rotate: absent, bound to a value, or bound to "the request had none". */
const bindArb: fc.Arbitrary<BindFacts | undefined> = fc.option(
  fc.record(
    {
      userAgent: fc.constantFrom<string | null>(...AGENTS, null),
      ip: fc.constantFrom<string | null>(...IPS, null),
    },
    { requiredKeys: [] },
  ),
  { freq: 2, nil: undefined },
);
const limitArb = fc.option(fc.integer({ min: 1, max: 3 }), { freq: 2, nil: undefined });
const onLimit = fc.constantFrom<LimitPolicy>("evict-oldest", "reject");

/** `T` with every property that may be `undefined` made optional instead. */
type Clean<T> =
  & { [K in keyof T as undefined extends T[K] ? never : K]: T[K] }
  & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

function omitUndefined<T extends object>(value: T): Clean<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Clean<T>;
}

/** Checks everything observable: every known session, every user's list, and the dump. */
export async function inspect(world: World, real: Real): Promise<void> {
  for (const pair of [...world.sessions]) {
    await world.both({ op: "get", sessionId: pair.model }, (s) => s.get(pair.real), real.store);
  }
  for (const userId of USERS) {
    await world.both({ op: "list", userId }, (s) => s.list(userId), real.store);
  }
  if (real.dump === undefined) return;
  const dump = await real.dump();
  for (const [i, pair] of world.credentials.entries()) {
    const secret = tryParseCredential(pair.real)?.secret;
    if (secret !== undefined && dump.includes(secret)) {
      throw new Divergence(`The store holds the secret of cred#${i} in clear (invariant 4)`);
    }
  }
}

/** Every command of a model-based run. */
export function commandArbitraries(
  maxDataBytes: number,
  tokenRevocation: boolean,
): fc.Arbitrary<fc.AsyncCommand<World, Real>>[] {
  const data = dataArb(maxDataBytes);
  const bad = badCases(maxDataBytes).filter((c) => tokenRevocation || !/revoke/.test(c.name));
  const cmd = <T>(arb: fc.Arbitrary<T>, label: (a: T) => string, exec: (a: T) => Exec) =>
    arb.map((a) => new Command(label(a), exec(a)));

  const all = [
    cmd(
      fc.record({
        userId: fc.option(user, { freq: 4, nil: null }),
        kind: kindArb,
        data,
        device,
        ttl,
        limit: limitArb,
        onLimit,
      }),
      (a) => `create(${a.userId})`,
      (a) => async (w, r, say) => {
        const options = omitUndefined({
          userId: a.userId,
          kind: a.kind,
          data: a.data,
          device: a.device,
          ...a.ttl,
          limit: a.limit,
          onLimit: a.onLimit,
        });
        say(`create(${JSON.stringify({ ...options, data: "…" })})`);
        await w.both({ op: "create", options }, (s) => s.create(options), r.store);
      },
    ),
    cmd(
      fc.record({
        ref: credRef,
        threshold: fc.option(fc.constantFrom(0.25, 0.5, 1), { nil: undefined }),
        kind: kindArb,
        bind: bindArb,
      }),
      () => "validate",
      (a) => async (w, r, say) => {
        const c = resolveCred(w, a.ref);
        const options = omitUndefined({ slideThreshold: a.threshold, kind: a.kind, bind: a.bind });
        say(`validate(${c.label}, ${JSON.stringify(options)})`);
        await w.both(
          { op: "validate", credential: c.model, options },
          (s) => s.validate(c.real, options),
          r.store,
        );
      },
    ),
    cmd(
      fc.record({
        ref: credRef,
        graceMs: fc.constantFrom(0, 0, 500, 5_000),
        kind: kindArb,
        bind: bindArb,
      }),
      () => "rotate",
      (a) => async (w, r, say) => {
        const c = resolveCred(w, a.ref);
        const options = omitUndefined({ graceMs: a.graceMs, kind: a.kind, bind: a.bind });
        say(`rotate(${c.label}, ${JSON.stringify(options)})`);
        await w.both(
          { op: "rotate", credential: c.model, options },
          (s) => s.rotate(c.real, options),
          r.store,
        );
      },
    ),
    cmd(
      fc.record({
        ref: credRef,
        userId: user,
        kind: kindArb,
        data: fc.option(data, { nil: undefined }),
        device: fc.option(device, { nil: undefined }),
        ttl,
        limit: limitArb,
        onLimit,
      }),
      () => "attach",
      (a) => async (w, r, say) => {
        const c = resolveCred(w, a.ref);
        const options = omitUndefined({
          userId: a.userId,
          kind: a.kind,
          data: a.data,
          device: a.device,
          ...a.ttl,
          limit: a.limit,
          onLimit: a.onLimit,
        });
        say(`attach(${c.label}, ${JSON.stringify({ ...options, data: a.data && "…" })})`);
        await w.both(
          { op: "attach", credential: c.model, options },
          (s) => s.attach(c.real, options),
          r.store,
        );
      },
    ),
    cmd(
      fc.record({
        ref: sessionRef,
        data,
        expected: fc.constantFrom("current", "stale", "ahead", "none"),
      }),
      () => "update",
      (a) => async (w, r, say) => {
        const p = resolveSession(w, a.ref);
        const version = w.state.sessions.get(p.model)?.version ?? 1;
        const expectedVersion = a.expected === "current"
          ? version
          : a.expected === "stale"
          ? Math.max(1, version - 1)
          : a.expected === "ahead"
          ? version + 1
          : undefined;
        const options = omitUndefined({ expectedVersion });
        say(`update(${p.label}, …, ${JSON.stringify(options)})`);
        await w.both(
          { op: "update", sessionId: p.model, data: a.data, options },
          (s) => s.update(p.real, a.data, options),
          r.store,
        );
      },
    ),
    cmd(sessionRef, () => "get", (ref) => async (w, r, say) => {
      const p = resolveSession(w, ref);
      say(`get(${p.label})`);
      await w.both({ op: "get", sessionId: p.model }, (s) => s.get(p.real), r.store);
    }),
    cmd(sessionRef, () => "destroy", (ref) => async (w, r, say) => {
      const p = resolveSession(w, ref);
      say(`destroy(${p.label})`);
      await w.both({ op: "destroy", sessionId: p.model }, (s) => s.destroy(p.real), r.store);
    }),
    cmd(user, (u) => `list(${u})`, (userId) => async (w, r) => {
      await w.both({ op: "list", userId }, (s) => s.list(userId), r.store);
    }),
    cmd(
      fc.record({ userId: user, except: fc.option(sessionRef, { nil: undefined }) }),
      () => "destroyAll",
      (a) => async (w, r, say) => {
        const p = a.except === undefined ? undefined : resolveSession(w, a.except);
        say(`destroyAll(${a.userId}${p ? `, except ${p.label}` : ""})`);
        await w.both(
          {
            op: "destroyAll",
            userId: a.userId,
            options: omitUndefined({ exceptSessionId: p?.model }),
          },
          (s) => s.destroyAll(a.userId, omitUndefined({ exceptSessionId: p?.real })),
          r.store,
        );
      },
    ),
    cmd(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.integer({ min: 0, max: 3_000 }).map((ms) => ({ kind: "by" as const, ms })),
        },
        {
          weight: 3,
          arbitrary: fc.record({
            kind: fc.constant("edge" as const),
            ref: fc.option(fc.nat(), { nil: null, freq: 3 }),
            which: fc.constantFrom("idle", "absolute", "grace"),
            delta: fc.constantFrom(-1, 0, 0, 1),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 1, max: 48 }).map((h) => ({
            kind: "by" as const,
            ms: h * 3_600_000,
          })),
        },
      ),
      () => "advance",
      (a) => async (w, _r, say) => {
        let ms = a.kind === "by" ? a.ms : 1;
        if (a.kind === "edge" && w.credentials.length > 0) {
          // The session of the last credential issued (usually), or any session seen.
          const model = a.ref === null
            ? tryParseCredential(w.credentials.at(-1)!.model)!.sessionId
            : w.sessions[a.ref % w.sessions.length]!.model;
          const s = w.state.sessions.get(model);
          const at = s === undefined
            ? undefined
            : a.which === "idle"
            ? s.idleExpiresAt
            : a.which === "absolute"
            ? s.absoluteExpiresAt
            : s.graceUntil;
          if (at !== undefined && at + a.delta > w.clock.now()) ms = at + a.delta - w.clock.now();
        }
        say(`advance(${ms} ms)`);
        w.clock.advance(ms);
      },
    ),
    cmd(
      fc.nat({ max: bad.length - 1 }),
      (i) => `bad input: ${bad[i]!.name}`,
      (i) => async (w, r) => {
        const { model, call } = bad[i]!.op(w);
        await w.both(model, call, r.store);
      },
    ),
    cmd(fc.constant(null), () => "inspect", () => async (w, r) => {
      await inspect(w, r);
    }),
  ];
  // Access-token revocation is the one optional feature a store may declare it lacks.
  const tokens = [
    cmd(
      fc.record({
        ref: sessionRef,
        jti: fc.constantFrom("j1", "j2"),
        expiresIn: fc.integer({ min: -1_000, max: 60_000 }),
      }),
      () => "revokeToken",
      (a) => async (w, r, say) => {
        const p = resolveSession(w, a.ref);
        const expiresAt = Math.max(0, w.clock.now() + a.expiresIn);
        say(`revokeToken(${a.jti} of ${p.label}, expires in ${a.expiresIn} ms)`);
        await w.both(
          { op: "revokeToken", revocation: { jti: a.jti, sessionId: p.model, expiresAt } },
          (s) => s.revokeToken({ jti: a.jti, sessionId: p.real, expiresAt }),
          r.store,
        );
      },
    ),
    cmd(
      fc.record({
        scope: fc.oneof(sessionRef.map((ref) => ({ ref })), user.map((userId) => ({ userId }))),
        before: fc.integer({ min: -5_000, max: 5_000 }),
        keep: fc.integer({ min: 0, max: 60_000 }),
      }),
      () => "revokeTokens",
      (a) => async (w, r, say) => {
        const now = w.clock.now();
        const times = { issuedBefore: Math.max(0, now + a.before), until: now + a.keep };
        if ("userId" in a.scope) {
          const cutoff = { userId: a.scope.userId, ...times };
          say(`revokeTokens(${JSON.stringify(cutoff)})`);
          await w.both({ op: "revokeTokens", cutoff }, (s) => s.revokeTokens(cutoff), r.store);
        } else {
          const p = resolveSession(w, a.scope.ref);
          say(`revokeTokens(${p.label}, ${JSON.stringify(times)})`);
          await w.both(
            { op: "revokeTokens", cutoff: { sessionId: p.model, ...times } },
            (s) => s.revokeTokens({ sessionId: p.real, ...times }),
            r.store,
          );
        }
      },
    ),
    cmd(
      fc.record({
        ref: sessionRef,
        userId: user,
        jti: fc.constantFrom("j1", "j2", "j3"),
        age: fc.integer({ min: -1_000, max: 10_000 }),
      }),
      () => "isTokenRevoked",
      (a) => async (w, r, say) => {
        const p = resolveSession(w, a.ref);
        const issuedAt = Math.max(0, w.clock.now() - a.age);
        say(`isTokenRevoked(${a.jti} of ${p.label}/${a.userId}, issued ${a.age} ms ago)`);
        await w.both(
          {
            op: "isTokenRevoked",
            token: { jti: a.jti, sessionId: p.model, userId: a.userId, issuedAt },
          },
          (s) => s.isTokenRevoked({ jti: a.jti, sessionId: p.real, userId: a.userId, issuedAt }),
          r.store,
        );
      },
    ),
  ];
  // create, validate, rotate and advance carry the lifecycle: give them more weight.
  const [create, validate, rotate] = all;
  const advance = all.at(-3)!; // advance, bad input, inspect close the list
  if (tokenRevocation) all.push(...tokens);
  const times = (n: number, c: typeof create) => Array.from({ length: n }, () => c!);
  return [
    ...all,
    ...times(3, create),
    ...times(6, validate),
    ...times(5, rotate),
    ...times(3, advance),
  ];
}
