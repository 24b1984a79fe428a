// Why a session ended, for the message on the login page. The manager answers every dead
// credential the same way (`session-invalid`); its lifecycle events say what ended a session, keyed
// by a keyed hash of the session id (never the id itself). The example remembers the most recent
// endings in memory; a credential that no event ended simply expired.

import { tryParseCredential } from "../src/core/credential.ts";
import { type SessionEvent, sessionRef } from "../src/manager/events.ts";

/** Why a session the client still presents no longer works. */
export type EndReason = "expired" | "revoked" | "evicted" | "reused";

/** What the login page says for each reason. */
export const END_MESSAGES: Readonly<Record<EndReason, string>> = {
  expired: "Your session expired. Please log in again.",
  revoked: "This device was signed out from another device. Please log in again.",
  evicted: "You were signed out because your account logged in on too many devices.",
  reused: "Your session was ended to protect your account: an old sign-in credential was used " +
    "again. Please log in again.",
};

const KEPT = 10_000;

/** Remembers why sessions ended, from the manager's events. */
export class EndedSessions {
  /** The key of the manager's event hashes (pass it as the manager's `logKey`). */
  readonly logKey: Uint8Array = crypto.getRandomValues(new Uint8Array(32));
  readonly #reasons = new Map<string, EndReason>();

  /** The manager's `onEvent`. */
  readonly listener = (event: SessionEvent): void => {
    const reason: EndReason | null = event.type === "evicted"
      ? "evicted"
      : event.type === "revoked" && event.reason === "reuse"
      ? "reused"
      : event.type === "revoked" && event.reason !== "logout"
      ? "revoked"
      : null;
    if (reason === null || event.sessionRef === "") return;
    this.#reasons.delete(event.sessionRef);
    this.#reasons.set(event.sessionRef, reason);
    if (this.#reasons.size > KEPT) this.#reasons.delete(this.#reasons.keys().next().value!);
  };

  /** Why the session of a credential that no longer validates ended. */
  why(credential: string): EndReason {
    const parsed = tryParseCredential(credential);
    if (parsed === null) return "expired";
    return this.#reasons.get(sessionRef(this.logKey, parsed.sessionId)) ?? "expired";
  }
}
