// Private: the read-only half of RedisStore.validate, decided in the client. A validation that
// writes nothing (the credential is the current one, the session is alive, the idle expiry needs no
// slide yet) is a plain GET of the record: one round trip, no script, no Lua time in Redis. Every
// other case — a slide past the threshold, a predecessor in its grace window, a reused (rotated
// away) secret, an expired record to clean up, a value we did not write — goes to the validate
// script, which decides again atomically. Deciding "nothing to write" from one GET is sound: the
// GET reads the record atomically, and the script would have answered the same without a write.
//
// Seams for later fields of the record (a session kind, binding facts): check them here, where the
// record is already decoded, and send a mismatch to the script path or answer "invalid".

import { constantTimeEqual } from "../core/credential.ts";
import type { Session } from "../model/store.ts";
import { decodeStored } from "./_redis_codec.ts";

/**
 * The session when a GET of its record is enough to validate it (no write due), else `null`: the
 * caller then runs the validate script (which also answers "invalid" for a wrong secret).
 */
export function validWithoutWrite(
  id: string,
  stored: unknown,
  hash: string,
  now: number,
  slideThreshold: number,
): Session | null {
  const decoded = decodeStored(id, stored);
  if (decoded === null) return null;
  const session = decoded.session;
  if (now >= session.idleExpiresAt) return null;
  if (!constantTimeEqual(decoded.hash, hash)) return null;
  if (session.idleExpiresAt - now < slideThreshold * session.idleTtlMs) return null;
  return session;
}
