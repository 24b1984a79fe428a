// Over 300 lines: most of it is the JSDoc and running example of each Fastify helper.
/**
 * Fastify 5 adapter (subpath `./fastify`): a plugin that validates the session of every request
 * and puts it on `request.session`, and helpers that log in, regenerate and log out while keeping
 * exactly one `Set-Cookie` for the session cookie on the reply. Fastify is an optional peer
 * dependency whose types only this subpath imports; `fastify-plugin` is not needed: the plugin
 * carries the `skip-override` mark itself, so `request.session` exists app-wide.
 *
 * Type `request.session` once, from the manager, and the helpers follow:
 * `declare module "fastify" { interface FastifyRequest { session: SessionOf<typeof manager> } }`.
 *
 * A store that cannot answer (`store-unavailable`) gives `503 Service Unavailable` — in the
 * plugin's hook directly, in handlers through {@linkcode sessionErrorHandler}.
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.post("/login", async (request) => (await login(request, "ada"), "Welcome"));
 * const res = await app.inject({ method: "POST", url: "/login" });
 * if (!String(res.headers["set-cookie"]).startsWith("__Host-session=")) throw new Error("No cookie");
 * ```
 *
 * @module
 */

import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { SessionError } from "../core/errors.ts";
import type { SessionManager } from "../manager/manager.ts";
import type { LoginOptions, LoginResult, RegenerateResult } from "../manager/types.ts";
import type { JsonObject, Session } from "../model/store.ts";
import type { CookieOptionsFor } from "../web/cookie.ts";
import { adapterConfig, isStoreUnavailable, STATUS_TEXT, statusOf } from "./_request_session.ts";
import { nodeRequestSession, webRequest, withSetCookie } from "./_node_request.ts";
import {
  publish,
  type RequestDataOf,
  type SessionOf,
  stateOf,
  states,
  unavailable,
} from "./_fastify_core.ts";
export type { RequestDataOf, SessionOf };
export {
  type FastifyStepUpOptions,
  reauthenticate,
  requireRecentAuthentication,
} from "./_fastify_step_up.ts";

/** Options of {@linkcode sessionPlugin}. */
export interface FastifySessionOptions<N extends string = string> {
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
   * @default (request) => request.ip (Fastify honours its `trustProxy` option)
   */
  readonly ip?: (request: FastifyRequest) => string | undefined;
}

