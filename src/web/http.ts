/**
 * Web-standard HTTP helpers (`Request`, `Headers` only): read the session credential from a
 * cookie or an `Authorization: Bearer` header, write the session cookie for login, rotation and
 * logout with at most one `Set-Cookie` per cookie name, and check the origin of state-changing
 * requests for apps that relax `SameSite`.
 *
 * @example
 * ```ts
 * import { readCredential, setSessionCookie } from "@sessionkit/sessionkit/http";
 * const credential = "s1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
 * const headers = new Headers();
 * setSessionCookie(headers, credential, { cookieName: "__Host-sid" });
 * const request = new Request("https://example.com/", {
 *   headers: { cookie: headers.getSetCookie()[0]!.split(";")[0]! },
 * });
 * if (readCredential(request, { cookieName: "__Host-sid" }) !== credential) throw new Error("Lost");
 * ```
 *
 * @module
 */

import {
  type CookieOptionsFor,
  deleteCookie,
  type DeleteCookieOptionsFor,
  getCookie,
  serializeCookie,
} from "./cookie.ts";
import { tryParseCredential } from "../core/credential.ts";
import { typeError } from "../core/errors.ts";

/** Options of {@linkcode readCredential}. */
export interface ReadCredentialOptions {
  /** The name of the session cookie, e.g. `"__Host-sid"`. */
  readonly cookieName: string;
  /**
   * Also accept `Authorization: Bearer <credential>` (for API clients and refresh tokens).
   * @default false
   */
  readonly bearer?: boolean;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

// The token of `Bearer <token>` (scheme case-insensitive, RFC 9110 §11.1), `null` when the header
// uses another scheme, and `""` when it says Bearer but carries no single token.
function bearerToken(authorization: string): string | null {
  let start = 0;
  while (start < authorization.length && isOws(authorization.charCodeAt(start))) start++;
  const scheme = authorization.slice(start, start + 6);
  if (scheme.toLowerCase() !== "bearer") return null;
  let i = start + 6;
  if (i < authorization.length && !isOws(authorization.charCodeAt(i))) return null;
  while (i < authorization.length && isOws(authorization.charCodeAt(i))) i++;
  let end = authorization.length;
  while (end > i && isOws(authorization.charCodeAt(end - 1))) end--;
  return authorization.slice(i, end);
}

/**
 * Reads the session credential of a request, or `null`. With `bearer: true`, an `Authorization`
 * header with the `Bearer` scheme is used when present — and when its token is malformed the
 * result is `null`, without falling back to the cookie (a client that sends a bad token gets no
 * session, not an ambient one). Otherwise the first cookie named `cookieName` is used. The result
 * is returned only when it is a well-formed credential (`tryParseCredential`); it is not
 * validated against any store. Never throws on request content.
 *
 * @example
 * ```ts
 * import { readCredential } from "@sessionkit/sessionkit/http";
 * const credential = "s1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
 * const api = new Request("https://example.com/", {
 *   headers: { authorization: `Bearer ${credential}` },
 * });
 * if (readCredential(api, { cookieName: "__Host-sid", bearer: true }) !== credential) {
 *   throw new Error("Bearer not read");
 * }
 * if (readCredential(api, { cookieName: "__Host-sid" }) !== null) throw new Error("Bearer not enabled");
 * ```
 *
 * @param request The incoming request.
 * @param options `cookieName`, and `bearer` (default `false`).
 * @returns The credential, or `null` when none is present or it is malformed.
 * @throws {TypeError} `invalid-cookie-name` when `cookieName` is not an HTTP token.
 * @throws {TypeError} `invalid-argument` when `bearer` is not a boolean.
 */
export function readCredential(request: Request, options: ReadCredentialOptions): string | null {
  const { cookieName, bearer = false } = options;
  checkCookieName(cookieName);
  if (typeof bearer !== "boolean") throw typeError("invalid-argument", "bearer must be a boolean");
  if (bearer) {
    const authorization = request.headers.get("authorization");
    if (authorization !== null) {
      const token = bearerToken(authorization);
      if (token !== null) return tryParseCredential(token) === null ? null : token;
    }
  }
  const value = getCookie(request.headers.get("cookie"), cookieName);
  return value !== undefined && tryParseCredential(value) !== null ? value : null;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkCookieName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !TOKEN_RE.test(name)) {
    throw typeError("invalid-cookie-name", "cookieName must be a non-empty HTTP token");
  }
}

// The name of a Set-Cookie header value: up to the first `=` of its first `;`-segment, trimmed.
function setCookieName(header: string): string {
  const semicolon = header.indexOf(";");
  const pair = semicolon === -1 ? header : header.slice(0, semicolon);
  const eq = pair.indexOf("=");
  return (eq === -1 ? "" : pair.slice(0, eq)).trim();
}

