// Private: the read-only half of RedisStore.validate, decided in the client. A validation that
// writes nothing is a plain GET of the record: one round trip, no script, no Lua time in Redis.
// "Nothing to write" covers: the session is alive and of another kind than asked for (`invalid`),
// the credential is the current one and the bound request facts contradict the session's device
// (`binding-mismatch`: no slide), or the credential is the current one and the idle expiry needs
// no slide yet (`valid`). Every other case — a slide past the threshold, a predecessor in its grace
// window, a reused (rotated away) secret, an expired record to clean up, a value we did not write —
// goes to the validate script, which decides again atomically (kind and binding included). Deciding
// from one GET is sound: the GET reads the record atomically, and the script would have answered
// the same without a write.

import { constantTimeEqual } from "../core/credential.ts";
import { bindingMismatch } from "../model/binding_mismatch.ts";
import type { BindFacts, Session, SessionKind } from "../model/store.ts";
import { decodeStored } from "./_redis_codec.ts";

/** What a GET decided: an answer, or `null` when the validate script must run. */
export type GetVerdict =
  | { readonly status: "valid"; readonly session: Session }
  | { readonly status: "invalid" }
  | { readonly status: "binding-mismatch"; readonly session: Session }
  | null;

/**
 * The answer when a GET of the record is enough to validate (no write due), else `null`: the
 * caller then runs the validate script (which also answers "invalid" for a wrong secret).
 */
export function validWithoutWrite(
  id: string,
  stored: unknown,
  hash: string,
  now: number,
  slideThreshold: number,
  kind: SessionKind | undefined,
  bind: BindFacts | undefined,
): GetVerdict {
  const decoded = decodeStored(id, stored);
  if (decoded === null) return null;
  const session = decoded.session;
  if (now >= session.idleExpiresAt) return null;
  if (kind !== undefined && session.kind !== kind) return { status: "invalid" };
  if (!constantTimeEqual(decoded.hash, hash)) return null;
  if (bindingMismatch(session.device, bind)) return { status: "binding-mismatch", session };
  if (session.idleExpiresAt - now < slideThreshold * session.idleTtlMs) return null;
  return { status: "valid", session };
}
