// Delivers lifecycle events to the application's listener. The log-safe session reference (an
// HMAC of the id) is computed only when someone listens. Never re-exported.

import type { Clock } from "../core/clock.ts";
import { type SessionEventListener, type SessionEventType, sessionRef } from "./events.ts";

/** Sends {@linkcode SessionEvent}s to one optional listener; a throwing listener is ignored. */
export class Emitter {
  readonly #listener: SessionEventListener | undefined;
  readonly #logKey: Uint8Array;
  readonly #clock: Clock;

  constructor(listener: SessionEventListener | undefined, logKey: Uint8Array, clock: Clock) {
    this.#listener = listener;
    this.#logKey = logKey;
    this.#clock = clock;
  }

  /** Whether anyone listens (callers skip work an event would need). */
  get active(): boolean {
    return this.#listener !== undefined;
  }

  /** Emits an event about a session (`id: null` for one the manager does not know). */
  emit(
    type: SessionEventType,
    session: { readonly id: string | null; readonly userId: string | null },
    reason?: string,
  ): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    try {
      listener({
        type,
        sessionRef: session.id === null ? "" : sessionRef(this.#logKey, session.id),
        userId: session.userId,
        at: this.#clock.now(),
        ...(reason === undefined ? {} : { reason }),
      });
    } catch {
      // A listener must not break the request.
    }
  }
}
