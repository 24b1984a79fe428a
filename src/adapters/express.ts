// Over 400 lines: most of it is the JSDoc and running example of each Express helper.
/**
 * Express 5 adapter (subpath `./express`): a middleware that validates the session of every
 * request and puts it on `req.session` and `res.locals.session`, and helpers that log in,
 * regenerate and log out while keeping exactly one `Set-Cookie` for the session cookie on the
 * response. Express is an optional peer dependency and is not imported: the adapter is typed
 * against the few members of Express' request and response it uses (so the real ones fit, and
 * this file stays free of Node types). Do not combine it with `express-session`, which also owns
 * `req.session`.
 *
 * A store that cannot answer (`store-unavailable`) gives `503 Service Unavailable` — in the
 * middleware directly, in handlers through {@linkcode sessionErrorHandler}.
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * // app.use(middleware); app.get("/", (req, res) => res.send(req.session?.userId ?? "anonymous"));
 * if (typeof middleware !== "function") throw new Error("Not a middleware");
 * ```
 *
 * @module
 */

import type { SessionManager } from "../manager/manager.ts";
import type { LoginOptions, LoginResult, RegenerateResult } from "../manager/types.ts";
import { SessionError } from "../core/errors.ts";
import type { Session } from "../model/store.ts";
import type { CookieOptionsFor } from "../web/cookie.ts";
import { adapterConfig, isStoreUnavailable, STATUS_TEXT, statusOf } from "./_request_session.ts";
import {
  type ExpressMiddleware,
  type ExpressRequestLike,
  type ExpressResponseLike,
  publish,
  type State,
  stateOf,
  states,
  unavailable,
} from "./_express_core.ts";
import { nodeRequestSession, webRequest } from "./_node_request.ts";
import type { RequestDataOf, SessionOf } from "./_session_types.ts";
export type {
  ExpressMiddleware,
  ExpressRequestLike,
  ExpressResponseLike,
  RequestDataOf,
  SessionOf,
};
export {
  type ExpressStepUpOptions,
  reauthenticate,
  requireRecentAuthentication,
} from "./_express_step_up.ts";

/** A request after the middleware: `req.session` is set. */
export type SessionRequest<R extends ExpressRequestLike = ExpressRequestLike> = R & {
  session: Session | null;
};

/** Options of {@linkcode sessionMiddleware}. */
export interface ExpressSessionOptions<N extends string = string> {
  /** The session cookie's name. @default "__Host-session" */
  readonly cookieName?: N;
  /**
   * Attributes of the session cookie (prefix rules enforced in the types and at startup).
   * @default { path: "/", secure: true, httpOnly: true, sameSite: "Strict" }, no Max-Age (a
   * browser-session cookie)
   */
  readonly cookie?: CookieOptionsFor<N>;
  /**
   * Also accept `Authorization: Bearer <credential>` (API clients). A bearer client's session is
   * never written to or deleted from a cookie.
   * @default false
   */
  readonly bearer?: boolean;
  /**
   * The client IP, for device metadata and IP binding.
   * @default (req) => req.ip
   */
  readonly ip?: (req: ExpressRequestLike) => string | undefined;
}

/** The Express error handler {@linkcode sessionErrorHandler} returns. */
export type ExpressErrorHandler = (
  error: unknown,
  req: ExpressRequestLike,
  res: ExpressResponseLike,
  next: (error?: unknown) => void,
) => void;

