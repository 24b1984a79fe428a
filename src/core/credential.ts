/**
 * Credentials: what a client holds (in a cookie or as a refresh token) to prove it owns a session.
 *
 * A credential is `<sessionId>.<secret>`: the session id (1–64 base64url characters, opaque, chosen
 * by the store; it never contains the user id) and a 256-bit random secret (43 base64url
 * characters). Stores keep only the SHA-256 hash of the secret, so a dump of a store yields no
 * usable credential. The strict parser refuses anything malformed before it can reach a store key.
 *
 * @module
 */

import { base64urlValue, encodeBase64url, isBase64urlChars } from "./_base64url.ts";
import { sha256, sha256ShortAsciiBase64url } from "./_sha256.ts";
import { typeError } from "./errors.ts";
import type { RandomSource } from "./random.ts";

/** Length of an encoded secret: 32 bytes in unpadded base64url. */
export const SECRET_LENGTH = 43;
/** Longest session id a credential may carry. */
export const MAX_SESSION_ID_LENGTH = 64;
/** Longest credential: session id, a dot and the secret. */
export const MAX_CREDENTIAL_LENGTH: number = MAX_SESSION_ID_LENGTH + 1 + SECRET_LENGTH;

/** A credential split into its parts. */
export interface ParsedCredential {
  /** The opaque session id (the part before the dot). */
  readonly sessionId: string;
  /** The 256-bit secret, base64url (the part after the dot). Never log it. */
  readonly secret: string;
}

const encoder = new TextEncoder();

/**
 * Generates a fresh 256-bit secret, base64url-encoded (43 characters).
 *
 * @example
 * ```ts
 * import { generateSecret, webCryptoRandom } from "@sessionkit/sessionkit/store";
 * const secret = generateSecret(webCryptoRandom);
 * if (secret.length !== 43) throw new Error("Expected 43 characters");
 * ```
 *
 * @param random The random source.
 * @returns The encoded secret.
 */
export function generateSecret(random: RandomSource): string {
  return encodeBase64url(random.fill(new Uint8Array(32)));
}

/**
 * Generates a random session id: `byteLength` random bytes, base64url, after an optional prefix
 * (a store may put a routing tag there, never anything derived from the user id alone).
 *
 * @example
 * ```ts
 * import { generateSessionId, webCryptoRandom } from "@sessionkit/sessionkit/store";
 * const id = generateSessionId(webCryptoRandom);
 * if (id.length !== 22) throw new Error("Expected 22 characters");
 * ```
 *
 * @param random The random source.
 * @param options `prefix` (base64url characters, default `""`), `byteLength` (default 16).
 * @returns The session id.
 * @throws {TypeError} `invalid-argument` when the result would not be a valid session id.
 */
export function generateSessionId(
  random: RandomSource,
  options: { prefix?: string; byteLength?: number } = {},
): string {
  const { prefix = "", byteLength = 16 } = options;
  const id = prefix + encodeBase64url(random.fill(new Uint8Array(byteLength)));
  if (!isSessionId(id)) {
    throw typeError("invalid-argument", "Session id prefix or length is invalid");
  }
  return id;
}

/**
 * True when `value` is a well-formed session id (1–64 base64url characters).
 *
 * @example
 * ```ts
 * import { isSessionId } from "@sessionkit/sessionkit/store";
 * if (!isSessionId("abc_-1") || isSessionId("a.b")) throw new Error("Wrong answer");
 * ```
 *
 * @param value Anything.
 * @returns Whether it is a session id.
 */
export function isSessionId(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= MAX_SESSION_ID_LENGTH &&
    isBase64urlChars(value);
}