/**
 * Appends a `Set-Cookie` header, first removing any `Set-Cookie` for the same cookie name, so a
 * response carries one per name (the last written wins). Other `Set-Cookie` headers keep their
 * order.
 *
 * @example
 * ```ts
 * import { replaceSetCookie } from "@sessionkit/sessionkit/http";
 * const headers = new Headers();
 * replaceSetCookie(headers, "a=1; Path=/");
 * replaceSetCookie(headers, "b=2; Path=/");
 * replaceSetCookie(headers, "a=3; Path=/");
 * if (headers.getSetCookie().join(" | ") !== "b=2; Path=/ | a=3; Path=/") throw new Error("Bad");
 * ```
 *
 * @param headers The response headers (mutable).
 * @param setCookie A `Set-Cookie` header value, e.g. from `serializeCookie`.
 * @returns Nothing; `headers` is updated.
 * @throws {TypeError} `invalid-argument` when `setCookie` has no cookie name; the `TypeError` of
 * `Headers` when `headers` is immutable.
 */
export function replaceSetCookie(headers: Headers, setCookie: string): void {
  const name = typeof setCookie === "string" ? setCookieName(setCookie) : "";
  if (name === "") throw typeError("invalid-argument", "Set-Cookie value has no cookie name");
  const existing = headers.getSetCookie();
  let replaced = false;
  const kept: string[] = [];
  for (const header of existing) {
    if (setCookieName(header) === name) replaced = true;
    else kept.push(header);
  }
  if (replaced) {
    headers.delete("set-cookie");
    for (const header of kept) headers.append("set-cookie", header);
  }
  headers.append("set-cookie", setCookie);
}

/**
 * Options of {@linkcode setSessionCookie}: the cookie name and the attributes of
 * {@linkcode CookieOptionsFor} (prefix rules in the types).
 */
export type SessionCookieOptions<N extends string> =
  & { readonly cookieName: N }
  & CookieOptionsFor<N>;

/**
 * Options of {@linkcode clearSessionCookie}: the cookie name and the attributes of
 * {@linkcode DeleteCookieOptionsFor} (the same `path` and `domain` the cookie was set with).
 */
export type ClearSessionCookieOptions<N extends string> =
  & { readonly cookieName: N }
  & DeleteCookieOptionsFor<N>;

function withoutName(options: object): Record<string, unknown> {
  const { cookieName: _, ...rest } = options as Record<string, unknown>;
  return rest;
}

/**
 * Writes the session cookie after login or rotation, replacing any `Set-Cookie` for the same
 * name already on the response. Defaults come from `serializeCookie`: `Path=/; Secure; HttpOnly;
 * SameSite=Strict`, host-only, a session cookie unless `maxAge` or `expires` is given.
 *
 * @example
 * ```ts
 * import { setSessionCookie } from "@sessionkit/sessionkit/http";
 * const headers = new Headers();
 * const credential = "s1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
 * setSessionCookie(headers, credential, { cookieName: "__Host-sid", maxAge: 86400 });
 * const expected = `__Host-sid=${credential}; Path=/; Max-Age=86400; Secure; HttpOnly; SameSite=Strict`;
 * if (headers.getSetCookie()[0] !== expected) throw new Error("Unexpected cookie");
 * ```
 *
 * @param headers The response headers (mutable).
 * @param credential The credential returned by the store's create, attach or rotate.
 * @param options `cookieName` and the cookie attributes (see `CookieOptions`).
 * @returns Nothing; `headers` is updated.
 * @throws {TypeError} `malformed-credential` when `credential` is not a well-formed credential.
 * @throws {TypeError} Every code of `serializeCookie` for a bad name or attribute.
 */
export function setSessionCookie<N extends string>(
  headers: Headers,
  credential: string,
  options: SessionCookieOptions<N>,
): void {
  if (tryParseCredential(credential) === null) {
    throw typeError("malformed-credential", "Credential is malformed");
  }
  const header = serializeCookie(
    options.cookieName as string,
    credential,
    withoutName(options) as CookieOptionsFor<string>,
  );
  replaceSetCookie(headers, header);
}

/**
 * Writes the `Set-Cookie` that deletes the session cookie (logout, revocation), replacing any
 * `Set-Cookie` for the same name already on the response — so a rotation followed by a logout in
 * one response ends with the cookie deleted.
 *
 * @example
 * ```ts
 * import { clearSessionCookie } from "@sessionkit/sessionkit/http";
 * const headers = new Headers();
 * clearSessionCookie(headers, { cookieName: "__Host-sid" });
 * if (!headers.getSetCookie()[0]!.startsWith("__Host-sid=; Path=/; Max-Age=0;")) {
 *   throw new Error("Not deleted");
 * }
 * ```
 *
 * @param headers The response headers (mutable).
 * @param options `cookieName` and the attributes the cookie was set with (`path`, `domain`, …).
 * @returns Nothing; `headers` is updated.
 * @throws {TypeError} Every code of `deleteCookie` for a bad name or attribute.
 */
