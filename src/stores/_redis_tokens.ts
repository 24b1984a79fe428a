// Private: RedisStore's access-token revocation: jti entries and cutoffs of a session (in the
// session's slot) or of a user (the user hash, P{u.<SHA-256(userId)>}). The scripts, including how
// cutoffs merge and when a past cutoff is forgotten, are in _redis_token_scripts.ts.

import * as check from "../model/_arguments.ts";
import type { TokenCutoff, TokenIdentity, TokenRevocation } from "../model/store.ts";
import { revocationKey, userKeys } from "./_redis_codec.ts";
import { jtiField } from "./_redis_key_text.ts";
import type { RedisCore } from "./_redis_core.ts";
import { revoked } from "./_redis_replies.ts";
import { CUTOFF_ARGS, REVOKE_TOKEN_ARGS, TOKEN_CHECK_ARGS } from "./_redis_token_scripts.ts";

/** `SessionStore.revokeToken`: one round trip. */
export async function revokeToken(core: RedisCore, revocation: TokenRevocation): Promise<void> {
  const r = check.checkRevocation(revocation);
  await core.run(
    "revokeToken",
    [revocationKey(core.prefix, r.sessionId)],
    REVOKE_TOKEN_ARGS.build({
      now: core.clock.now(),
      jtiField: jtiField(r.jti),
      expiresAt: r.expiresAt,
      margin: core.margin,
    }),
  );
}

/** `SessionStore.revokeTokens`: one round trip. */
export async function revokeTokens(core: RedisCore, cutoff: TokenCutoff): Promise<void> {
  const c = check.checkCutoff(cutoff);
  const key = c.sessionId !== undefined
    ? revocationKey(core.prefix, c.sessionId)
    : userKeys(core.prefix, c.userId!).map;
  await core.run(
    "cutoff",
    [key],
    CUTOFF_ARGS.build({
      now: core.clock.now(),
      issuedBefore: c.issuedBefore,
      cutoffUntil: c.until,
      margin: core.margin,
    }),
  );
}

/**
 * `SessionStore.isTokenRevoked`: two reads sent together (the session's slot and the user's slot),
 * so one round trip of latency.
 */
export async function isTokenRevoked(core: RedisCore, token: TokenIdentity): Promise<boolean> {
  const t = check.checkTokenIdentity(token);
  const now = core.clock.now();
  const [bySession, byUser] = await Promise.all([
    core.run(
      "tokenCheck",
      [revocationKey(core.prefix, t.sessionId)],
      TOKEN_CHECK_ARGS.build({ now, jtiField: jtiField(t.jti), issuedAt: t.issuedAt }),
    ),
    core.run(
      "tokenCheck",
      [userKeys(core.prefix, t.userId).map],
      TOKEN_CHECK_ARGS.build({ now, jtiField: "", issuedAt: t.issuedAt }),
    ),
  ]);
  return revoked(bySession) || revoked(byUser);
}
