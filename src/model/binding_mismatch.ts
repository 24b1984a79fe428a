/**
 * The device-binding rule of the store contract, for store writers.
 *
 * @module
 */

import type { BindFacts, DeviceInfo } from "./store.ts";

/**
 * Whether a session's device metadata contradicts the bound request facts: a fact that is bound
 * (its key present in `bind`, `null` meaning the request had none) mismatches when the session's
 * device has that field and it differs. Store writers use it to refuse exactly what the model
 * refuses (`binding-mismatch`, nothing changed).
 *
 * @example
 * ```ts
 * import { bindingMismatch } from "@sessionkit/sessionkit/store";
 * const device = { userAgent: "Firefox/140" };
 * if (bindingMismatch(device, { userAgent: "Firefox/140" })) throw new Error("Same agent refused");
 * if (!bindingMismatch(device, { userAgent: null })) throw new Error("Missing agent accepted");
 * if (bindingMismatch(device, { ip: "192.0.2.1" })) throw new Error("Unknown IP refused");
 * ```
 *
 * @param device The session's device metadata.
 * @param bind The bound request facts, if any.
 * @returns `true` when the request must be refused.
 */
export function bindingMismatch(device: DeviceInfo, bind: BindFacts | undefined): boolean {
  if (bind === undefined) return false;
  for (const key of ["userAgent", "ip"] as const) {
    const want = bind[key];
    if (want !== undefined && device[key] !== undefined && device[key] !== want) return true;
  }
  return false;
}
