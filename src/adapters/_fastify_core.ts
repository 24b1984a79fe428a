// Private: what the Fastify adapter's files share — the session types a request carries, the
// per-request RequestSession (found by the request object) and how its result reaches the request
// and the reply.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { RequestSession } from "./_request_session.ts";
export type { RequestDataOf, SessionOf } from "./_session_types.ts";

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
