/**
 * Reading `Cookie` request headers: a fast path that extracts one cookie by name without parsing
 * the rest, and a full parser. Both never throw, run in linear time, keep the first occurrence of a
 * name (browsers send the most specific path first), strip one pair of DQUOTEs and decode nothing.
 * Re-exported by the `./cookie` entry.
 *
 * @module
 */

// Both readers walk the header once, left to right. `indexOf(";")` always starts after the
// previous `;`, and `indexOf("=")` is only called again once the scan has passed the last `=` found,
// so every character is visited a bounded number of times: linear time whatever the input.

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

// The value between `start` and `end`: OWS trimmed, then one pair of surrounding DQUOTEs removed.
function readValue(header: string, start: number, end: number): string {
  while (start < end && isOws(header.charCodeAt(start))) start++;
  while (end > start && isOws(header.charCodeAt(end - 1))) end--;
  if (
    end - start >= 2 && header.charCodeAt(start) === 0x22 && header.charCodeAt(end - 1) === 0x22
  ) {
    start++;
    end--;
  }
  return header.slice(start, end);
}

/**
 * Reads one cookie from a `Cookie` header without building the others: the fast path for the
 * session cookie. Agrees with {@linkcode parseCookies}: `getCookie(h, n) === parseCookies(h)[n]`
 * for every `h` and `n`. Never throws; linear time.
 *
 * @example
 * ```ts
 * import { getCookie } from "@sessionkit/sessionkit/cookie";
 * const header = 'a=1; sid="xyz"; sid=second';
 * if (getCookie(header, "sid") !== "xyz") throw new Error("First occurrence, unquoted");
 * if (getCookie(header, "nope") !== undefined || getCookie(null, "sid") !== undefined) {
 *   throw new Error("Expected undefined");
 * }
 * ```
 *
 * @param header The `Cookie` header value (`request.headers.get("cookie")`); anything that is not
 * a string reads as no cookies.
 * @param name The cookie name, compared exactly (case-sensitive).
 * @returns The value of the first cookie with that name (OWS trimmed, one pair of DQUOTEs
 * removed, not decoded), or `undefined`.
 */
export function getCookie(header: string | null | undefined, name: string): string | undefined {
  if (typeof header !== "string" || typeof name !== "string" || name.length === 0) return undefined;
  const length = header.length;
  let eq = -2;
  let pos = 0;
  while (pos < length) {
    let end = header.indexOf(";", pos);
    if (end === -1) end = length;
    if (eq !== -1 && eq < pos) eq = header.indexOf("=", pos);
    if (eq === -1) return undefined;
    if (eq < end) {
      let start = pos;
      while (start < eq && isOws(header.charCodeAt(start))) start++;
      let stop = eq;
      while (stop > start && isOws(header.charCodeAt(stop - 1))) stop--;
      if (stop - start === name.length && header.startsWith(name, start)) {
        return readValue(header, eq + 1, end);
      }
    }
    pos = end + 1;
  }
  return undefined;
}

/**
 * Parses a whole `Cookie` header into a null-prototype record, so names such as `__proto__` or
 * `constructor` are plain keys. Pairs are separated by `;`; each is split at its first `=`; name
 * and value are trimmed of spaces and tabs; one pair of DQUOTEs around the value is removed;
 * values are not decoded. Segments without `=` or with an empty name are skipped. A repeated name
 * keeps its first value. Never throws; linear time.
 *
 * @example
 * ```ts
 * import { parseCookies } from "@sessionkit/sessionkit/cookie";
 * const cookies = parseCookies('a=1; b="two"; a=3; __proto__=x; junk');
 * if (cookies.a !== "1" || cookies.b !== "two" || cookies["__proto__"] !== "x") {
 *   throw new Error("Unexpected parse");
 * }
 * if (Object.getPrototypeOf(cookies) !== null || "junk" in cookies) throw new Error("Unsafe");
 * ```
 *
 * @param header The `Cookie` header value; anything that is not a string reads as no cookies.
 * @returns The cookies by name, in a record without prototype.
 */
export function parseCookies(header: string | null | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (typeof header !== "string") return cookies;
  const length = header.length;
  let eq = -2;
  let pos = 0;
  while (pos < length) {
    let end = header.indexOf(";", pos);
    if (end === -1) end = length;
    if (eq !== -1 && eq < pos) eq = header.indexOf("=", pos);
    if (eq === -1) break;
    if (eq < end) {
      let start = pos;
      while (start < eq && isOws(header.charCodeAt(start))) start++;
      let stop = eq;
      while (stop > start && isOws(header.charCodeAt(stop - 1))) stop--;
      if (stop > start) {
        const name = header.slice(start, stop);
        if (cookies[name] === undefined) cookies[name] = readValue(header, eq + 1, end);
      }
    }
    pos = end + 1;
  }
  return cookies;
}
