/**
 * Lifecycle events of a {@linkcode SessionManager}: what happened to which session, carrying
 * only log-safe identifiers — a keyed hash of the session id, never a credential or token.
 *
 * @module
 */

import { encodeBase64url } from "../core/_base64url.ts";
import { hmacSha256 } from "../core/_hmac.ts";

/** The kinds of lifecycle event. */
export type SessionEventType =
  | "created"
  | "validated-slid"
  | "rotated"
  | "reuse-detected"
  | "evicted"
  | "expired"
  | "revoked"
  | "binding-mismatch";

/** One lifecycle event. */
export interface SessionEvent {
  /** What happened. */
  readonly type: SessionEventType;
  /**
   * A keyed hash of the session id (16 base64url characters): stable, log-safe, not reversible.
   * Empty for an `expired` access token, whose session the manager does not learn.
   */
  readonly sessionRef: string;
  /** The user, when known. */
  readonly userId: string | null;
  /** When (epoch ms, from the manager's clock). */
  readonly at: number;
  /** Why, for `revoked` ("logout", "admin", "reuse", "binding", "sign-out-others") and `expired`. */
  readonly reason?: string;
}

/** Receives lifecycle events. Must not throw; errors it throws are swallowed. */
export type SessionEventListener = (event: SessionEvent) => void;

const encoder = new TextEncoder();

/**
 * Computes the log-safe reference of a session id: HMAC-SHA256 under `key`, truncated to 96 bits.
 *
 * @example
 * ```ts
 * import { sessionRef } from "@sessionkit/sessionkit";
 * const key = new Uint8Array(32).fill(7);
 * if (sessionRef(key, "abc") !== sessionRef(key, "abc")) throw new Error("Not stable");
 * if (sessionRef(key, "abc").includes("abc")) throw new Error("Leaks the id");
 * ```
 *
 * @param key The manager's log key (at least 16 bytes).
 * @param sessionId The session id.
 * @returns 16 base64url characters.
 */
export function sessionRef(key: Uint8Array, sessionId: string): string {
  return encodeBase64url(hmacSha256(key, encoder.encode(sessionId)).subarray(0, 12));
}
