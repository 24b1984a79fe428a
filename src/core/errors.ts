/**
 * The errors sessionkit throws. Runtime failures are {@linkcode SessionError}s with a stable
 * string `code`; bad arguments are `TypeError`s or `RangeError`s that also carry a `code`.
 * No message ever contains a credential, secret, token or cookie value.
 *
 * @module
 */

/**
 * The stable codes of {@linkcode SessionError}. A code never changes meaning.
 *
 * - `store-unavailable`: the store could not be reached or failed; nothing was decided (fail closed).
 * - `store-corrupt`: the store held a value it did not write; it was treated as no session.
 * - `session-invalid`: the credential is unknown, malformed, expired, destroyed or rotated away.
 * - `session-reused`: a rotated-away credential was presented again; the session was revoked.
 * - `session-limit`: the user is at the concurrent-session limit and the policy is `reject`.
 * - `session-conflict`: a compare-and-set update lost against a concurrent update.
 * - `session-binding`: the request's user agent or IP does not match the session's binding.
 * - `reauthentication-required`: a sensitive action needs a recent proof of identity (step-up).
 * - `token-invalid`: an access token failed verification (signature, claims, format).
 * - `token-expired`: an access token is past its expiry.
 * - `token-revoked`: an access token was revoked.
 */
export type SessionErrorCode =
  | "store-unavailable"
  | "store-corrupt"
  | "session-invalid"
  | "session-reused"
  | "session-limit"
  | "session-conflict"
  | "session-binding"
  | "reauthentication-required"
  | "token-invalid"
  | "token-expired"
  | "token-revoked";

/**
 * The one base class of sessionkit's runtime errors.
 *
 * @example
 * ```ts
 * import { SessionError } from "@sessionkit/sessionkit";
 * const error = new SessionError("store-unavailable", "Store did not answer", { cause: new Error("ECONNREFUSED") });
 * if (error.code !== "store-unavailable" || !(error instanceof Error)) throw new Error("Bad error");
 * ```
 */
export class SessionError extends Error {
  /** The stable code of this error. */
  readonly code: SessionErrorCode;

  /**
   * Creates a coded error.
   *
   * @param code The stable code.
   * @param message A message for humans; never a credential, secret or token.
   * @param options `cause`: the underlying error, if any.
   */
  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SessionError";
    this.code = code;
  }
}

/**
 * The codes of argument errors (`TypeError` / `RangeError` with a `code` property).
 *
 * - `invalid-argument`: an argument or option has the wrong type or is out of range.
 * - `malformed-credential`: a credential is not `<sessionId>.<secret>`.
 * - `data-too-large`: session data exceeds its byte limit.
 * - `invalid-cookie-name`: a cookie name is empty or not an HTTP token (RFC 9110).
 * - `invalid-cookie-value`: a cookie value holds a character outside cookie-octets (RFC 6265).
 * - `invalid-cookie-attribute`: a cookie attribute is malformed, out of range or unknown.
 * - `cookie-prefix-violation`: a `__Host-`, `__Secure-` or `__Http-` name lacks what its prefix demands.
 * - `insecure-cookie`: `SameSite=None` or `Partitioned` without `Secure`.
 * - `cookie-too-large`: name and value over 4096 bytes, or an attribute value over 1024 bytes.
 */
export type ArgumentErrorCode =
  | "invalid-argument"
  | "malformed-credential"
  | "data-too-large"
  | "invalid-cookie-name"
  | "invalid-cookie-value"
  | "invalid-cookie-attribute"
  | "cookie-prefix-violation"
  | "insecure-cookie"
  | "cookie-too-large";

/** A `TypeError` or `RangeError` thrown for a bad argument, carrying a stable `code`. */
export type ArgumentError = (TypeError | RangeError) & { readonly code: ArgumentErrorCode };

/**
 * Builds a `TypeError` with a stable code. Internal: not exported by any entry point.
 *
 * @param code The stable code.
 * @param message A message without any secret.
 * @param options `cause`: the underlying error (e.g. what a key import threw).
 * @returns The error, to be thrown by the caller.
 */
export function typeError(
  code: ArgumentErrorCode,
  message: string,
  options?: { cause?: unknown },
): ArgumentError {
  return Object.assign(new TypeError(message, options), { code });
}

/**
 * Builds a `RangeError` with a stable code. Internal: not exported by any entry point.
 *
 * @param code The stable code.
 * @param message A message without any secret.
 * @returns The error, to be thrown by the caller.
 */
export function rangeError(code: ArgumentErrorCode, message: string): ArgumentError {
  return Object.assign(new RangeError(message), { code });
}
