// Private: the one check of "a safe integer of at least `min`" (counts, batch sizes, durations in
// ms), so every option and argument of that shape fails the same way: a RangeError with code
// `invalid-argument` whose message names the argument (never its value).

import { rangeError } from "./errors.ts";

/**
 * `value` when it is a safe integer `>= min`; otherwise throws.
 *
 * @param value What the caller passed.
 * @param what The argument's name, for the message.
 * @param min The smallest accepted value (1 for a positive integer, 0 for a duration or instant).
 * @returns `value`, typed as a number.
 * @throws {RangeError} `invalid-argument`.
 */
export function checkSafeInteger(value: unknown, what: string, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw rangeError("invalid-argument", `${what} must be a safe integer >= ${min}`);
  }
  return value;
}
