// Private: step-up re-authentication for Express (re-exported by `./express`): record a fresh
// proof of identity, and a middleware that lets a sensitive route through only after one.

import type { RegenerateResult } from "../manager/types.ts";
import type { RequestDataOf } from "./_session_types.ts";
import { statusOf } from "./_request_session.ts";
import {
  type ExpressMiddleware,
  type ExpressRequestLike,
  type ExpressResponseLike,
  publish,
  stateOf,
} from "./_express_core.ts";

/**
 * Records that the request's user just proved who they are again (your handler checked the
 * password or passkey): rotates the session's credential, sets the new cookie and
 * `req.session`, whose `authenticatedAt` is now.
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, reauthenticate, sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * const headers: Record<string, string | string[]> = {};
 * const req = { headers: {} };
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: (name: string) => headers[name], setHeader: (name: string, value: string[]) => (headers[name] = value),
 *   end: () => {},
 * };
 * await middleware(req, res, () => {});
 * const first = await login(req, "ada");
 * const { credential } = await reauthenticate(req);
 * if (credential === first.credential || headers["set-cookie"]?.length !== 1) throw new Error("Not rotated");
 * ```
 *
 * @param req The request (the middleware must have run).
 * @param options `graceMs` overrides the manager's `session.graceMs`.
 * @returns The session and its new credential.
 * @throws {SessionError} `session-invalid` without a session, `session-reused`,
 * `reauthentication-required` (anonymous, or a credential a racing request already rotated),
 * `store-unavailable`.
 */
export async function reauthenticate<R extends ExpressRequestLike>(
  req: R,
  options: { graceMs?: number } = {},
): Promise<RegenerateResult<RequestDataOf<R>>> {
  const state = stateOf(req);
  try {
    return await state.session.reauthenticate(options) as RegenerateResult<RequestDataOf<R>>;
  } finally {
    publish(req, state);
  }
}

/** Options of {@linkcode requireRecentAuthentication}. */
export interface ExpressStepUpOptions {
  /**
   * Answers a request whose proof is too old (e.g. a redirect to a "confirm your password" page).
   * @default passes the `reauthentication-required` error to `next` ({@linkcode
   * sessionErrorHandler} answers 403)
   */
  readonly onRequired?: (req: ExpressRequestLike, res: ExpressResponseLike) => void;
}

/**
 * A middleware for sensitive routes: lets the request through only when its user proved who
 * they are within `maxAgeMs` (login or {@linkcode reauthenticate}). Without a session the error
 * is `session-invalid` (401).
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, requireRecentAuthentication, sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * const req = { headers: {} };
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: () => undefined, setHeader: () => {}, end: () => {},
 * };
 * await middleware(req, res, () => {});
 * await login(req, "ada");
 * let passed = false;
 * await requireRecentAuthentication(300_000)(req, res, (error) => { passed = error === undefined; });
 * if (!passed) throw new Error("A fresh login was refused");
 * ```
 *
 * @param maxAgeMs How old the proof may be (ms, a positive safe integer).
 * @param options `onRequired` answers a stale proof.
 * @returns The middleware.
 * @throws {RangeError} `invalid-argument` for a bad `maxAgeMs` (when the middleware runs).
 */
export function requireRecentAuthentication(
  maxAgeMs: number,
  options: ExpressStepUpOptions = {},
): ExpressMiddleware {
  return (req, res, next) => {
    try {
      stateOf(req).session.requireRecentAuthentication(maxAgeMs);
    } catch (error) {
      if (options.onRequired !== undefined && statusOf(error) === 403) {
        options.onRequired(req, res);
        return Promise.resolve();
      }
      next(error);
      return Promise.resolve();
    }
    next();
    return Promise.resolve();
  };
}
