// Private: step-up re-authentication for Hono (re-exported by `./hono`): record a fresh proof of
// identity, and a middleware that lets a sensitive route through only after one.

import type { Context, MiddlewareHandler } from "hono";
import type { RegenerateResult } from "../manager/types.ts";
import { statusOf } from "./_request_session.ts";
import { type SessionDataOf, type SessionEnv, stateOf } from "./_hono_context.ts";

/**
 * Records that the request's user just proved who they are again (your handler checked the
 * password or passkey): rotates the session's credential, sets the new cookie and
 * `c.get("session")`, whose `authenticatedAt` is now.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import { login, reauthenticate, type SessionEnv, sessionMiddleware } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.post("/login", async (c) => (await login(c, "ada"), c.text("ok")));
 * app.post("/confirm", async (c) => c.text(String((await reauthenticate(c)).session.authenticatedAt)));
 * const first = await app.request("https://example.com/login", { method: "POST" });
 * const cookie = first.headers.getSetCookie()[0]!.split(";")[0]!;
 * const res = await app.request("https://example.com/confirm", { method: "POST", headers: { cookie } });
 * if (res.headers.getSetCookie()[0]!.split(";")[0] === cookie) throw new Error("Not rotated");
 * ```
 *
 * @param c The request context (the middleware must have run).
 * @param options `graceMs` overrides the manager's `session.graceMs`.
 * @returns The session and its new credential.
 * @throws {SessionError} `session-invalid` without a session, `session-reused`,
 * `reauthentication-required` (anonymous, or a credential a racing request already rotated),
 * `store-unavailable`.
 */
export async function reauthenticate<E extends SessionEnv>(
  c: Context<E>,
  options: { graceMs?: number } = {},
): Promise<RegenerateResult<SessionDataOf<E>>> {
  const result = await stateOf(c).reauthenticate(options);
  (c as unknown as Context<SessionEnv>).set("session", result.session);
  return result as RegenerateResult<SessionDataOf<E>>;
}

/** Options of {@linkcode requireRecentAuthentication}. */
export interface HonoStepUpOptions {
  /**
   * Answers a request whose proof is too old (e.g. a redirect to a "confirm your password" page).
   * @default throws the `reauthentication-required` error (`sessionErrorHandler` answers 403)
   */
  readonly onRequired?: (c: Context) => Response | Promise<Response>;
}

/**
 * A middleware for sensitive routes: lets the request through only when its user proved who
 * they are within `maxAgeMs` (login or {@linkcode reauthenticate}). Without a session it throws
 * `session-invalid` (401).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryStore, SessionManager } from "@sessionkit/sessionkit";
 * import {
 *   login,
 *   requireRecentAuthentication,
 *   type SessionEnv,
 *   sessionErrorHandler,
 *   sessionMiddleware,
 * } from "@sessionkit/sessionkit/hono";
 * const app = new Hono<SessionEnv>();
 * app.use(sessionMiddleware(new SessionManager({ store: new MemoryStore() })));
 * app.onError(sessionErrorHandler());
 * app.post("/login", async (c) => (await login(c, "ada"), c.text("ok")));
 * app.get("/security", requireRecentAuthentication(300_000), (c) => c.text("sensitive"));
 * const first = await app.request("https://example.com/login", { method: "POST" });
 * const cookie = first.headers.getSetCookie()[0]!.split(";")[0]!;
 * if ((await app.request("https://example.com/security", { headers: { cookie } })).status !== 200) {
 *   throw new Error("A fresh login was refused");
 * }
 * ```
 *
 * @param maxAgeMs How old the proof may be (ms, a positive safe integer).
 * @param options `onRequired` answers a stale proof.
 * @returns The middleware.
 * @throws {RangeError} `invalid-argument` for a bad `maxAgeMs` (when the middleware runs).
 */
export function requireRecentAuthentication<E extends SessionEnv>(
  maxAgeMs: number,
  options: HonoStepUpOptions = {},
): MiddlewareHandler<E> {
  return async (c, next) => {
    try {
      stateOf(c).requireRecentAuthentication(maxAgeMs);
    } catch (error) {
      if (options.onRequired !== undefined && statusOf(error) === 403) {
        return await options.onRequired(c);
      }
      throw error;
    }
    await next();
    return undefined;
  };
}
