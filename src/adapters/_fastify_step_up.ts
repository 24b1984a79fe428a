// Private: step-up re-authentication for Fastify (re-exported by `./fastify`): record a fresh
// proof of identity, and a preHandler that lets a sensitive route through only after one.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { RegenerateResult } from "../manager/types.ts";
import { statusOf } from "./_request_session.ts";
import { publish, type RequestDataOf, stateOf } from "./_fastify_core.ts";

/**
 * Records that the request's user just proved who they are again (your handler checked the
 * password or passkey): rotates the session's credential, sets the new cookie and
 * `request.session`, whose `authenticatedAt` is now.
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, reauthenticate, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.post("/confirm", async (request) => {
 *   const first = await login(request, "ada");
 *   return String((await reauthenticate(request)).credential !== first.credential);
 * });
 * const res = await app.inject({ method: "POST", url: "/confirm" });
 * if (res.body !== "true" || res.cookies.length !== 1) throw new Error("Not rotated");
 * ```
 *
 * @param request The request (the plugin must have run).
 * @param options `graceMs` overrides the manager's `session.graceMs`.
 * @returns The session and its new credential.
 * @throws {SessionError} `session-invalid` without a session, `session-reused`,
 * `reauthentication-required` (anonymous, or a credential a racing request already rotated),
 * `store-unavailable`.
 */
export async function reauthenticate<R extends FastifyRequest>(
  request: R,
  options: { graceMs?: number } = {},
): Promise<RegenerateResult<RequestDataOf<R>>> {
  const state = stateOf(request);
  try {
    return await state.reauthenticate(options) as RegenerateResult<RequestDataOf<R>>;
  } finally {
    publish(request, state);
  }
}

/** Options of {@linkcode requireRecentAuthentication}. */
export interface FastifyStepUpOptions {
  /**
   * Answers a request whose proof is too old (e.g. a redirect to a "confirm your password" page).
   * @default throws the `reauthentication-required` error ({@linkcode sessionErrorHandler}
   * answers 403)
   */
  readonly onRequired?: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

/**
 * A `preHandler` for sensitive routes: lets the request through only when its user proved who
 * they are within `maxAgeMs` (login or {@linkcode reauthenticate}). Without a session the error
 * is `session-invalid` (401).
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { requireRecentAuthentication, sessionErrorHandler, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * app.setErrorHandler(sessionErrorHandler());
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.post("/password", { preHandler: requireRecentAuthentication(300_000) }, async () => "changed");
 * if ((await app.inject({ method: "POST", url: "/password" })).statusCode !== 401) throw new Error("Let in");
 * ```
 *
 * @param maxAgeMs How old the proof may be (ms, a positive safe integer).
 * @param options `onRequired` answers a stale proof.
 * @returns The preHandler.
 * @throws {RangeError} `invalid-argument` for a bad `maxAgeMs` (when the preHandler runs).
 */
export function requireRecentAuthentication(
  maxAgeMs: number,
  options: FastifyStepUpOptions = {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (request, reply) => {
    try {
      stateOf(request).requireRecentAuthentication(maxAgeMs);
    } catch (error) {
      if (options.onRequired === undefined || statusOf(error) !== 403) throw error;
      await options.onRequired(request, reply);
      return reply;
    }
    return undefined;
  };
}
