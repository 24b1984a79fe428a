/**
 * Cookies that browsers keep exactly as meant: an RFC 6265bis `Set-Cookie` serializer that refuses
 * (with a coded `TypeError`/`RangeError`) anything a browser would drop or that is unsafe, and two
 * `Cookie` header readers that never throw and run in linear time.
 *
 * Choices, all deliberate:
 *
 * - Values are written and read verbatim: no percent-encoding on the way out, no decoding on the
 *   way in. Encode anything outside cookie-octets yourself (sessionkit credentials never need it).
 * - The serializer refuses a value wrapped in DQUOTEs (`"..."`): the readers strip one pair of
 *   DQUOTEs (RFC 6265 §4.1.1 allows the wrapping), so accepting it would break the round trip.
 * - A name that appears more than once in a `Cookie` header: the first occurrence wins. Browsers
 *   send the cookie with the longest (most specific) path first (RFC 6265 §5.4).
 * - Prefixes (`__Host-`, `__Secure-`, `__Http-`, `__Host-Http-`) are recognised in any letter case,
 *   as RFC 6265bis requires of browsers.
 *
 * @example
 * ```ts
 * import { getCookie, serializeCookie } from "@sessionkit/sessionkit/cookie";
 * const header = serializeCookie("__Host-sid", "abc", { maxAge: 3600 });
 * if (header !== "__Host-sid=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict") {
 *   throw new Error("Unexpected header");
 * }
 * if (getCookie("theme=dark; __Host-sid=abc", "__Host-sid") !== "abc") throw new Error("Not found");
 * ```
 *
 * @module
 */

import { attributesOf, checkName, checkOptions, checkValue } from "./_cookie_attributes.ts";

export {
  MAX_COOKIE_AGE_SECONDS,
  MAX_COOKIE_ATTRIBUTE_BYTES,
  MAX_COOKIE_NAME_VALUE_BYTES,
} from "./_cookie_attributes.ts";

/** The `SameSite` attribute values. */
export type SameSite = "Strict" | "Lax" | "None";

/** Options every cookie accepts, whatever its `Secure` flag. */
export interface BaseCookieOptions {
  /**
   * Hide the cookie from JavaScript (`document.cookie`).
   * @default true
   */
  readonly httpOnly?: boolean;
  /**
   * The `Path` attribute: starts with `/`; printable ASCII without space, `;`, `,`, `?`, `#`, `\`
   * or `"`; at most 1024 bytes.
   * @default "/"
   */
  readonly path?: string;
  /**
   * The `Domain` attribute (letters, digits, `-` and `.`, optional leading dot; labels of at most
   * 63 characters, at most 253 characters in all). Omitted by
   * default, which makes a host-only cookie — the safer choice.
   * @default undefined
   */
  readonly domain?: string;
  /**
   * The `Max-Age` attribute in seconds: an integer from 0 to 34560000 (400 days). Omitted by
   * default (a session cookie).
   * @default undefined
   */
  readonly maxAge?: number;
  /**
   * The `Expires` attribute: a valid `Date` in the years 1601–9999. Omitted by default. Browsers
   * cap it at 400 days from when they receive it.
   * @default undefined
   */
  readonly expires?: Date;
}

/** Options of a cookie that carries `Secure` (the default). */
export interface SecureCookieOptions extends BaseCookieOptions {
  /**
   * Send the cookie over HTTPS only.
   * @default true
   */
  readonly secure?: true;
  /**
   * The `SameSite` attribute; `"None"` requires `Secure`.
   * @default "Strict"
   */
  readonly sameSite?: SameSite;
  /**
   * The `Partitioned` attribute (CHIPS); requires `Secure`.
   * @default false
   */
  readonly partitioned?: boolean;
}

/** Options of a cookie without `Secure` (plain-HTTP development only). */
export interface InsecureCookieOptions extends BaseCookieOptions {
  /** Send the cookie over plain HTTP too. */
  readonly secure: false;
  /**
   * The `SameSite` attribute; `"None"` is refused without `Secure`.
   * @default "Strict"
   */
  readonly sameSite?: "Strict" | "Lax";
  /** `Partitioned` is refused without `Secure`. */
  readonly partitioned?: false;
}