/**
 * Joins a session id and a secret into a credential.
 *
 * @example
 * ```ts
 * import { formatCredential, generateSecret, parseCredential, webCryptoRandom } from "@sessionkit/sessionkit/store";
 * const credential = formatCredential("s1", generateSecret(webCryptoRandom));
 * if (parseCredential(credential).sessionId !== "s1") throw new Error("Round trip failed");
 * ```
 *
 * @param sessionId The session id.
 * @param secret The encoded secret.
 * @returns The credential.
 * @throws {TypeError} `malformed-credential` when either part is malformed.
 */
export function formatCredential(sessionId: string, secret: string): string {
  const credential = `${sessionId}.${secret}`;
  if (tryParseCredential(credential) === null) {
    throw typeError("malformed-credential", "Session id or secret is malformed");
  }
  return credential;
}

/**
 * Parses a credential strictly, or returns `null`: exactly one dot, a session id of 1–64
 * base64url characters, and a canonical 43-character base64url secret (32 bytes). Never throws.
 *
 * @example
 * ```ts
 * import { tryParseCredential } from "@sessionkit/sessionkit/store";
 * if (tryParseCredential("not a credential") !== null) throw new Error("Accepted garbage");
 * ```
 *
 * @param value Anything, typically a cookie value or a bearer token.
 * @returns The parts, or `null` when `value` is not a well-formed credential.
 */
export function tryParseCredential(value: unknown): ParsedCredential | null {
  if (typeof value !== "string" || value.length > MAX_CREDENTIAL_LENGTH) return null;
  const dot = value.indexOf(".");
  if (dot < 1 || value.length - dot - 1 !== SECRET_LENGTH) return null;
  const sessionId = value.slice(0, dot);
  const secret = value.slice(dot + 1);
  if (!isSessionId(sessionId) || !isBase64urlChars(secret)) return null;
  // 43 characters carry 258 bits; a canonical 32-byte encoding leaves the last 2 bits zero.
  if ((base64urlValue(secret[SECRET_LENGTH - 1]!) & 3) !== 0) return null;
  return { sessionId, secret };
}

/**
 * Parses a credential strictly, throwing on anything malformed.
 *
 * @example
 * ```ts
 * import { parseCredential } from "@sessionkit/sessionkit/store";
 * try {
 *   parseCredential("abc");
 *   throw new Error("Accepted garbage");
 * } catch (error) {
 *   if ((error as { code?: string }).code !== "malformed-credential") throw error;
 * }
 * ```
 *
 * @param value Anything.
 * @returns The parts.
 * @throws {TypeError} `malformed-credential` when `value` is not a well-formed credential. The
 * message never contains the value.
 */
export function parseCredential(value: unknown): ParsedCredential {
  const parsed = tryParseCredential(value);
  if (parsed === null) throw typeError("malformed-credential", "Credential is malformed");
  return parsed;
}

/**
 * Hashes a secret for storage at rest: SHA-256 over its ASCII encoding, base64url (43 characters).
 * Synchronous: for a 43-byte input a small JS SHA-256 beats Web Crypto's async `digest` (figures
 * in `bench/hash.bench.ts`).
 *
 * @example
 * ```ts
 * import { generateSecret, hashSecret, webCryptoRandom } from "@sessionkit/sessionkit/store";
 * const secret = generateSecret(webCryptoRandom);
 * if (hashSecret(secret) === secret || hashSecret(secret).length !== 43) throw new Error("Bad hash");
 * ```
 *
 * @param secret The encoded secret.
 * @returns The encoded hash.
 */
export function hashSecret(secret: string): string {
  return sha256ShortAsciiBase64url(secret) ?? encodeBase64url(sha256(encoder.encode(secret)));
}

/**
 * Compares two strings in time that depends only on their lengths, not on where they differ.
 *
 * @example
 * ```ts
 * import { constantTimeEqual } from "@sessionkit/sessionkit/store";
 * if (!constantTimeEqual("abc", "abc") || constantTimeEqual("abc", "abd")) throw new Error("Wrong");
 * ```
 *
 * @param a A string.
 * @param b Another string.
 * @returns Whether they are equal.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
