// Private: aliasing. A caller keeps every object it passed to a store (data, device, options) and
// every object it got back (sessions, lists, results), and changes them after the call and
// between calls; the store's later answers must not change. The kit plays that caller: the store
// gets copies of the arguments (the model keeps the originals, so a store that edits what it was
// given cannot change what the model is asked), the copies must come back unchanged from the call
// and are then scribbled over; each answer is judged as a copy taken when it arrived, then every
// other answer is scribbled over and the rest are held and must still equal their copy later.

import type { SessionStore } from "../model/store.ts";
import { firstDifference } from "./_equal.ts";

/** How many answers are held (the latest ones) and re-checked at each inspection. */
const HELD = 8;

/** A deep copy of plain objects and arrays; anything else (class instances, cycles) as it is. */
export function copyPlain<T>(value: T, seen: Set<object> = new Set()): T {
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) throw new Cycle();
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => copyPlain(item, seen)) as T;
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const key of Object.keys(value)) {
      out[key] = copyPlain((value as Record<string, unknown>)[key], seen);
    }
    return out as T;
  } finally {
    seen.delete(value);
  }
}

class Cycle extends Error {}

/** A copy, or the value itself when it cannot be copied (a cyclic bad input). */
function tryCopy<T>(value: T): T {
  try {
    return copyPlain(value);
  } catch (error) {
    if (error instanceof Cycle) return value;
    throw error;
  }
}

/** What a caller does with an object it still holds: changes every field and adds one. */
export function scribble(value: unknown, seen: Set<object> = new Set()): void {
  if (typeof value !== "object" || value === null || seen.has(value) || Object.isFrozen(value)) {
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) scribble(item, seen);
    value.push("scribbled");
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === "object" && v !== null) scribble(v, seen);
    else if (typeof v === "string") record[key] = `${v}~`;
    else if (typeof v === "number") record[key] = v + 7;
    else if (typeof v === "boolean") record[key] = !v;
    else if (v === null) record[key] = "scribbled";
  }
  record.scribbled = true;
}

/** One call's arguments: the copy the store got, and the caller's originals (never changed). */
interface Given {
  readonly op: string;
  readonly given: readonly unknown[];
  readonly original: readonly unknown[];
}

/** The kit's side of aliasing for one run. */
export class Aliasing {
  #given: Given[] = [];
  #held: { op: string; answer: unknown; copy: unknown }[] = [];
  #arrived: { op: string; answer: unknown; copy: unknown }[] = [];
  #answers = 0;

  /** The store as a caller sees it: every method gets copies of its arguments. */
  wrap(store: SessionStore): SessionStore {
    return new Proxy(store, {
      get: (target, prop) => {
        const member = Reflect.get(target, prop, target) as unknown;
        if (typeof member !== "function") return member;
        return (...args: unknown[]) => {
          const given = args.map(tryCopy);
          this.#given.push({ op: String(prop), given, original: args });
          return (member as (...a: unknown[]) => unknown).apply(target, given);
        };
      },
    });
  }

  /** An answer as it arrived: the copy to judge (the answer itself is dealt with by `settle`). */
  arrived(op: string, answer: unknown): unknown {
    const copy = tryCopy(answer);
    // The copy is judged, never changed: it is also what the held answer must still equal.
    if (copy !== answer) this.#arrived.push({ op, answer, copy });
    return copy;
  }

  /**
   * After calls settled: the store must not have changed what it was given; then the caller
   * scribbles over its arguments and over every other answer, and holds the rest. Returns the
   * first complaint, or null.
   */
  settle(): string | null {
    const given = this.#given;
    const arrived = this.#arrived;
    this.#given = [];
    this.#arrived = [];
    for (const g of given) {
      const difference = firstDifference(g.given, g.original, "arguments");
      if (difference !== null) {
        return `${g.op}: the store changed an object the caller passed in (${difference})`;
      }
    }
    for (const g of given) for (const value of g.given) scribble(value);
    for (const a of arrived) {
      if (this.#answers++ % 2 === 0) scribble(a.answer);
      else {
        this.#held.push(a);
        if (this.#held.length > HELD) this.#held.shift();
      }
    }
    return null;
  }

  /** The held answers must still be what they were. Returns the first complaint, or null. */
  checkHeld(): string | null {
    for (const h of this.#held) {
      const difference = firstDifference(h.answer, h.copy, "answer");
      if (difference !== null) {
        return `${h.op}: an answer the store returned earlier changed afterwards (${difference})`;
      }
    }
    return null;
  }
}
