// Over 400 lines: the serializer and its option checks share one set of grammar rules.
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

import { rangeError, typeError } from "../core/errors.ts";

/** Longest Max-Age a browser honours: 400 days, in seconds (RFC 6265bis). */
export const MAX_COOKIE_AGE_SECONDS = 34_560_000;
/** Longest name plus value, in bytes, that a browser stores (RFC 6265bis). */
export const MAX_COOKIE_NAME_VALUE_BYTES = 4096;
/** Longest attribute value, in bytes, that a browser accepts (RFC 6265bis). */
export const MAX_COOKIE_ATTRIBUTE_BYTES = 1024;

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

const OPTION_KEYS: ReadonlySet<string> = new Set([
  "secure",
  "httpOnly",
  "sameSite",
  "path",
  "domain",
  "maxAge",
  "expires",
  "partitioned",
]);
const DELETE_OPTION_KEYS: ReadonlySet<string> = new Set([
  "secure",
  "httpOnly",
  "sameSite",
  "path",
  "domain",
  "partitioned",
]);

// tchar (RFC 9110 §5.6.2): ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA.
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// cookie-octet (RFC 6265 §4.1.1): %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
const COOKIE_VALUE_RE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

function isToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_RE.test(value);
}

// path-value is any CHAR except CTLs or ";" (RFC 6265 §4.1.1). Refused too: space (a browser
// trims it, and no URL path holds one); "," (tools that re-split a comma-joined Set-Cookie would
// read the rest as a second cookie, which loses Secure, HttpOnly and SameSite); and "?", "#", "\"
// and '"', which never occur in a request path (query, fragment, or a browser's escapes), so a
// cookie scoped with them would never be sent.
const PATH_REFUSED = new Set([0x3b, 0x2c, 0x3f, 0x23, 0x5c, 0x22]);

function isPathValue(value: string): boolean {
  if (value.charCodeAt(0) !== 0x2f) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c > 0x7e || PATH_REFUSED.has(c)) return false;
  }
  return true;
}

/** Longest host name in DNS (RFC 1035 §2.3.4, written without the trailing dot). */
const MAX_DOMAIN_LENGTH = 253;

function isLdh(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    c === 0x2d;
}

// An optional leading dot, then dot-separated labels of 1-63 letters, digits and hyphens, no label
// starting or ending with a hyphen.
function isDomainValue(value: string): boolean {
  let i = value.charCodeAt(0) === 0x2e ? 1 : 0;
  if (i === value.length) return false;
  let labelStart = i;
  for (; i <= value.length; i++) {
    const c = i === value.length ? 0x2e : value.charCodeAt(i);
    if (c === 0x2e) {
      const length = i - labelStart;
      if (length === 0 || length > 63) return false;
      if (value.charCodeAt(labelStart) === 0x2d || value.charCodeAt(i - 1) === 0x2d) return false;
      labelStart = i + 1;
    } else if (!isLdh(c)) {
      return false;
    }
  }
  return true;
}

function attributeError(message: string): never {
  throw typeError("invalid-cookie-attribute", message);
}

function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  return attributeError(`Cookie option ${what} must be a boolean`);
}

function checkAttributeLength(value: string, what: string): void {
  if (value.length > MAX_COOKIE_ATTRIBUTE_BYTES) {
    throw rangeError(
      "cookie-too-large",
      `Cookie ${what} exceeds ${MAX_COOKIE_ATTRIBUTE_BYTES} bytes`,
    );
  }
}

const EPOCH = new Date(0);

