/**
 * Injectable time. Every piece of sessionkit that needs "now" asks a {@linkcode Clock};
 * this file is the only place in `src/` that reads the system time.
 *
 * @module
 */

import { checkSafeInteger } from "./_integers.ts";
import { rangeError } from "./errors.ts";

/**
 * A source of the current time, in whole milliseconds since the Unix epoch.
 *
 * @example
 * ```ts
 * import { systemClock } from "@sessionkit/sessionkit";
 * const now: number = systemClock.now();
 * if (!Number.isSafeInteger(now)) throw new Error("Not an epoch millisecond");
 * ```
 */
export interface Clock {
  /** Returns the current time in whole milliseconds since the Unix epoch. */
  now(): number;
}

/**
 * The system clock: `Date.now()`.
 *
 * @example
 * ```ts
 * import { systemClock } from "@sessionkit/sessionkit";
 * if (systemClock.now() < Date.UTC(2020, 0, 1)) throw new Error("Clock is off");
 * ```
 */
export const systemClock: Clock = Object.freeze({ now: (): number => Date.now() });

/**
 * A clock that only moves when told to: for tests and deterministic replays.
 *
 * @example
 * ```ts
 * import { ManualClock } from "@sessionkit/sessionkit";
 * const clock = new ManualClock(1_000);
 * clock.advance(500);
 * if (clock.now() !== 1_500) throw new Error("ManualClock did not advance");
 * ```
 */
export class ManualClock implements Clock {
  #now: number;

  /**
   * Creates a manual clock.
   *
   * @param start The initial time in epoch milliseconds (a non-negative safe integer).
   * @throws {RangeError} `invalid-argument` when `start` is not a non-negative safe integer.
   */
  constructor(start = 0) {
    ManualClock.#check(start, "Start time");
    this.#now = start;
  }

  /** Returns the current manual time. */
  now(): number {
    return this.#now;
  }

  /**
   * Moves the clock forward.
   *
   * @param ms How far to move, a non-negative safe integer.
   * @returns The new time.
   * @throws {RangeError} `invalid-argument` when `ms` is negative or not an integer.
   */
  advance(ms: number): number {
    ManualClock.#check(ms, "Advance");
    ManualClock.#check(this.#now + ms, "Resulting time");
    this.#now += ms;
    return this.#now;
  }

  /**
   * Sets the clock to an instant, which may not be in the past of the current time.
   *
   * @param ms The new time in epoch milliseconds.
   * @throws {RangeError} `invalid-argument` when `ms` is before the current time.
   */
  set(ms: number): void {
    ManualClock.#check(ms, "Time");
    if (ms < this.#now) {
      throw rangeError("invalid-argument", "ManualClock cannot move backwards");
    }
    this.#now = ms;
  }

  static #check(value: number, what: string): void {
    checkSafeInteger(value, what, 0);
  }
}