/**
 * Creates the session middleware: reads the credential (cookie, or `Authorization: Bearer` with
 * `bearer: true`), validates it with the request's `User-Agent` and IP, and sets `req.session`
 * and `res.locals.session` — `null` when there is none or it is invalid (an invalid or expired
 * cookie is deleted). A `store-unavailable` error answers 503; any other error goes to `next`.
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { type ExpressRequestLike, sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * const headers: Record<string, string | string[]> = {};
 * const req: ExpressRequestLike = { headers: { cookie: "__Host-session=junk" } };
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: (name: string) => headers[name], setHeader: (name: string, value: string[]) => (headers[name] = value),
 *   end: () => {},
 * };
 * await middleware(req, res, () => {});
 * if (req.session !== null || !String(headers["set-cookie"]).includes("Max-Age=0")) throw new Error("Junk kept");
 * ```
 *
 * @param manager The session manager.
 * @param options Cookie name and attributes, `bearer`, and how to find the client IP.
 * @returns The middleware.
 * @throws {TypeError} The codes of `serializeCookie` for a bad cookie name or attribute, and
 * `invalid-argument` for a non-boolean `bearer`.
 */
export function sessionMiddleware<N extends string = "__Host-session">(
  manager: SessionManager,
  options: ExpressSessionOptions<N> = {},
): ExpressMiddleware {
  const config = adapterConfig(options);
  const ipOf = options.ip ?? ((req: ExpressRequestLike) => req.ip);
  return async (req, res, next) => {
    let state: State;
    try {
      state = { res, session: nodeRequestSession(manager, config, req.headers, ipOf(req)) };
      states.set(req, state);
      req.session = null;
      res.locals.session = null;
      await state.session.load(webRequest(req.headers));
      publish(req, state);
    } catch (error) {
      if (isStoreUnavailable(error)) return unavailable(res);
      return next(error);
    }
    next();
  };
}

/**
 * Logs a user in: attaches the user to the request's anonymous session (rotating its credential)
 * or creates a session, applying the device limit; sets the cookie and `req.session`. Device
 * metadata defaults to the request's `User-Agent` and IP.
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { type ExpressRequestLike, login, sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * const headers: Record<string, string | string[]> = {};
 * const req: ExpressRequestLike = { headers: {} };
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: (name: string) => headers[name], setHeader: (name: string, value: string[]) => (headers[name] = value),
 *   end: () => {},
 * };
 * await middleware(req, res, () => {});
 * await login(req, "ada");
 * if (req.session?.userId !== "ada" || headers["set-cookie"]?.length !== 1) throw new Error("Not logged in");
 * ```
 *
 * @param req The request (the middleware must have run).
 * @param userId The user who proved who they are.
 * @param options Data and device metadata; `credential` overrides the request's.
 * @returns The session, its credential and the sessions evicted by the limit.
 * @throws {SessionError} `session-limit` at the limit with policy `reject`, `store-unavailable`.
 * @throws {TypeError} When the middleware did not run for `req`.
 */
export async function login<R extends ExpressRequestLike>(
  req: R,
  userId: string,
  options: LoginOptions<RequestDataOf<R>> = {},
): Promise<LoginResult<RequestDataOf<R>>> {
  const state = stateOf(req);
  const result = await state.session.login(userId, options);
  publish(req, state);
  return result as LoginResult<RequestDataOf<R>>;
}

/**
 * Starts an anonymous session (a cart before login) and sets its cookie.
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { createAnonymous, sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * const headers: Record<string, string | string[]> = {};
 * const req = { headers: {} };
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: (name: string) => headers[name], setHeader: (name: string, value: string[]) => (headers[name] = value),
 *   end: () => {},
 * };
 * await middleware(req, res, () => {});
 * const { session } = await createAnonymous(req, { data: { cart: [42] } });
 * if (session.userId !== null) throw new Error("Not anonymous");
 * ```
 *
 * @param req The request.
 * @param options Data and device metadata.
 * @returns The anonymous session and its credential.
 * @throws {SessionError} `store-unavailable`.
 */
export async function createAnonymous<R extends ExpressRequestLike>(
  req: R,
  options: Omit<LoginOptions<RequestDataOf<R>>, "credential"> = {},
): Promise<LoginResult<RequestDataOf<R>>> {
  const state = stateOf(req);
  const result = await state.session.createAnonymous(options);
  publish(req, state);
  return result as LoginResult<RequestDataOf<R>>;
}