/** The Fastify error handler {@linkcode sessionErrorHandler} returns. */
export type FastifySessionErrorHandler = (
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply;

/**
 * Creates the session plugin: an `onRequest` hook reads the credential (cookie, or
 * `Authorization: Bearer` with `bearer: true`), validates it with the request's `User-Agent` and
 * IP, and sets `request.session` — `null` when there is none or it is invalid (an invalid or
 * expired cookie is deleted, and the request goes on). An `onSend` hook writes the session cookie
 * decided by {@linkcode login}, {@linkcode regenerate} or {@linkcode logout}, replacing any other
 * `Set-Cookie` for that name. A `store-unavailable` error in the hook answers 503.
 *
 * The plugin is not encapsulated (it carries `Symbol.for("skip-override")`, as `fastify-plugin`
 * would set): register it on the root instance and every route sees `request.session`.
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.get("/", async () => "hello");
 * const res = await app.inject({ url: "/", headers: { cookie: "__Host-session=junk" } });
 * if (!String(res.headers["set-cookie"]).includes("Max-Age=0")) throw new Error("Junk kept");
 * ```
 *
 * @param manager The session manager.
 * @param options Cookie name and attributes, `bearer`, and how to find the client IP.
 * @returns The plugin, for `app.register`.
 * @throws {TypeError} The codes of `serializeCookie` for a bad cookie name or attribute, and
 * `invalid-argument` for a non-boolean `bearer`.
 */
export function sessionPlugin<
  N extends string = "__Host-session",
  Data extends JsonObject = JsonObject,
>(
  manager: SessionManager<Data>,
  options: FastifySessionOptions<N> = {},
): FastifyPluginAsync {
  const config = adapterConfig(options);
  const ipOf = options.ip ?? ((request: FastifyRequest) => request.ip);
  const plugin: FastifyPluginAsync = async (app) => {
    app.decorateRequest("session", null);
    app.addHook("onRequest", async (request, reply) => {
      const state = nodeRequestSession(manager, config, request.headers, ipOf(request));
      states.set(request, state);
      try {
        await state.load(webRequest(request.headers));
      } catch (error) {
        if (isStoreUnavailable(error)) return unavailable(reply);
        throw error;
      }
      publish(request, state);
    });
    app.addHook("onSend", async (request, reply, payload) => {
      const state = states.get(request);
      // After a store failure only a deletion is written: a session the store may not hold is
      // not handed to the client.
      if (
        state?.setCookie != null && !(reply.statusCode === 503 && state.session !== null)
      ) {
        const values = withSetCookie(reply.getHeader("set-cookie"), state.setCookie);
        reply.removeHeader("set-cookie");
        reply.header("set-cookie", values);
      }
      return payload;
    });
  };
  return Object.assign(plugin, {
    [Symbol.for("skip-override")]: true,
    [Symbol.for("fastify.display-name")]: "sessionkit",
    [Symbol.for("plugin-meta")]: { name: "sessionkit", fastify: "5.x" },
  });
}

/**
 * Logs a user in: attaches the user to the request's anonymous session (rotating its credential)
 * or creates a session, applying the device limit; sets `request.session` and, when the reply is
 * sent, the cookie. Device metadata defaults to the request's `User-Agent` and IP.
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.post("/login", async (request) => (await login(request, "ada", { data: { theme: "dark" } })).session.userId);
 * const res = await app.inject({ method: "POST", url: "/login" });
 * if (res.body !== "ada" || res.cookies.length !== 1) throw new Error("Not logged in");
 * ```
 *
 * @param request The request (the plugin must have run).
 * @param userId The user who proved who they are.
 * @param options Data and device metadata; `credential` overrides the request's.
 * @returns The session, its credential and the sessions evicted by the limit.
 * @throws {SessionError} `session-limit` at the limit with policy `reject`, `store-unavailable`.
 * @throws {TypeError} When the plugin did not run for `request`.
 */
export async function login<R extends FastifyRequest>(
  request: R,
  userId: string,
  options: LoginOptions<RequestDataOf<R>> = {},
): Promise<LoginResult<RequestDataOf<R>>> {
  const state = stateOf(request);
  const result = await state.login(userId, options);
  publish(request, state);
  return result as LoginResult<RequestDataOf<R>>;
}

/**
 * Starts an anonymous session (a cart before login); a later {@linkcode login} attaches the user
 * to it.
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { createAnonymous, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.post("/cart", async (request) => String((await createAnonymous(request, { data: { cart: [42] } })).session.userId));
 * const res = await app.inject({ method: "POST", url: "/cart" });
 * if (res.body !== "null" || res.cookies.length !== 1) throw new Error("No anonymous session");
 * ```
 *
 * @param request The request.
 * @param options Data and device metadata.
 * @returns The anonymous session and its credential.
 * @throws {SessionError} `store-unavailable`.
 */
export async function createAnonymous<R extends FastifyRequest>(
  request: R,
  options: Omit<LoginOptions<RequestDataOf<R>>, "credential"> = {},
): Promise<LoginResult<RequestDataOf<R>>> {
  const state = stateOf(request);
  const result = await state.createAnonymous(options);
  publish(request, state);
  return result as LoginResult<RequestDataOf<R>>;
}

/**
 * Regenerates the request's session (after a password confirmation or any privilege change): a
 * new credential in the cookie, the old one dead after the grace window.
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, regenerate, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.post("/rotate", async (request) => {
 *   const first = await login(request, "ada");
 *   return String((await regenerate(request)).credential !== first.credential);
 * });
 * const res = await app.inject({ method: "POST", url: "/rotate" });
 * if (res.body !== "true" || res.cookies.length !== 1) throw new Error("Not rotated");
 * ```
 *
 * @param request The request.
 * @param options `graceMs` overrides the manager's `session.graceMs`.
 * @returns The session and the new credential (`null` when a racing request already rotated it;
 * no cookie is written then).
 * @throws {SessionError} `session-invalid` when the request has no session, `session-reused`,
 * `store-unavailable`.
 */
export async function regenerate<R extends FastifyRequest>(
  request: R,
  options: { graceMs?: number } = {},
): Promise<RegenerateResult<RequestDataOf<R>>> {
  const state = stateOf(request);
  const result = await state.regenerate(options);
  publish(request, state);
  return result as RegenerateResult<RequestDataOf<R>>;
}

/**
 * Logs out: ends the request's session in the store and deletes the cookie (deleted even if the
 * store fails).
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { logout, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.post("/logout", async (request) => String(await logout(request)));
 * const res = await app.inject({ method: "POST", url: "/logout" });
 * if (!String(res.headers["set-cookie"]).includes("Max-Age=0")) throw new Error("Not cleared");
 * ```
 *
 * @param request The request.
 * @returns Whether a live session was ended.
 * @throws {SessionError} `store-unavailable`.
 */
export async function logout(request: FastifyRequest): Promise<boolean> {
  const state = stateOf(request);
  const ended = state.logout();
  publish(request, state);
  return await ended;
}

/**
 * The session of a request, throwing when there is none: for handlers that require a login
 * ({@linkcode sessionErrorHandler} answers the error with 401).
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { requireSession, sessionErrorHandler, sessionPlugin } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * app.setErrorHandler(sessionErrorHandler());
 * await app.register(sessionPlugin(new SessionManager({ store: new MemoryStore() })));
 * app.get("/me", async (request) => requireSession(request).userId);
 * if ((await app.inject({ url: "/me" })).statusCode !== 401) throw new Error("Let in");
 * ```
 *
 * @param request The request.
 * @returns The validated session.
 * @throws {SessionError} `session-invalid` when the request has no valid session.
 */
export function requireSession<R extends FastifyRequest>(
  request: R,
): Session<RequestDataOf<R>> {
  const session = stateOf(request).session;
  if (session === null) throw new SessionError("session-invalid", "Request has no valid session");
  return session as Session<RequestDataOf<R>>;
}

/**
 * An error handler for `app.setErrorHandler`: answers session errors with their status — 401
 * without a valid session, 403 when a recent re-authentication is needed, 409 for a conflict or
 * the device limit, 503 when the store is down (keeping a pending cookie deletion) — and rethrows
 * every other error to the parent handler (Fastify's default at the root).
 *
 * @example
 * ```ts
 * import { fastify } from "fastify";
 * import { SessionError } from "@sessionkit/sessionkit";
 * import { sessionErrorHandler } from "@sessionkit/sessionkit/fastify";
 * const app = fastify();
 * app.setErrorHandler(sessionErrorHandler());
 * app.get("/", async () => { throw new SessionError("store-unavailable", "Down"); });
 * const res = await app.inject({ url: "/" });
 * if (res.statusCode !== 503 || res.headers["retry-after"] !== "1") throw new Error("Not 503");
 * ```
 *
 * @returns The error handler.
 */
export function sessionErrorHandler(): FastifySessionErrorHandler {
  return (error, _request, reply) => {
    const status = statusOf(error);
    if (status === null) throw error;
    if (status === 503) return unavailable(reply);
    return reply.code(status).type("text/plain; charset=utf-8").send(STATUS_TEXT[status]);
  };
}
