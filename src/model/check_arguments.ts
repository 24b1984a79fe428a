/**
 * The argument checks of the store contract, for store writers: a custom store that calls
 * {@linkcode checkArguments} first refuses exactly what the model refuses, with the same error
 * class and code, in the same order.
 *
 * @module
 */

import { initialModelState, type ModelConfig, type ModelOperation, step } from "./model.ts";

/**
 * Throws the coded `TypeError`/`RangeError` the model throws for an operation's arguments, or
 * returns when they are acceptable. It runs the model's own checks (on an empty state), so when
 * several arguments are bad the one reported is the one the model reports (the order is listed
 * in the store contract's module documentation).
 *
 * @example
 * ```ts
 * import { checkArguments } from "@sessionkit/sessionkit/store";
 * checkArguments({ op: "get", sessionId: "abc" });
 * let code: unknown;
 * try {
 *   checkArguments({ op: "rotate", credential: "x.y", options: { graceMs: -1 } });
 * } catch (error) {
 *   code = (error as { code?: unknown }).code;
 * }
 * if (code !== "invalid-argument") throw new Error("Expected a coded RangeError");
 * ```
 *
 * @param operation The operation as the model sees it (`{ op: "create", options }`, …).
 * @param config The store's settings shared with the model (`maxDataBytes`).
 * @throws {TypeError} `invalid-argument` for an argument of the wrong type or shape.
 * @throws {RangeError} `invalid-argument` or `data-too-large` for a value out of range.
 */
export function checkArguments(operation: ModelOperation, config: ModelConfig = {}): void {
  step(initialModelState(), operation, 0, config);
}
