// Private: what the Fastify adapter's files share — the session types a request carries, the
// per-request RequestSession (found by the request object) and how its result reaches the request
// and the reply.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { SessionManager } from "../manager/manager.ts";
import type { JsonObject, Session } from "../model/store.ts";
import type { RequestSession } from "./_request_session.ts";

/**
 * The type of `request.session` for a manager: declare it once, and every handler and helper
 * sees the manager's `Data` —
 * `declare module "fastify" { interface FastifyRequest { session: SessionOf<typeof manager> } }`.
 */
export type SessionOf<M> = M extends SessionManager<infer Data> ? Session<Data> | null : never;

/**
 * The session data type of a request: the `Data` of its declared `request.session`, or
 * `JsonObject` when `FastifyRequest` declares no `session`.
 */
export type RequestDataOf<R> = R extends
  { readonly session?: Session<infer Data extends JsonObject> | null | undefined } ? Data
  : JsonObject;

// One RequestSession per request; the request object is the request's identity.
export const states: WeakMap<FastifyRequest, RequestSession> = new WeakMap();

export function stateOf(request: FastifyRequest): RequestSession {
  const state = states.get(request);
  if (state === undefined) throw new TypeError("sessionPlugin did not run for this request");
  return state;
}

/** Puts the session the RequestSession holds on `request.session`. */
export function publish(request: FastifyRequest, state: RequestSession): void {
  Reflect.set(request, "session", state.session);
}

/** Answers `503 Service Unavailable` (the store could not answer). */
export function unavailable(reply: FastifyReply): FastifyReply {
  return reply.code(503).type("text/plain; charset=utf-8").header("retry-after", "1").send(
    "Service Unavailable",
  );
}
