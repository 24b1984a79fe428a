// Private: the types a World shares with the checks it runs (so that a check World calls, such as
// the inertness probe, needs no import of World itself).

import type { ManualClock } from "../core/clock.ts";
import type { ModelOperation, ModelState } from "../model/model.ts";
import type { SessionStore } from "../model/store.ts";

/** A pair of values that mean the same thing to the store and to the model. */
export interface Pair {
  readonly real: string;
  readonly model: string;
}

/** What a store call gave: a value or an error. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What the inertness probe reads of a World and calls on it. */
export interface WorldView {
  readonly state: ModelState;
  readonly clock: ManualClock;
  readonly sessions: readonly Pair[];
  readonly users: readonly string[];
  readonly jtis: readonly string[];
  note(text: string): void;
  realOf(modelId: string): string;
  both(
    operation: ModelOperation,
    call: (store: SessionStore) => Promise<unknown>,
    store: SessionStore,
  ): Promise<unknown>;
}