/** Options of {@linkcode serializeCookie} for a name without a prefix. */
export type CookieOptions = SecureCookieOptions | InsecureCookieOptions;

/** Options of a `__Host-` cookie: `Secure`, `Path=/` and no `Domain`. */
export interface HostCookieOptions extends SecureCookieOptions {
  /** Must be `/` for a `__Host-` cookie. */
  readonly path?: "/";
  /** Forbidden for a `__Host-` cookie. */
  readonly domain?: never;
}

/** Options of a `__Http-` cookie: `Secure` and `HttpOnly`. */
export interface HttpCookieOptions extends SecureCookieOptions {
  /** Must be `true` (the default) for a `__Http-` cookie. */
  readonly httpOnly?: true;
}

/** Options of a `__Host-Http-` cookie: the `__Host-` rules plus `HttpOnly`. */
export interface HostHttpCookieOptions extends HostCookieOptions {
  /** Must be `true` (the default) for a `__Host-Http-` cookie. */
  readonly httpOnly?: true;
}

/**
 * The options a cookie named `N` accepts: the prefix rules in the types (prefixes matched in any
 * letter case). A name only known as `string` gets {@linkcode CookieOptions}; the rules are then
 * checked at run time only.
 */
export type CookieOptionsFor<N extends string> = string extends N ? CookieOptions
  : Uppercase<N> extends `__HOST-HTTP-${string}` ? HostHttpCookieOptions
  : Uppercase<N> extends `__HOST-${string}` ? HostCookieOptions
  : Uppercase<N> extends `__HTTP-${string}` ? HttpCookieOptions
  : Uppercase<N> extends `__SECURE-${string}` ? SecureCookieOptions
  : CookieOptions;

/**
 * The options {@linkcode deleteCookie} accepts for a cookie named `N`: those of
 * {@linkcode CookieOptionsFor} without `maxAge` and `expires` (applied to each member of the union).
 */
export type DeleteCookieOptionsFor<N extends string> = CookieOptionsFor<N> extends infer O
  ? O extends unknown ? Omit<O, "maxAge" | "expires"> : never
  : never;

/** A function that builds the `Set-Cookie` header value of one cookie for a value. */
export type CookieSerializer = (value: string) => string;

/**
 * Prepares the serializer of one cookie: the name and options are checked once, here (with the
 * rules and errors of {@linkcode serializeCookie}); each call then only checks the value. The
 * options are read once, so later changes to the object do not affect the serializer.
 *
 * @example
 * ```ts
 * import { cookieSerializer } from "@sessionkit/sessionkit/cookie";
 * const sessionCookie = cookieSerializer("__Host-sid", { maxAge: 3600 });
 * const header = sessionCookie("abc");
 * if (header !== "__Host-sid=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict") {
 *   throw new Error(header);
 * }
 * try {
 *   sessionCookie("a b");
 *   throw new Error("Accepted a space");
 * } catch (error) {
 *   if ((error as { code?: string }).code !== "invalid-cookie-value") throw error;
 * }
 * ```
 *
 * @param name The cookie name, as for {@linkcode serializeCookie}.
 * @param options The attributes; see {@linkcode CookieOptions}.
 * @returns A function from a value to the `Set-Cookie` header value; it throws
 * `invalid-cookie-value` (TypeError) or `cookie-too-large` (RangeError) for a bad value.
 * @throws {TypeError} The codes of {@linkcode serializeCookie} for the name and options.
 */
export function cookieSerializer<N extends string>(
  name: N,
  options?: CookieOptionsFor<N>,
): CookieSerializer {
  checkName(name);
  const head = `${name}=`;
  const attributes = checkOptions(name, options, false);
  return (value: string): string => {
    checkValue(name, value);
    return head + value + attributes;
  };
}