// Whether `name` starts with `prefix` (given in upper case), ignoring ASCII letter case.
function hasPrefix(name: string, prefix: string): boolean {
  if (name.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

function checkName(name: unknown): asserts name is string {
  if (!isToken(name)) {
    throw typeError("invalid-cookie-name", "Cookie name must be a non-empty HTTP token");
  }
}

function checkValue(name: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || !COOKIE_VALUE_RE.test(value)) {
    throw typeError(
      "invalid-cookie-value",
      "Cookie value must contain only cookie-octets (no space, control, DQUOTE, comma, semicolon, backslash or non-ASCII)",
    );
  }
  if (name.length + value.length > MAX_COOKIE_NAME_VALUE_BYTES) {
    throw rangeError(
      "cookie-too-large",
      `Cookie name and value exceed ${MAX_COOKIE_NAME_VALUE_BYTES} bytes`,
    );
  }
}

/**
 * The one place that checks a cookie's options (against its name's prefix rules): returns the
 * attributes as they follow the value in the header (`; Path=/; …`). Reads every option once.
 */
function checkOptions(name: string, options: unknown, deleting: boolean): string {
  if (options === null || (options !== undefined && typeof options !== "object")) {
    throw typeError("invalid-argument", "Cookie options must be an object");
  }
  const o = (options ?? {}) as Record<string, unknown>;
  const allowed = deleting ? DELETE_OPTION_KEYS : OPTION_KEYS;
  for (const key in o) {
    if (!allowed.has(key) && Object.hasOwn(o, key)) {
      attributeError(`Unknown cookie option ${JSON.stringify(key)}`);
    }
  }
  // Read every option once, into locals: the caller's object is never written, and a getter
  // cannot answer differently between the check and the use.
  const secure = optionalBoolean(o.secure, "secure") ?? true;
  const httpOnly = optionalBoolean(o.httpOnly, "httpOnly") ?? true;
  const partitioned = optionalBoolean(o.partitioned, "partitioned") ?? false;
  const sameSite = o.sameSite ?? "Strict";
  if (sameSite !== "Strict" && sameSite !== "Lax" && sameSite !== "None") {
    attributeError('Cookie option sameSite must be "Strict", "Lax" or "None"');
  }
  const path = o.path ?? "/";
  if (typeof path !== "string" || !isPathValue(path)) {
    attributeError(
      'Cookie path must start with / and hold only printable ASCII without space ; , ? # \\ or "',
    );
  }
  checkAttributeLength(path, "path");
  const domain = o.domain;
  if (domain !== undefined) {
    if (typeof domain !== "string" || !isDomainValue(domain)) {
      attributeError(
        "Cookie domain must be a host name (letters, digits, - and . with an optional leading dot)",
      );
    }
    checkAttributeLength(domain, "domain");
    if (domain.length - (domain.startsWith(".") ? 1 : 0) > MAX_DOMAIN_LENGTH) {
      throw rangeError(
        "invalid-cookie-attribute",
        `Cookie domain must be a host name of at most ${MAX_DOMAIN_LENGTH} characters`,
      );
    }
  }
  const maxAge = deleting ? 0 : o.maxAge;
  if (
    maxAge !== undefined &&
    (typeof maxAge !== "number" || !Number.isInteger(maxAge) || maxAge < 0 ||
      maxAge > MAX_COOKIE_AGE_SECONDS)
  ) {
    throw rangeError(
      "invalid-cookie-attribute",
      `Cookie maxAge must be an integer from 0 to ${MAX_COOKIE_AGE_SECONDS} seconds (400 days)`,
    );
  }
  const expires = deleting ? EPOCH : o.expires;
  let expiresText: string | undefined;
  if (expires !== undefined) {
    if (!(expires instanceof Date)) attributeError("Cookie expires must be a Date");
    const year = expires.getUTCFullYear();
    if (!(year >= 1601 && year <= 9999)) {
      throw rangeError(
        "invalid-cookie-attribute",
        "Cookie expires must be a valid date in the years 1601 to 9999",
      );
    }
    expiresText = expires.toUTCString();
  }

  const hostPrefix = hasPrefix(name, "__HOST-");
  const httpPrefix = hasPrefix(name, "__HTTP-") || hasPrefix(name, "__HOST-HTTP-");
  if ((hostPrefix || httpPrefix || hasPrefix(name, "__SECURE-")) && !secure) {
    throw typeError("cookie-prefix-violation", "A prefixed cookie name requires secure: true");
  }
  if (hostPrefix && (path !== "/" || domain !== undefined)) {
    throw typeError("cookie-prefix-violation", "A __Host- cookie requires path / and no domain");
  }
  if (httpPrefix && !httpOnly) {
    throw typeError("cookie-prefix-violation", "A __Http- cookie requires httpOnly: true");
  }
  if (!secure && sameSite === "None") {
    throw typeError("insecure-cookie", "SameSite=None requires secure: true");
  }
  if (!secure && partitioned) {
    throw typeError("insecure-cookie", "Partitioned requires secure: true");
  }

  let header = `; Path=${path}`;
  if (domain !== undefined) header += `; Domain=${domain}`;
  if (maxAge !== undefined) header += `; Max-Age=${maxAge}`;
  if (expiresText !== undefined) header += `; Expires=${expiresText}`;
  if (secure) header += "; Secure";
  if (httpOnly) header += "; HttpOnly";
  header += `; SameSite=${sameSite}`;
  if (partitioned) header += "; Partitioned";
  return header;
}

// The attributes of a cookie with default options, by name: `serializeCookie(name, value)` and
// `serializeCookie(name, value, {})` check their options once per name. Bounded.
const DEFAULT_ATTRIBUTES = new Map<string, string>();

function isEmptyOptions(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null) return false;
  if (Object.getPrototypeOf(options) !== Object.prototype) return false;
  for (const _ in options) return false;
  return true;
}

function attributesOf(name: string, options: unknown): string {
  if (!isEmptyOptions(options)) return checkOptions(name, options, false);
  let attributes = DEFAULT_ATTRIBUTES.get(name);
  if (attributes === undefined) {
    attributes = checkOptions(name, undefined, false);
    if (DEFAULT_ATTRIBUTES.size >= 256) DEFAULT_ATTRIBUTES.clear();
    DEFAULT_ATTRIBUTES.set(name, attributes);
  }
  return attributes;
}

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
