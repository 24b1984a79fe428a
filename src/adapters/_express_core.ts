// Private: what the Express adapter's files share — the structural request and response types,
// the per-request state (a RequestSession and the response) and how it reaches the response.

import type { Session } from "../model/store.ts";
import type { RequestSession } from "./_request_session.ts";
import { withSetCookie } from "./_node_request.ts";

/** The members of an Express (or `node:http`) request the adapter uses. */
export interface ExpressRequestLike {
  /** Request headers, lower-case names (Node's `IncomingHttpHeaders`). */
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  /** The client IP as Express computes it (honours `trust proxy`). */
  readonly ip?: string | undefined;
  /** Set by the middleware: the validated session, or `null`. */
  session?: Session | null | undefined;
}

/** The members of an Express (or `node:http`) response the adapter uses. */
export interface ExpressResponseLike {
  /** Whether the headers were already sent. */
  readonly headersSent: boolean;
  /** The status code to send. */
  statusCode: number;
  /** Reads a header. */
  getHeader(name: string): number | string | string[] | undefined;
  /** Sets a header (an array sends one line per value). */
  setHeader(name: string, value: string | readonly string[]): unknown;
  /** Ends the response. */
  end(body?: string): unknown;
  /** Express' per-response locals: the middleware sets `session`. */
  readonly locals: Record<string, unknown>;
}

/** The Express middleware {@linkcode sessionMiddleware} returns. */
export type ExpressMiddleware = (
  req: ExpressRequestLike,
  res: ExpressResponseLike,
  next: (error?: unknown) => void,
) => Promise<void>;

/** The adapter's state of one request. */
export interface State {
  readonly session: RequestSession;
  readonly res: ExpressResponseLike;
}

export const states: WeakMap<ExpressRequestLike, State> = new WeakMap();

export function stateOf(req: ExpressRequestLike): State {
  const state = states.get(req);
  if (state === undefined) throw new TypeError("sessionMiddleware did not run for this request");
  return state;
}

// Puts the session Set-Cookie on the response, replacing any other Set-Cookie for that name.
function flush(state: State): void {
  const setCookie = state.session.setCookie;
  if (setCookie === null) return;
  state.res.setHeader("set-cookie", withSetCookie(state.res.getHeader("set-cookie"), setCookie));
}

export function publish(req: ExpressRequestLike, state: State): void {
  req.session = state.session.session;
  state.res.locals.session = state.session.session;
  flush(state);
}

export function unavailable(res: ExpressResponseLike): void {
  res.statusCode = 503;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("retry-after", "1");
  res.end("Service Unavailable");
}