export function clearSessionCookie<N extends string>(
  headers: Headers,
  options: ClearSessionCookieOptions<N>,
): void {
  const header = deleteCookie(
    options.cookieName as string,
    withoutName(options) as DeleteCookieOptionsFor<string>,
  );
  replaceSetCookie(headers, header);
}

/** Options of {@linkcode checkOrigin}. */
export interface CheckOriginOptions {
  /**
   * Serialized origins (`"https://app.example.com"`, no path or trailing slash) allowed to send
   * state-changing requests besides the request's own origin — for example the public origin when
   * a proxy makes `request.url` differ from it.
   * @default []
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Accept a state-changing request that carries neither `Origin` nor `Sec-Fetch-Site` (not sent
   * by a current browser: curl, server-to-server). Off by default: such a request is refused.
   * @default false
   */
  readonly allowMissingOrigin?: boolean;
}

/** Why {@linkcode checkOrigin} accepted a request. */
export type OriginAccepted =
  | "safe-method"
  | "allowed-origin"
  | "same-origin"
  | "user-initiated"
  | "no-browser-headers";

/** Why {@linkcode checkOrigin} refused a request. */
export type OriginRefused =
  | "cross-site"
  | "same-site"
  | "null-origin"
  | "origin-mismatch"
  | "missing-origin";

/** The verdict of {@linkcode checkOrigin}. */
export type OriginCheck =
  | { readonly ok: true; readonly reason: OriginAccepted }
  | { readonly ok: false; readonly reason: OriginRefused };

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

function checkAllowedOrigins(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw typeError("invalid-argument", "allowedOrigins must be an array of origins");
  }
  for (const origin of value) {
    let parsed: string | undefined;
    try {
      parsed = typeof origin === "string" ? new URL(origin).origin : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed === "null" || parsed !== origin) {
      throw typeError(
        "invalid-argument",
        'allowedOrigins must hold serialized origins such as "https://example.com"',
      );
    }
  }
  return value as readonly string[];
}

function ok(reason: OriginAccepted): OriginCheck {
  return { ok: true, reason };
}

function refused(reason: OriginRefused): OriginCheck {
  return { ok: false, reason };
}

/**
 * Decides whether a request may change state, for apps whose session cookie is not
 * `SameSite=Strict` (cross-site request forgery defence). In order: safe methods (GET, HEAD,
 * OPTIONS, TRACE) pass; an `Origin` in `allowedOrigins` passes; an `Origin` of `null` is refused;
 * when `Sec-Fetch-Site` is present, `same-origin` and `none` (user-initiated) pass and `same-site`
 * or `cross-site` are refused; otherwise an `Origin` equal to the origin of `request.url` passes
 * and any other is refused; a request with neither header is refused unless
 * `allowMissingOrigin` is set.
 *
 * @example
 * ```ts
 * import { checkOrigin } from "@sessionkit/sessionkit/http";
 * const post = new Request("https://example.com/logout", {
 *   method: "POST",
 *   headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
 * });
 * const verdict = checkOrigin(post);
 * if (verdict.ok || verdict.reason !== "cross-site") throw new Error("Forgery accepted");
 * if (!checkOrigin(new Request("https://example.com/")).ok) throw new Error("GET refused");
 * ```
 *
 * @param request The incoming request.
 * @param options `allowedOrigins` (default none), `allowMissingOrigin` (default `false`).
 * @returns `{ ok, reason }`: whether the request may proceed, and why.
 * @throws {TypeError} `invalid-argument` when `allowedOrigins` holds anything but serialized
 * origins, or `allowMissingOrigin` is not a boolean.
 */
export function checkOrigin(request: Request, options: CheckOriginOptions = {}): OriginCheck {
  const allowedOrigins = checkAllowedOrigins(options.allowedOrigins);
  const allowMissingOrigin = options.allowMissingOrigin ?? false;
  if (typeof allowMissingOrigin !== "boolean") {
    throw typeError("invalid-argument", "allowMissingOrigin must be a boolean");
  }
  if (SAFE_METHODS.has(request.method.toUpperCase())) return ok("safe-method");
  const origin = request.headers.get("origin");
  if (origin !== null && allowedOrigins.includes(origin)) return ok("allowed-origin");
  if (origin === "null") return refused("null-origin");
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) {
    if (site === "same-origin") return ok("same-origin");
    if (site === "none") return ok("user-initiated");
    return refused(site === "same-site" ? "same-site" : "cross-site");
  }
  if (origin === null) {
    return allowMissingOrigin ? ok("no-browser-headers") : refused("missing-origin");
  }
  let own: string;
  try {
    own = new URL(request.url).origin;
  } catch {
    return refused("origin-mismatch");
  }
  return origin === own ? ok("same-origin") : refused("origin-mismatch");
}
