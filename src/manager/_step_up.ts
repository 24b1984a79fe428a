// Step-up re-authentication ("sudo mode"): a session records when its user last proved who they
// are (`Session.authenticatedAt`); a sensitive action asks for a recent proof. Never re-exported;
// SessionManager documents each act.

import { checkSafeInteger } from "../core/_integers.ts";
import { SessionError } from "../core/errors.ts";
import type { Session } from "../model/store.ts";
import { invalid, type ManagerContext } from "./_context.ts";
import type { RegenerateResult } from "./types.ts";

/** The step-up acts of a SessionManager. */
export class StepUp {
  readonly #ctx: ManagerContext;

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx;
  }

  /**
   * Records a fresh proof of identity: rotates the cookie session's credential (a privilege
   * change, so a fixated or leaked old credential dies after the grace window) and moves
   * `authenticatedAt` to now, in one store call.
   */
  async reauthenticate(credential: string, graceMs: number | undefined): Promise<RegenerateResult> {
    const ctx = this.#ctx;
    const result = await ctx.store.rotate(credential, {
      graceMs: graceMs ?? ctx.options.session?.graceMs ?? 5_000,
      kind: "cookie",
      reauthenticate: true,
    });
    if (result.status === "invalid") throw invalid();
    if (result.status === "reused") throw ctx.reused(result);
    if (result.status === "binding-mismatch") throw await ctx.bindingMismatch(result);
    if (result.status === "grace") {
      // The credential was already rotated by a racing request: the proof is not recorded.
      throw required("A newer credential exists: re-authenticate with it");
    }
    if (result.session.userId === null) {
      throw required("An anonymous session has no user to re-authenticate");
    }
    ctx.events.emit("rotated", result.session);
    return { session: result.session, credential: result.credential };
  }

  /** Throws `reauthentication-required` unless the user proved who they are within `maxAgeMs`. */
  require(session: Pick<Session, "authenticatedAt">, maxAgeMs: number): void {
    checkSafeInteger(maxAgeMs, "maxAgeMs", 1);
    const at = session.authenticatedAt;
    if (at === null || this.#ctx.clock.now() - at >= maxAgeMs) {
      throw required("This action needs a recent re-authentication");
    }
  }
}

const required = (message: string): SessionError =>
  new SessionError("reauthentication-required", message);
