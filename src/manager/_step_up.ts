// Step-up re-authentication ("sudo mode"): a session records when its user last proved who they
// are (`Session.authenticatedAt`, recorded by CookieSessions.regenerate with `reauthenticate`); a
// sensitive action asks for a recent proof. Never re-exported; SessionManager documents each act.

import { checkSafeInteger } from "../core/_integers.ts";
import { SessionError } from "../core/errors.ts";
import type { Session } from "../model/store.ts";
import type { ManagerContext } from "./_context.ts";

/**
 * Throws `reauthentication-required` unless the user proved who they are within `maxAgeMs` on
 * the manager's clock.
 */
export function requireRecentProof(
  ctx: ManagerContext,
  session: Pick<Session, "authenticatedAt">,
  maxAgeMs: number,
): void {
  checkSafeInteger(maxAgeMs, "maxAgeMs", 1);
  const at = session.authenticatedAt;
  if (at === null || ctx.clock.now() - at >= maxAgeMs) {
    throw reauthenticationRequired("This action needs a recent re-authentication");
  }
}

/** The step-up refusal (the session stays valid: ask for the password again). */
export const reauthenticationRequired = (message: string): SessionError =>
  new SessionError("reauthentication-required", message);
