// fast-check arbitraries shared by the cookie spec files.
import fc from "fast-check";

/** tchar of RFC 9110 §5.6.2: the characters of a cookie name. */
export const TOKEN_CHARS =
  "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** cookie-octet of RFC 6265 §4.1.1: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E. */
export const COOKIE_OCTETS: string = Array.from(
  { length: 0x7e - 0x21 + 1 },
  (_, i) => String.fromCharCode(0x21 + i),
).filter((c) => !'",;\\'.includes(c)).join("");

/** A valid cookie name. */
export const cookieName: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...TOKEN_CHARS),
  minLength: 1,
  maxLength: 40,
});

/** A valid cookie value. */
export const cookieValue: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...COOKIE_OCTETS),
  maxLength: 200,
});
