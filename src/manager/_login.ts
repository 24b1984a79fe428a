// Logging a user in, shared by cookie sessions and token sessions: attach the user to the client's
// anonymous session (rotating its credential) or create a session, under the device limit.
// Never re-exported.

import { SessionError } from "../core/errors.ts";
import type { DeviceInfo, JsonObject, Session } from "../model/store.ts";
import type { Lifetimes, ManagerContext } from "./_context.ts";
import type { LoginOptions, LoginResult } from "./types.ts";

const limitReached = (): SessionError =>
  new SessionError("session-limit", "The user is at the concurrent-session limit");

/**
 * The data and device of login options, without undefined keys; the data checked by the data
 * schema (a coded TypeError before the store is touched).
 */
export async function extrasOf(
  ctx: ManagerContext,
  options: Omit<LoginOptions, "credential">,
): Promise<{ data?: JsonObject; device?: DeviceInfo }> {
  const data = await ctx.data.input(options.data);
  return {
    ...(data === undefined ? {} : { data }),
    ...(options.device === undefined ? {} : { device: options.device }),
  };
}

/** The data of a new session: the given data, or `{}` (which the data schema must accept). */
export async function initialData(
  ctx: ManagerContext,
  extras: { data?: JsonObject },
): Promise<JsonObject> {
  return extras.data ?? await ctx.data.input({});
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
  const extras = await extrasOf(ctx, options);
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
    data: await initialData(ctx, extras),
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
  // Checked after the evictions took effect: a corrupt record is never handed out, but the
  // evicted sessions' tokens are revoked all the same.
  return {
    session: await ctx.data.session(session),
    credential,
    evicted: await ctx.data.sessions(evicted),
  };
}
