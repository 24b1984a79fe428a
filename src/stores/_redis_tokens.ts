// Private: RedisStore's access-token revocation: jti entries and cutoffs of a session (in the
// session's slot) or of a user (the user hash, P{u.<SHA-256(userId)>}). The scripts, including how
// cutoffs merge and when a past cutoff is forgotten, are in _redis_token_scripts.ts.

import * as check from "../model/_arguments.ts";
import type { TokenCutoff, TokenIdentity, TokenRevocation } from "../model/store.ts";
import { revocationKey, userKeys } from "./_redis_codec.ts";
import { jtiField } from "./_redis_key_text.ts";
import { decimal, type RedisCore } from "./_redis_core.ts";

/** `SessionStore.revokeToken`: one round trip. */
export async function revokeToken(core: RedisCore, revocation: TokenRevocation): Promise<void> {
  const r = check.checkRevocation(revocation);
  await core.run("revokeToken", [revocationKey(core.prefix, r.sessionId)], [
    decimal(core.clock.now()),
    jtiField(r.jti),
    decimal(r.expiresAt),
    decimal(core.margin),
  ]);
}

/** `SessionStore.revokeTokens`: one round trip. */
export async function revokeTokens(core: RedisCore, cutoff: TokenCutoff): Promise<void> {
  const c = check.checkCutoff(cutoff);
  const key = c.sessionId !== undefined
    ? revocationKey(core.prefix, c.sessionId)
    : userKeys(core.prefix, c.userId!).map;
  await core.run("cutoff", [key], [
    decimal(core.clock.now()),
    decimal(c.issuedBefore),
    decimal(c.until),
    decimal(core.margin),
  ]);
}

/**
 * `SessionStore.isTokenRevoked`: two reads sent together (the session's slot and the user's slot),
 * so one round trip of latency.
 */
export async function isTokenRevoked(core: RedisCore, token: TokenIdentity): Promise<boolean> {
  const t = check.checkTokenIdentity(token);
  const now = decimal(core.clock.now());
  const [bySession, byUser] = await Promise.all([
    core.run("tokenCheck", [revocationKey(core.prefix, t.sessionId)], [
      now,
      jtiField(t.jti),
      decimal(t.issuedAt),
    ]),
    core.run("tokenCheck", [userKeys(core.prefix, t.userId).map], [now, "", decimal(t.issuedAt)]),
  ]);
  return bySession[1] === 1 || byUser[1] === 1;
}
