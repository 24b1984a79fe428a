// Private: RedisStore.validate decided in the client from a GET of the record. A validation that
// writes nothing is that GET alone: one round trip, no script, no Lua time in Redis. One whose
// only write is a due slide is the GET and the slide script (see slideFields and SLIDE in
// _redis_scripts.ts): a compare-and-set of the record's text through the current hash, so the
// slide applies only to the very record the GET read (a concurrent update, rotation, slide or
// removal makes it fail, and the validate script then decides afresh).
// "Nothing to write" covers: the session is alive and of another kind than asked for (`invalid`),
// the credential is the current one and the bound request facts contradict the session's device
// (`binding-mismatch`: no slide), or the credential is the current one and the idle expiry needs
// no slide yet (`valid`), or needs one (`slide`). Every other case — a predecessor in its grace
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
  | { readonly status: "slide"; readonly session: Session; readonly record: string }
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
  if (session.idleExpiresAt - now < slideThreshold * session.idleTtlMs) {
    return { status: "slide", session, record: stored as string };
  }
  return { status: "valid", session };
}

/** The index of the `n`-th comma of `text` (1-based), or -1. */
function nthComma(text: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n && (at = text.indexOf(",", at + 1)) >= 0; i++);
  return at;
}

/** What the slide script needs, and the session as it is after the slide. */
export interface Slide {
  /** The record's text through its current hash, as the GET read it (what must still be there). */
  readonly expected: string;
  /** The same span with lastActiveAt and idleExpiresAt slid (what replaces it). */
  readonly replacement: string;
  /** The new idle expiry, the user index's score (a session with a user only). */
  readonly idleExpiresAt: number;
  readonly session: Session;
}

/**
 * The slide of a record a GET read (see {@linkcode decodeStored} for the layout): lastActiveAt
 * becomes `now`, idleExpiresAt `min(now + idleTtl, absoluteExpiresAt)`; everything else stays.
 * The fields before the user id carry no comma up to the hash (the 11th field), so commas cut it.
 */
export function slideOf(record: string, session: Session, now: number): Slide | null {
  const afterCreated = nthComma(record, 3);
  const afterIdle = nthComma(record, 5);
  const afterHash = nthComma(record, 11);
  if (afterCreated < 0 || afterHash < 0) return null;
  const idleExpiresAt = Math.min(now + session.idleTtlMs, session.absoluteExpiresAt);
  const expected = record.slice(0, afterHash + 1);
  const replacement = `${record.slice(0, afterCreated + 1)}${now},${idleExpiresAt},${
    record.slice(afterIdle + 1, afterHash + 1)
  }`;
  return {
    expected,
    replacement,
    idleExpiresAt,
    session: { ...session, lastActiveAt: now, idleExpiresAt },
  };
}
