/**
 * Hono adapter (subpath `./hono`): a middleware that validates the session of every request and
 * puts it on the context (`c.get("session")`), and helpers that log in, regenerate and log out
 * while writing exactly one `Set-Cookie` for the session cookie per response. Hono is an optional
 * peer dependency, imported by this file only. Runs wherever Hono runs (Deno, Node, Bun, workers).
 *
 * A store that cannot answer (`store-unavailable`) gives `503 Service Unavailable` — never a
 * request without a session, never a valid one.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.post("/login", async (c) => {
 *   await login(c, "ada");
 *   return c.text("Welcome");
 * });
 * app.get("/me", (c) => c.text(c.get("session")?.userId ?? "nobody"));
 * const res = await app.request("https://example.com/login", { method: "POST" });
 * const cookie = res.headers.getSetCookie()[0]!.split(";")[0]!;
 * const me = await app.request("https://example.com/me", { headers: { cookie } });
 * if (await me.text() !== "ada") throw new Error("Not logged in");
 * ```
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { SessionError } from "../core/errors.ts";
import { replaceSetCookie } from "../web/http.ts";
import type { SessionManager } from "../manager/manager.ts";
import type { LoginOptions, LoginResult, RegenerateResult } from "../manager/types.ts";
import type { JsonObject, Session } from "../model/store.ts";
import type { CookieOptionsFor } from "../web/cookie.ts";
import {
  adapterConfig,
  isStoreUnavailable,
  RequestSession,
  STATUS_TEXT,
  statusOf,
} from "./_request_session.ts";
import { type SessionDataOf, type SessionEnv, stateOf, states } from "./_hono_context.ts";
export type { SessionDataOf, SessionEnv, SessionVariables } from "./_hono_context.ts";
export {
  type HonoStepUpOptions,
  reauthenticate,
  requireRecentAuthentication,
} from "./_hono_step_up.ts";

/** Options of {@linkcode sessionMiddleware}. */
export interface HonoSessionOptions<N extends string = string> {
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
   * The client IP, for device metadata and IP binding. Behind a proxy, read it from a header the
   * proxy sets; on a bare server, from the runtime's connection info.
   * @default () => undefined
   */
  readonly ip?: (c: Context) => string | undefined;
}

function unavailable(): Response {
  return new Response("Service Unavailable", {
    status: 503,
    headers: { "content-type": "text/plain; charset=UTF-8", "retry-after": "1" },
  });
}

// Writes the pending session Set-Cookie onto the final response, replacing any other Set-Cookie for
// the same name (one per name). `c.header` clones an immutable response when needed.
function writeCookie(c: Context, setCookie: string): void {
  const headers = new Headers();
  for (const value of c.res.headers.getSetCookie()) headers.append("set-cookie", value);
  replaceSetCookie(headers, setCookie);
  c.header("set-cookie", undefined);
  for (const value of headers.getSetCookie()) c.header("set-cookie", value, { append: true });
}

/**
 * Creates the session middleware: reads the credential (cookie, or `Authorization: Bearer` with
 * `bearer: true`), validates it with the request's `User-Agent` and IP, and sets
 * `c.get("session")` — `null` when there is none or it is invalid (an invalid or expired cookie is
 * deleted). After the handler, it writes the session cookie decided by {@linkcode login},
 * {@linkcode regenerate} or {@linkcode logout}. A `store-unavailable` error, here or in a
 * handler, becomes a 503.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() }), {
 *   ip: (c) => c.req.header("x-real-ip"),
 * }));
 * app.get("/", (c) => c.text(c.get("session") === null ? "anonymous" : "signed in"));
 * const res = await app.request("https://example.com/", { headers: { cookie: "__Host-session=junk" } });
 * if (!res.headers.getSetCookie()[0]!.includes("Max-Age=0")) throw new Error("Junk cookie kept");
 * ```
 *
 * @param manager The session manager.
 * @param options Cookie name and attributes, `bearer`, and how to find the client IP.
 * @returns The middleware.
 * @throws {TypeError} The codes of `serializeCookie` for a bad cookie name or attribute, and
 * `invalid-argument` for a non-boolean `bearer`.
 */