/**
 * Regenerates the request's session (after a password confirmation or any privilege change) and
 * sets the rotated cookie.
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, regenerate, sessionMiddleware } from "@sessionkit/sessionkit/express";
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
 * const next = await regenerate(req);
 * if (next.credential === first.credential || headers["set-cookie"]?.length !== 1) throw new Error("Not rotated");
 * ```
 *
 * @param req The request.
 * @param options `graceMs` overrides the manager's `session.graceMs`.
 * @returns The session and the new credential (`null` when a racing request already rotated it).
 * @throws {SessionError} `session-invalid` when the request has no session, `session-reused`,
 * `store-unavailable`.
 */
export async function regenerate<R extends ExpressRequestLike>(
  req: R,
  options: { graceMs?: number } = {},
): Promise<RegenerateResult<RequestDataOf<R>>> {
  const state = stateOf(req);
  const result = await state.session.regenerate(options);
  publish(req, state);
  return result as RegenerateResult<RequestDataOf<R>>;
}

/**
 * Logs out: ends the request's session in the store and deletes the cookie (deleted even if the
 * store fails).
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { logout, sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * const headers: Record<string, string | string[]> = {};
 * const req = { headers: {} };
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: (name: string) => headers[name], setHeader: (name: string, value: string[]) => (headers[name] = value),
 *   end: () => {},
 * };
 * await middleware(req, res, () => {});
 * await logout(req);
 * if (!String(headers["set-cookie"]).includes("Max-Age=0")) throw new Error("Not cleared");
 * ```
 *
 * @param req The request.
 * @returns Whether a live session was ended.
 * @throws {SessionError} `store-unavailable`.
 */
export async function logout(req: ExpressRequestLike): Promise<boolean> {
  const state = stateOf(req);
  const ended = state.session.logout();
  publish(req, state);
  return await ended;
}

/**
 * The session of a request, throwing when there is none: for handlers that require a login.
 * `session.data` has the type of the request's declared `session` (see {@linkcode SessionOf}).
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { requireSession, sessionMiddleware } from "@sessionkit/sessionkit/express";
 * const middleware = sessionMiddleware(new SessionManager({ store: new MemoryStore() }));
 * const req = { headers: {} };
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: () => undefined, setHeader: () => {}, end: () => {},
 * };
 * await middleware(req, res, () => {});
 * let refused = false;
 * try { requireSession(req); } catch { refused = true; }
 * if (!refused) throw new Error("Let in");
 * ```
 *
 * @param req The request.
 * @returns The validated session.
 * @throws {SessionError} `session-invalid` when the request has no valid session.
 */
export function requireSession<R extends ExpressRequestLike>(req: R): Session<RequestDataOf<R>> {
  const session = stateOf(req).session.session;
  if (session === null) throw new SessionError("session-invalid", "Request has no valid session");
  return session as Session<RequestDataOf<R>>;
}

/**
 * An Express error handler that answers session errors with their status — 401 without a valid
 * session, 409 for a conflict or the device limit, 503 when the store is down (keeping a pending
 * cookie deletion) — and passes every other error on. Install it after your routes.
 *
 * @example
 * ```ts
 * import { SessionError } from "@sessionkit/sessionkit";
 * import { sessionErrorHandler } from "@sessionkit/sessionkit/express";
 * const handler = sessionErrorHandler();
 * const res = {
 *   headersSent: false, statusCode: 200, locals: {},
 *   getHeader: () => undefined, setHeader: () => {}, end: () => {},
 * };
 * handler(new SessionError("store-unavailable", "Down"), { headers: {} }, res, () => {});
 * if (res.statusCode !== 503) throw new Error("Not 503");
 * ```
 *
 * @returns The error handler.
 */
export function sessionErrorHandler(): ExpressErrorHandler {
  return (error, _req, res, next) => {
    const status = statusOf(error);
    if (status === null || res.headersSent) return next(error);
    if (status === 503) return unavailable(res);
    res.statusCode = status;
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.end(STATUS_TEXT[status]);
  };
}
