// Devices and revocation: the "your devices" page — list a user's sessions, revoke one, sign out
// everywhere (else). Never re-exported; SessionManager documents each act.

import { isSessionId } from "../core/credential.ts";
import type { ManagerContext } from "./_context.ts";
import type { SessionInfo } from "./types.ts";

/** The device-management acts of a SessionManager. */
export class Devices {
  readonly #ctx: ManagerContext;

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx;
  }

  async listSessions(userId: string, currentSessionId: string | undefined): Promise<SessionInfo[]> {
    const sessions = await this.#ctx.store.list(userId);
    return sessions.map((s) => ({
      id: s.id,
      device: s.device,
      createdAt: s.createdAt,
      lastActiveAt: s.lastActiveAt,
      idleExpiresAt: s.idleExpiresAt,
      absoluteExpiresAt: s.absoluteExpiresAt,
      current: s.id === currentSessionId,
    }));
  }

  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    // Ids come from user input (a URL): one that cannot be a session id names no session.
    if (!isSessionId(sessionId)) return false;
    const session = await this.#ctx.store.get(sessionId);
    if (session === null || session.userId !== userId) return false;
    return await this.#ctx.end(sessionId, userId, "admin");
  }

  async revokeAllSessions(userId: string, exceptSessionId: string | undefined): Promise<number> {
    const ctx = this.#ctx;
    const ended = await ctx.store.destroyAll(
      userId,
      exceptSessionId === undefined ? {} : { exceptSessionId },
    );
    const reason = exceptSessionId === undefined ? "admin" : "sign-out-others";
    for (const s of ended) {
      await ctx.revokeTokensOf(s.id);
      ctx.events.emit("revoked", s, reason);
    }
    return ended.length;
  }
}
