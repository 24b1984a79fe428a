// Private: the building blocks of the kit's commands — the Command class, references to issued
// credentials, sessions and instants (resolved against the run's world), and shared arbitraries.

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
import { type Pair, UNKNOWN_ID, type World } from "./_world.ts";

/** The store side of a run. */
export interface Real {
  readonly store: SessionStore;
  readonly dump?: (() => Promise<string> | string) | undefined;
}

export const USERS = ["u1", "u2", "u3"] as const;
/** A canonical secret nobody was issued: used to forge credentials for known sessions. */
export const FORGED_SECRET: string = "Forged" + "A".repeat(37);

/** Runs a command; `say` records the resolved call (what the failure report prints). */
export type Exec = (world: World, real: Real, say: (text: string) => void) => Promise<void>;

/** One model-based command. Its label is the resolved call of its latest execution. */
export class Command implements fc.AsyncCommand<World, Real> {
  #text: string;
  constructor(label: string, private readonly exec: Exec) {
    this.#text = label;
  }
  check(): boolean {
    return true;
  }
  async run(world: World, real: Real): Promise<void> {
    let said = false;
    await this.exec(world, real, (text) => {
      said = true;
      this.#text = text;
      world.note(text);
    });
    if (!said) world.note(this.#text);
  }
  toString(): string {
    return this.#text;
  }
}

/** A command generator: arguments, a static label, and what to run. */
export const cmd = <T>(
  arb: fc.Arbitrary<T>,
  label: (a: T) => string,
  exec: (a: T) => Exec,
): fc.Arbitrary<Command> => arb.map((a) => new Command(label(a), exec(a)));

export type CredRef =
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

export const credRef: fc.Arbitrary<CredRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((index) => ({ kind: "issued" as const, index })) },
  // One of the last three credentials issued: makes chains of rotations and reuse likely.
  { weight: 6, arbitrary: fc.nat({ max: 2 }).map((index) => ({ kind: "recent" as const, index })) },
  // An earlier credential of the session of the last credential issued: rotated away (deep
  // chains reach past the retired secrets a store keeps), or not.
  {
    weight: 5,
    arbitrary: fc.integer({ min: 1, max: 12 }).map((index) => ({
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

/** The credentials issued to one session, oldest first (indexes into `world.credentials`). */
export function family(world: World, sessionId: string): number[] {
  return world.credentials.flatMap((p, i) =>
    tryParseCredential(p.real)!.sessionId === sessionId ? [i] : []
  );
}

export function resolveCred(world: World, ref: CredRef): Pair & { label: string } {
  if (ref.kind === "garbage" || world.credentials.length === 0) {
    const value = ref.kind === "garbage" ? ref.value : GARBAGE[3]!;
    const label = value.length > 40 ? `"${value.slice(0, 20)}…" (${value.length} chars)` : value;
    return {
      real: value,
      model: value,
      label: `malformed/unknown credential ${JSON.stringify(label)}`,
    };
  }
  const count = world.credentials.length;
  let index = ref.kind === "recent" ? Math.max(0, count - 1 - ref.index) : ref.index % count;
  if (ref.kind === "ancestor") {
    const members = family(
      world,
      tryParseCredential(world.credentials[count - 1]!.real)!.sessionId,
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

export const sessionRef: fc.Arbitrary<number | null> = fc.option(fc.nat(), { freq: 8, nil: null });

export function resolveSession(world: World, ref: number | null): Pair & { label: string } {
  if (ref === null || world.sessions.length === 0) {
    return { real: UNKNOWN_ID, model: UNKNOWN_ID, label: "an unknown session" };
  }
  const index = ref % world.sessions.length;
  return { ...world.sessions[index]!, label: `s#${index}` };
}

/** An instant: relative to now, or exactly on (±1 ms) an instant the model compares against. */
export type InstantRef =
  | { kind: "now"; offset: number }
  | { kind: "known"; index: number; delta: -1 | 0 | 1 };

export const instantRef = (offsets: fc.Arbitrary<number>): fc.Arbitrary<InstantRef> =>
  fc.oneof(
    { weight: 1, arbitrary: offsets.map((offset) => ({ kind: "now" as const, offset })) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("known" as const),
        index: fc.nat(),
        delta: fc.constantFrom(-1 as const, 0 as const, 1 as const),
      }),
    },
  );

/** Resolves an instant reference (never negative), and says how it was chosen. */
export function resolveInstant(world: World, ref: InstantRef): { at: number; label: string } {
  const now = world.clock.now();
  const known = world.instants();
  if (ref.kind === "now" || known.length === 0) {
    const offset = ref.kind === "now" ? ref.offset : ref.delta;
    const at = Math.max(0, now + offset);
    return { at, label: `now${at - now >= 0 ? "+" : ""}${at - now}` };
  }
  const base = known[ref.index % known.length]!;
  const at = Math.max(0, base + ref.delta);
  return { at, label: `now${at - now >= 0 ? "+" : ""}${at - now}` };
}

/** One of the run's users (`world.users`, an adversarial family), by index. */
export type UserRef = number;
export const user: fc.Arbitrary<UserRef> = fc.nat({ max: USERS.length - 1 });
/** The user id a reference names in this run. */
export const userOf = (w: World, ref: UserRef): string => w.users[ref % w.users.length]!;

/** One of the run's token ids (`world.jtis`), by index. */
export const jtiRef: fc.Arbitrary<number> = fc.nat({ max: 2 });
export const jtiOf = (w: World, ref: number): string => w.jtis[ref % w.jtis.length]!;

export const ttl: fc.Arbitrary<{ idleTtlMs: number; absoluteTtlMs: number }> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ idleTtlMs: 20_000, absoluteTtlMs: 60_000 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      { idleTtlMs: 1_000, absoluteTtlMs: 10_000 },
      { idleTtlMs: 1_000, absoluteTtlMs: 2_500 },
      { idleTtlMs: 5_000, absoluteTtlMs: 5_000 },
      { idleTtlMs: 1, absoluteTtlMs: 2 },
    ),
  },
  { weight: 1, arbitrary: fc.constant({ idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000 }) },
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

export function dataArb(maxDataBytes: number): fc.Arbitrary<JsonObject> {
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
export const device: fc.Arbitrary<DeviceInfo> = fc.record(
  {
    userAgent: fc.constantFrom(...AGENTS),
    ip: fc.constantFrom(...IPS),
    label: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: [] },
);
/** The kind a session is created as, or an operation asks for: absent, cookie or refresh. */
export const kindArb: fc.Arbitrary<SessionKind | undefined> = fc.option(
  fc.constantFrom<SessionKind>("cookie", "refresh"),
  { freq: 2, nil: undefined },
);
/** Request facts for validate/rotate: absent, bound to a value, or bound to "the request had none". */
export const bindArb: fc.Arbitrary<BindFacts | undefined> = fc.option(
  fc.record(
    {
      userAgent: fc.constantFrom<string | null>(...AGENTS, null),
      ip: fc.constantFrom<string | null>(...IPS, null),
    },
    { requiredKeys: [] },
  ),
  { freq: 2, nil: undefined },
);
export const limitArb: fc.Arbitrary<number | undefined> = fc.option(
  fc.constantFrom(1, 2, 3, 5), // 5: a limit well above the sessions a user has
  { freq: 3, nil: undefined },
);
export const onLimit: fc.Arbitrary<LimitPolicy> = fc.constantFrom<LimitPolicy>(
  "evict-oldest",
  "reject",
);

/** `T` with every property that may be `undefined` made optional instead. */
export type Clean<T> =
  & { [K in keyof T as undefined extends T[K] ? never : K]: T[K] }
  & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

export function omitUndefined<T extends object>(value: T): Clean<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Clean<T>;
}

/** Data for a report: JSON, trimmed. */
export function showData(data: unknown): string {
  const text = JSON.stringify(data) ?? "undefined";
  return text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
}

/** Moves the world's clock forward to `at` (never back), noting why. */
export function moveTo(w: World, at: number, why: string): void {
  const ms = Math.max(0, at - w.clock.now());
  w.note(`advance(${ms} ms${why})`);
  w.clock.advance(ms);
}
