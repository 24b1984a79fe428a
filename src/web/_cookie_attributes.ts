/**
 * The grammar and option checks behind the `Set-Cookie` serializer of `./cookie.ts`: cookie names,
 * values and attributes (RFC 6265bis, RFC 9110 tokens), the prefix rules, and the one function that
 * turns a cookie's options into the attributes that follow its value. Private: the public API and
 * the size limits are re-exported by `./cookie.ts`.
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

export function checkName(name: unknown): asserts name is string {
  if (!isToken(name)) {
    throw typeError("invalid-cookie-name", "Cookie name must be a non-empty HTTP token");
  }
}

export function checkValue(name: string, value: unknown): asserts value is string {
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
export function checkOptions(name: string, options: unknown, deleting: boolean): string {
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

export function attributesOf(name: string, options: unknown): string {
  if (!isEmptyOptions(options)) return checkOptions(name, options, false);
  let attributes = DEFAULT_ATTRIBUTES.get(name);
  if (attributes === undefined) {
    attributes = checkOptions(name, undefined, false);
    if (DEFAULT_ATTRIBUTES.size >= 256) DEFAULT_ATTRIBUTES.clear();
    DEFAULT_ATTRIBUTES.set(name, attributes);
  }
  return attributes;
}
