// Logging a user in, shared by cookie sessions and token sessions: attach the user to the client's
// anonymous session (rotating its credential) or create a session, under the device limit.
// Never re-exported.

import { SessionError } from "../core/errors.ts";
import type { DeviceInfo, JsonObject, Session } from "../model/store.ts";
import type { Lifetimes, ManagerContext } from "./_context.ts";
import type { LoginOptions, LoginResult } from "./types.ts";

const limitReached = (): SessionError =>
  new SessionError("session-limit", "The user is at the concurrent-session limit");

/** The data and device of login options, without undefined keys. */
export function extrasOf(
  options: Omit<LoginOptions, "credential">,
): { data?: JsonObject; device?: DeviceInfo } {
  return {
    ...(options.data === undefined ? {} : { data: options.data }),
    ...(options.device === undefined ? {} : { device: options.device }),
  };
}

/**
 * Logs `userId` in with sessions of the given lifetimes. `logout` ends a client's previous
 * session when it belongs to someone already logged in.
 */
export async function logIn(
  ctx: ManagerContext,
  userId: string,
  options: LoginOptions,
  lifetimes: Lifetimes,
  logout: (credential: string) => Promise<boolean>,
): Promise<LoginResult> {
  const extras = extrasOf(options);
  const previous = options.credential;
  if (typeof previous === "string") {
    const attached = await ctx.store.attach(previous, { ...lifetimes, ...extras, userId });
    if (attached.status === "attached") {
      ctx.events.emit("rotated", { id: attached.replacedSessionId, userId: null });
      return await logged(ctx, attached.session, attached.credential, attached.evicted);
    }
    if (attached.status === "limit-reached") throw limitReached();
    // A replayed credential revoked its family (reported through events); the user has just
    // proved who they are, so the login goes on with a fresh session.
    if (attached.status === "reused") ctx.reportReuse(attached);
    if (attached.status === "not-anonymous") await logout(previous);
  }
  const created = await ctx.store.create({
    ...lifetimes,
    userId,
    ...extras,
    data: extras.data ?? {},
  });
  if (created.status === "limit-reached") throw limitReached();
  return await logged(ctx, created.session, created.credential, created.evicted);
}

async function logged(
  ctx: ManagerContext,
  session: Session,
  credential: string,
  evicted: readonly Session[],
): Promise<LoginResult> {
  ctx.events.emit("created", session);
  for (const s of evicted) {
    await ctx.revokeTokensOf(s.id);
    ctx.events.emit("evicted", s);
  }
  return { session, credential, evicted };
}
