// Private: what the Hono adapter's files share — the environment types and the per-request
// RequestSession, found by the request's context.

import type { Context } from "hono";
import type { JsonObject, Session } from "../model/store.ts";
import type { RequestSession } from "./_request_session.ts";

/** The context variables the middleware sets; `Data` types `session.data`. */
export interface SessionVariables<Data extends JsonObject = JsonObject> {
  /** The validated session of the request, or `null` (none, invalid, expired, logged out). */
  session: Session<Data> | null;
}

/**
 * The Hono environment of an app using the middleware: `new Hono<SessionEnv>()`, or
 * `new Hono<SessionEnv<MyData>>()` with a `SessionManager<MyData>` for typed session data.
 */
export interface SessionEnv<Data extends JsonObject = JsonObject> {
  /** See {@linkcode SessionVariables}. */
  Variables: SessionVariables<Data>;
}

/** The session data type of a Hono environment. */
export type SessionDataOf<E extends SessionEnv> = E extends SessionEnv<infer Data> ? Data
  : JsonObject;

// One RequestSession per request; the context object is the request's identity.
export const states: WeakMap<Context, RequestSession> = new WeakMap();

export function stateOf(c: Context): RequestSession {
  const state = states.get(c);
  if (state === undefined) {
    throw new TypeError("sessionMiddleware did not run for this request");
  }
  return state;
}