export function sessionMiddleware<
  N extends string = "__Host-session",
  Data extends JsonObject = JsonObject,
>(
  manager: SessionManager<Data>,
  options: HonoSessionOptions<N> = {},
): MiddlewareHandler<SessionEnv<Data>> {
  const config = adapterConfig(options);
  const ip = options.ip;
  return async (c, next) => {
    const userAgent = c.req.header("user-agent");
    const address = ip?.(c);
    const state = new RequestSession(manager, config, {
      ...(userAgent === undefined ? {} : { userAgent }),
      ...(address === undefined ? {} : { ip: address }),
    });
    states.set(c, state);
    c.set("session", null);
    try {
      await state.load(c.req.raw);
    } catch (error) {
      if (isStoreUnavailable(error)) return unavailable();
      throw error;
    }
    c.set("session", state.session as Session<Data> | null);
    await next();
    if (isStoreUnavailable(c.error)) {
      c.res = unavailable();
      if (state.setCookie !== null && state.session === null) writeCookie(c, state.setCookie);
    } else if (state.setCookie !== null) {
      writeCookie(c, state.setCookie);
    }
    return undefined;
  };
}

/**
 * Logs a user in: attaches the user to the request's anonymous session (rotating its credential,
 * the fixation defence) or creates a session, applying the device limit; sets the session cookie
 * and `c.get("session")`. Device metadata defaults to the request's `User-Agent` and IP.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.post("/login", async (c) => {
 *   const { session } = await login(c, "ada", { data: { theme: "dark" } });
 *   return c.text(session.userId ?? "");
 * });
 * const res = await app.request("https://example.com/login", { method: "POST" });
 * if (res.headers.getSetCookie().length !== 1) throw new Error("Expected one cookie");
 * ```
 *
 * @param c The request context (the middleware must have run).
 * @param userId The user who proved who they are.
 * @param options Data and device metadata; `credential` overrides the request's.
 * @returns The session, its credential and the sessions evicted by the limit.
 * @throws {SessionError} `session-limit` at the limit with policy `reject`, `store-unavailable`.
 * @throws {TypeError} When the middleware did not run for `c`.
 */
export async function login<E extends SessionEnv>(
  c: Context<E>,
  userId: string,
  options: LoginOptions<SessionDataOf<E>> = {},
): Promise<LoginResult<SessionDataOf<E>>> {
  const state = stateOf(c);
  const result = await state.login(userId, options);
  (c as unknown as Context<SessionEnv>).set("session", result.session);
  return result as LoginResult<SessionDataOf<E>>;
}

/**
 * Starts an anonymous session (a cart before login) and sets its cookie; a later
 * {@linkcode login} attaches the user to it.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { createAnonymous, type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.post("/cart", async (c) => {
 *   await createAnonymous(c, { data: { cart: [42] } });
 *   return c.text("ok");
 * });
 * const res = await app.request("https://example.com/cart", { method: "POST" });
 * if (!res.headers.getSetCookie()[0]!.startsWith("__Host-session=")) throw new Error("No cookie");
 * ```
 *
 * @param c The request context.
 * @param options Data and device metadata.
 * @returns The anonymous session and its credential.
 * @throws {SessionError} `store-unavailable`.
 */
export async function createAnonymous<E extends SessionEnv>(
  c: Context<E>,
  options: Omit<LoginOptions<SessionDataOf<E>>, "credential"> = {},
): Promise<LoginResult<SessionDataOf<E>>> {
  const state = stateOf(c);
  const result = await state.createAnonymous(options);
  (c as unknown as Context<SessionEnv>).set("session", result.session);
  return result as LoginResult<SessionDataOf<E>>;
}

