/**
 * The reference model: the executable specification every store is judged by. A pure state
 * machine `step(state, operation, now)` and {@linkcode ReferenceStore}, a store that runs it.
 * Applications do not need this module; store authors and the conformance kit do.
 *
 * @example
 * ```ts
 * import { ManualClock } from "@sessionkit/sessionkit";
 * import { ReferenceStore } from "@sessionkit/sessionkit/model";
 * const store = new ReferenceStore({ clock: new ManualClock(0) });
 * const login = await store.create({ userId: "ada", idleTtlMs: 1_000, absoluteTtlMs: 5_000 });
 * if (login.status !== "created") throw new Error("Login failed");
 * ```
 *
 * @module
 */

export {
  initialModelState,
  type ModelConfig,
  type ModelCutoff,
  type ModelOperation,
  type ModelSession,
  type ModelState,
  type ModelStep,
  step,
  viewSession,
} from "./model.ts";
export { ReferenceStore } from "./reference_store.ts";