/**
 * Builds a `Set-Cookie` header value. Defaults: `Path=/; Secure; HttpOnly; SameSite=Strict`, no
 * `Domain` (host-only), no `Max-Age`/`Expires` (a session cookie). Refuses, never repairs, a
 * cookie that a browser would drop or that is unsafe; never writes to `options`.
 *
 * @example
 * ```ts
 * import { serializeCookie } from "@sessionkit/sessionkit/cookie";
 * const header = serializeCookie("theme", "dark", { httpOnly: false, sameSite: "Lax" });
 * if (header !== "theme=dark; Path=/; Secure; SameSite=Lax") throw new Error(header);
 * try {
 *   serializeCookie("__Host-sid", "abc", { path: "/app" } as never);
 *   throw new Error("Accepted a __Host- cookie with a path");
 * } catch (error) {
 *   if ((error as { code?: string }).code !== "cookie-prefix-violation") throw error;
 * }
 * ```
 *
 * @param name The cookie name: a non-empty HTTP token (RFC 9110). Prefix rules (`__Host-`,
 * `__Secure-`, `__Http-`, `__Host-Http-`, any letter case) are checked in the types and at run time.
 * @param value The value, written verbatim: cookie-octets only (RFC 6265 §4.1.1), no DQUOTE
 * wrapping, possibly empty.
 * @param options The attributes; see {@linkcode CookieOptions}.
 * @returns The `Set-Cookie` header value.
 * @throws {TypeError} `invalid-cookie-name` for an empty or non-token name.
 * @throws {TypeError} `invalid-cookie-value` for a value outside cookie-octets.
 * @throws {TypeError} `invalid-cookie-attribute` for an unknown option, a malformed `path` or
 * `domain`, a wrong `sameSite`, a non-boolean flag or a non-`Date` `expires`.
 * @throws {RangeError} `invalid-cookie-attribute` for a `maxAge` that is not an integer from 0 to
 * 34560000, or an `expires` that is invalid or outside the years 1601–9999.
 * @throws {TypeError} `cookie-prefix-violation` when the name's prefix demands `Secure`, `Path=/`,
 * no `Domain` or `HttpOnly` and the options do not give it.
 * @throws {TypeError} `insecure-cookie` for `SameSite=None` or `Partitioned` without `Secure`.
 * @throws {RangeError} `cookie-too-large` when name and value exceed 4096 bytes or `path` or
 * `domain` exceeds 1024 bytes.
 * @throws {TypeError} `invalid-argument` when `options` is not an object.
 */
export function serializeCookie<N extends string>(
  name: N,
  value: string,
  options?: CookieOptionsFor<N>,
): string {
  checkName(name);
  checkValue(name, value);
  return `${name}=${value}${attributesOf(name, options)}`;
}

/**
 * Builds the `Set-Cookie` header value that deletes a cookie: an empty value with `Max-Age=0` and
 * an `Expires` in 1970, and the same name, path and domain (and `Secure`, `HttpOnly`, `SameSite`,
 * `Partitioned`) as the cookie it replaces. A browser deletes only the cookie whose name, path and
 * domain all match, so pass the `path` and `domain` it was set with.
 *
 * @example
 * ```ts
 * import { deleteCookie } from "@sessionkit/sessionkit/cookie";
 * const header = deleteCookie("__Host-sid");
 * const expected =
 *   "__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Strict";
 * if (header !== expected) throw new Error(header);
 * ```
 *
 * @param name The cookie name, as given to {@linkcode serializeCookie}.
 * @param options The attributes the cookie was set with, without `maxAge` and `expires`.
 * @returns The `Set-Cookie` header value.
 * @throws {TypeError} The same codes as {@linkcode serializeCookie}; `maxAge` and `expires` are
 * refused with `invalid-cookie-attribute`.
 */
export function deleteCookie<N extends string>(
  name: N,
  options?: DeleteCookieOptionsFor<N>,
): string {
  checkName(name);
  return `${name}=${checkOptions(name, options, true)}`;
}

export { getCookie, parseCookies } from "./cookie_parse.ts";
