// Private: what the adapters over Node's request model (Express, Fastify) share — reading headers
// from Node's `IncomingHttpHeaders`, the Web Request the shared helpers read, the request facts,
// and merging the session Set-Cookie into the values a response already carries.

import { replaceSetCookie } from "../web/http.ts";
import type { SessionManager } from "../manager/manager.ts";
import { type AdapterConfig, RequestSession } from "./_request_session.ts";

/** Node's request headers: lower-case names, repeated headers as arrays. */
export interface NodeHeaders {
  readonly [name: string]: string | string[] | undefined;
}

export function header(headers: NodeHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(name === "cookie" ? "; " : ", ") : value;
}

// Copies the session-relevant headers into a Web Request for the shared helpers.
export function webRequest(headers: NodeHeaders): Request {
  const copy = new Headers();
  for (const name of ["cookie", "authorization"]) {
    const value = header(headers, name);
    if (value !== undefined) copy.set(name, value);
  }
  return new Request("http://localhost/", { headers: copy });
}

/** A RequestSession with the request's `User-Agent` and client IP as its facts. */
export function nodeRequestSession(
  manager: SessionManager,
  config: AdapterConfig,
  headers: NodeHeaders,
  ip: string | undefined,
): RequestSession {
  const userAgent = header(headers, "user-agent");
  return new RequestSession(manager, config, {
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(ip === undefined ? {} : { ip }),
  });
}

/**
 * The Set-Cookie values a response carries (`current`, as Node's `getHeader` returns them) with
 * `setCookie` replacing any other value for the same cookie name: one per name.
 */
export function withSetCookie(current: unknown, setCookie: string): string[] {
  const headers = new Headers();
  const values = current === undefined ? [] : Array.isArray(current) ? current : [current];
  for (const value of values) headers.append("set-cookie", String(value));
  replaceSetCookie(headers, setCookie);
  return headers.getSetCookie();
}