/**
 * Regenerates the request's session (after a password confirmation or any privilege change): a
 * new credential in the cookie, the old one dead after the grace window.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, regenerate, type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.post("/login", async (c) => (await login(c, "ada"), c.text("ok")));
 * app.post("/sudo", async (c) => (await regenerate(c), c.text("ok")));
 * const first = await app.request("https://example.com/login", { method: "POST" });
 * const cookie = first.headers.getSetCookie()[0]!.split(";")[0]!;
 * const second = await app.request("https://example.com/sudo", { method: "POST", headers: { cookie } });
 * if (second.headers.getSetCookie()[0]!.split(";")[0] === cookie) throw new Error("Not rotated");
 * ```
 *
 * @param c The request context.
 * @param options `graceMs` overrides the manager's `session.graceMs`.
 * @returns The session and the new credential (`null` when a racing request already rotated it;
 * no cookie is written then).
 * @throws {SessionError} `session-invalid` when the request has no session, `session-reused`,
 * `store-unavailable`.
 */
export async function regenerate<E extends SessionEnv>(
  c: Context<E>,
  options: { graceMs?: number } = {},
): Promise<RegenerateResult<SessionDataOf<E>>> {
  const state = stateOf(c);
  const result = await state.regenerate(options);
  (c as unknown as Context<SessionEnv>).set("session", result.session);
  return result as RegenerateResult<SessionDataOf<E>>;
}

/**
 * Logs out: ends the request's session in the store and deletes the cookie (the cookie is
 * deleted even if the store fails).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { logout, type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.post("/logout", async (c) => c.text(String(await logout(c))));
 * const res = await app.request("https://example.com/logout", { method: "POST" });
 * if (!res.headers.getSetCookie()[0]!.includes("Max-Age=0")) throw new Error("Not cleared");
 * ```
 *
 * @param c The request context.
 * @returns Whether a live session was ended.
 * @throws {SessionError} `store-unavailable`.
 */
export async function logout<E extends SessionEnv>(c: Context<E>): Promise<boolean> {
  const state = stateOf(c);
  (c as unknown as Context<SessionEnv>).set("session", null);
  return await state.logout();
}

/**
 * The session of a request, throwing when there is none: for handlers that require a login.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { requireSession, type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.get("/me", (c) => c.text(requireSession(c).userId ?? ""));
 * app.onError((error, c) => c.text(error.message, 401));
 * if ((await app.request("https://example.com/me")).status !== 401) throw new Error("Let in");
 * ```
 *
 * @param c The request context.
 * @returns The validated session.
 * @throws {SessionError} `session-invalid` when the request has no valid session.
 */
export function requireSession<E extends SessionEnv>(c: Context<E>): Session<SessionDataOf<E>> {
  const session = (c as unknown as Context<SessionEnv>).get("session");
  if (session === null || session === undefined) {
    throw new SessionError("session-invalid", "Request has no valid session");
  }
  return session as Session<SessionDataOf<E>>;
}

/**
 * An error handler for `app.onError`: answers session errors with their status (401 without a
 * valid session, 409 for a conflict or the device limit, 503 when the store is down) and hands
 * every other error to `fallback`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import {
 *   requireSession,
 *   type SessionEnv,
 *   sessionErrorHandler,
 *   sessionMiddleware,
 * } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.get("/me", (c) => c.text(requireSession(c).userId ?? ""));
 * app.onError(sessionErrorHandler());
 * if ((await app.request("https://example.com/me")).status !== 401) throw new Error("Let in");
 * ```
 *
 * @param fallback Answers errors that are not about the session.
 * @default fallback A plain `500 Internal Server Error`.
 * @returns The handler.
 */
export function sessionErrorHandler(
  fallback: (error: Error, c: Context) => Response | Promise<Response> = (_error, c) =>
    c.text("Internal Server Error", 500),
): (error: Error, c: Context) => Response | Promise<Response> {
  return (error, c) => {
    const status = statusOf(error);
    if (status === null) return fallback(error, c);
    return c.text(STATUS_TEXT[status], status, status === 503 ? { "retry-after": "1" } : {});
  };
}
