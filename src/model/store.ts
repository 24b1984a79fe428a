/**
 * The store contract: the atomic domain operations every session store implements. Their meaning
 * is defined by the reference model (`model.ts`) and checked by the conformance kit
 * (`@sessionkit/sessionkit/testing`).
 *
 * Common rules for every operation:
 * - Time is the store's injected {@linkcode Clock}; expiry is logical (a backend's own TTLs are
 *   only garbage collection).
 * - Bad arguments throw a `TypeError`/`RangeError` with a `code` and change nothing. A malformed
 *   credential is not an argument error: it is answered like an unknown one (`invalid`), without
 *   touching the backend. Every argument is checked before anything is read or written, in the
 *   model's order (it decides which error is thrown when several arguments are bad):
 *   `create`/`attach` options: `userId`, `data` (`data-too-large` is a `RangeError`), `idleTtlMs`,
 *   `absoluteTtlMs` (≥ idle), `limit`, `onLimit`, `device`; then for `attach` the credential
 *   type. `validate`: `slideThreshold`, then the credential type. `rotate`: `graceMs`, `kind`,
 *   `bind`, `reauthenticate`, then the credential type. `update`: `sessionId`, `data`, `expectedVersion`. `destroyAll`:
 *   `exceptSessionId`, then `userId`. `revokeToken`: `jti`, `sessionId`, `expiresAt`.
 *   `revokeTokens`: exactly one of `sessionId`/`userId`, that one, `issuedBefore`, `until`.
 *   `isTokenRevoked`: `jti`, `sessionId`, `userId`, `issuedAt`. `checkArguments` (subpath
 *   `./model`) runs exactly these checks.
 * - `lastActiveAt` moves only when the idle expiry slides: a `validate` below its slide
 *   threshold, and every `rotate`; a throttled `validate`, `get`, `list` and `update` leave it.
 * - Access-token cutoffs merge: see {@linkcode TokenCutoff}.
 * - A backend failure rejects with a `SessionError` whose code is `store-unavailable` (fail closed),
 *   and never leaves half an operation behind.
 *
 * @module
 */

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [key: string]: JsonValue;
};

/** A JSON object: the shape of session data. */
export type JsonObject = { [key: string]: JsonValue };

/** Device metadata recorded with a session, shown on a "your devices" page. */
export interface DeviceInfo {
  /** The `User-Agent` header at login (at most 512 characters). */
  readonly userAgent?: string;
  /** The client IP at login (at most 512 characters). */
  readonly ip?: string;
  /** A human label, e.g. "Firefox on Linux" (at most 512 characters). */
  readonly label?: string;
}

/**
 * What a session's credential was issued as: a `cookie` session (a browser's cookie) or a `refresh`
 * token family (exchanged for access tokens). Each entry point accepts only its own kind, so a
 * stolen cookie cannot be refreshed into bearer tokens and a refresh token cannot ride a cookie.
 */
export type SessionKind = "cookie" | "refresh";

/**
 * Facts of the current request that a session is bound to. A key that is present binds that fact;
 * it mismatches when the session's {@linkcode DeviceInfo} has that field and it differs from the
 * given value (`null`: the request had none). An absent key is not checked.
 */
export interface BindFacts {
  /** The request's `User-Agent`, or `null` when it sent none. */
  readonly userAgent?: string | null;
  /** The request's client IP, or `null` when it is unknown. */
  readonly ip?: string | null;
}

/** A live session as stores return it. Never contains a credential or a secret. */
export interface Session<Data extends JsonObject = JsonObject> {
  /** Opaque session id, stable across credential rotation. Not a credential. */
  readonly id: string;
  /** The user, or `null` for an anonymous session. */
  readonly userId: string | null;
  /** What its credential was issued as. */
  readonly kind: SessionKind;
  /**
   * Application data. Stores keep any JSON object; `Data` only narrows its type for applications
   * (see `SessionManager<Data>`).
   */
  readonly data: Data;
  /** Compare-and-set version of `data`: 1 at creation, +1 per update. */
  readonly version: number;
  /** Device metadata. */
  readonly device: DeviceInfo;
  /** When the session was created (epoch ms). */
  readonly createdAt: number;
  /** When the idle expiry last slid (epoch ms). */
  readonly lastActiveAt: number;
  /** The session dies at this instant unless it slides (epoch ms, exclusive). */
  readonly idleExpiresAt: number;
  /** The session dies at this instant whatever happens (epoch ms, exclusive). */
  readonly absoluteExpiresAt: number;
  /** Idle time-to-live used when sliding (ms). */
  readonly idleTtlMs: number;
  /** When the credential was last rotated (epoch ms); `createdAt` if never. */
  readonly rotatedAt: number;
  /**
   * When the user last proved who they are (epoch ms): the login (`create` with a user, `attach`)
   * or a rotation with {@linkcode RotateOptions.reauthenticate}. `null` for an anonymous session.
   * A plain rotation, a validation or an update never moves it. Step-up checks compare it with
   * the clock (`SessionManager.requireRecentAuthentication`).
   */
  readonly authenticatedAt: number | null;
}

/** What happens at the concurrent-session limit: evict the oldest sessions, or refuse the login. */
export type LimitPolicy = "evict-oldest" | "reject";

/** Options of {@linkcode SessionStore.create}. */
export interface CreateOptions {
  /** The user, or `null` for an anonymous session (no limit applies). */
  readonly userId: string | null;
  /**
   * What the credential is issued as. For {@linkcode SessionStore.attach} this is the kind of the
   * new session; the anonymous session attached must be a `cookie` session. @default "cookie"
   */
  readonly kind?: SessionKind;
  /** Initial data. @default {} */
  readonly data?: JsonObject;
  /** Device metadata. @default {} */
  readonly device?: DeviceInfo;
  /** Idle time-to-live in ms: a positive safe integer. */
  readonly idleTtlMs: number;
  /** Absolute lifetime in ms: a safe integer, at least `idleTtlMs`. */
  readonly absoluteTtlMs: number;
  /** Most live sessions the user may have, an integer ≥ 1. @default no limit */
  readonly limit?: number;
  /** Policy at the limit. @default "evict-oldest" */
  readonly onLimit?: LimitPolicy;
}

/** Result of {@linkcode SessionStore.create}. `evicted` lists evicted sessions, oldest first. */
export type CreateResult =
  | {
    readonly status: "created";
    readonly session: Session;
    readonly credential: string;
    readonly evicted: readonly Session[];
  }
  | { readonly status: "limit-reached" };

/** Options of {@linkcode SessionStore.attach}: a login onto an anonymous session. */
export interface AttachOptions extends Omit<CreateOptions, "userId"> {
  /** The user who logs in. */
  readonly userId: string;
}

/** Result of {@linkcode SessionStore.attach}. */
export type AttachResult =
  | {
    readonly status: "attached";
    /**
     * The new session (new id). Its data is `data` when given, else the anonymous session's data
     * (replaced, never merged); its device likewise.
     */
    readonly session: Session;
    readonly credential: string;
    readonly evicted: readonly Session[];
    /** The id of the anonymous session that no longer exists. */
    readonly replacedSessionId: string;
  }
  /** Unknown, expired, or not a `cookie` session. */
  | { readonly status: "invalid" }
  | { readonly status: "not-anonymous" }
  | { readonly status: "limit-reached" }
  | ReusedResult;

/** A rotated-away credential was presented: the whole session was revoked. */
export interface ReusedResult {
  /** Reuse was detected. */
  readonly status: "reused";
  /** The revoked session. */
  readonly sessionId: string;
  /** Its user. */
  readonly userId: string | null;
}

/**
 * The request does not match the session's binding ({@linkcode BindFacts}). Nothing changed: no
 * slide, no rotation, no write.
 */
export interface BindingMismatchResult {
  /** The binding check failed. */
  readonly status: "binding-mismatch";
  /** The session (left as it was). */
  readonly sessionId: string;
  /** Its user. */
  readonly userId: string | null;
}

/** Options of {@linkcode SessionStore.validate}. */
export interface ValidateOptions {
  /**
   * Slide the idle expiry only when the remaining idle time is below this fraction of the idle
   * TTL, a number in (0, 1]. `0.5` means at most one write per half idle period.
   * @default 1
   */
  readonly slideThreshold?: number;
  /**
   * Accept only a session of this kind: another kind answers `invalid` and changes nothing (no
   * slide, no reuse verdict). @default any kind
   */
  readonly kind?: SessionKind;
  /**
   * Request facts the session must match, checked before anything changes: a mismatch answers
   * `binding-mismatch` and neither slides nor writes. @default no binding
   */
  readonly bind?: BindFacts;
}

/** Result of {@linkcode SessionStore.validate}. */
export type ValidateResult =
  | {
    readonly status: "valid";
    readonly session: Session;
    /** True when the credential is the immediate predecessor inside its grace window. */
    readonly grace: boolean;
  }
  | { readonly status: "invalid" }
  | ReusedResult
  | BindingMismatchResult;

/** Options of {@linkcode SessionStore.rotate}. */
export interface RotateOptions {
  /**
   * For this long (ms) after the rotation the immediate predecessor still validates (racing
   * requests); older credentials never do.
   * @default 0
   */
  readonly graceMs?: number;
  /**
   * Rotate only a session of this kind: another kind answers `invalid` and changes nothing (no
   * rotation, no reuse verdict). @default any kind
   */
  readonly kind?: SessionKind;
  /**
   * Request facts the session must match, checked before the rotation: a mismatch answers
   * `binding-mismatch` and changes nothing. @default no binding
   */
  readonly bind?: BindFacts;
  /**
   * The user has just proved who they are again (password, passkey): a `rotated` answer sets
   * `authenticatedAt` to now. A session without a user keeps `null`; every other answer changes
   * nothing. Only `true` or `false`. @default false
   */
  readonly reauthenticate?: boolean;
}

/** Result of {@linkcode SessionStore.rotate}. */
export type RotateResult =
  | { readonly status: "rotated"; readonly session: Session; readonly credential: string }
  /** The immediate predecessor inside its grace window: valid, but not rotated again. */
  | { readonly status: "grace"; readonly session: Session }
  | { readonly status: "invalid" }
  | ReusedResult
  | BindingMismatchResult;

/** Options of {@linkcode SessionStore.update}. */
export interface UpdateOptions {
  /** Only update when the session's version is this one (compare-and-set). @default no check */
  readonly expectedVersion?: number;
}

/** Result of {@linkcode SessionStore.update}. */
export type UpdateResult =
  | { readonly status: "updated"; readonly session: Session }
  | { readonly status: "conflict"; readonly session: Session }
  | { readonly status: "invalid" };

/** Options of {@linkcode SessionStore.destroyAll}. */
export interface DestroyAllOptions {
  /** Keep this session ("sign out everywhere else"). */
  readonly exceptSessionId?: string;
}

/** An access token to revoke by its `jti`. */
export interface TokenRevocation {
  /** The token's `jti` (1–256 characters). */
  readonly jti: string;
  /** The token's `sid`. */
  readonly sessionId: string;
  /** The token's expiry (epoch ms); the revocation is kept until then. */
  readonly expiresAt: number;
}

/**
 * Revoke every token of a session or of a user issued before an instant.
 *
 * Merging: a session or a user has at most one cutoff. A new cutoff for a key whose cutoff is
 * still in force (`now < until`) merges with it: the larger `issuedBefore` and the larger `until`
 * win. A cutoff whose `until` has passed is gone — swept or not, a new cutoff replaces it.
 */
export type TokenCutoff =
  & ({ readonly sessionId: string; readonly userId?: never } | {
    readonly userId: string;
    readonly sessionId?: never;
  })
  & {
    /** Tokens with `iat` (in ms) strictly before this instant are revoked. */
    readonly issuedBefore: number;
    /** Keep the cutoff until this instant (when every such token has expired). */
    readonly until: number;
  };

/** An access token's identity, as checked by {@linkcode SessionStore.isTokenRevoked}. */
export interface TokenIdentity {
  /** The token's `jti`. */
  readonly jti: string;
  /** The token's `sid`. */
  readonly sessionId: string;
  /** The token's `sub`. */
  readonly userId: string;
  /** The token's `iat` in epoch ms. */
  readonly issuedAt: number;
}

/**
 * The contract of a session store. Every method is atomic.
 *
 * @example
 * ```ts
 * import { MemoryStore, type SessionStore } from "@sessionkit/sessionkit";
 * const store: SessionStore = new MemoryStore();
 * const created = await store.create({ userId: "u1", idleTtlMs: 60_000, absoluteTtlMs: 3_600_000 });
 * if (created.status !== "created") throw new Error("Not created");
 * const checked = await store.validate(created.credential);
 * if (checked.status !== "valid") throw new Error("Not valid");
 * ```
 */
export interface SessionStore {
  /** Creates a session, applying the user's limit; returns its credential once. */
  create(options: CreateOptions): Promise<CreateResult>;
  /**
   * Checks a credential — its kind and the bound request facts before anything changes — and
   * slides the idle expiry (never past the absolute lifetime).
   */
  validate(credential: string, options?: ValidateOptions): Promise<ValidateResult>;
  /** Replaces the credential's secret (regeneration, refresh rotation) after the same checks. */
  rotate(credential: string, options?: RotateOptions): Promise<RotateResult>;
  /** Logs a user into an anonymous session: a new session with a new id and credential. */
  attach(credential: string, options: AttachOptions): Promise<AttachResult>;
  /** Replaces a live session's data, optionally compare-and-set on its version. */
  update(sessionId: string, data: JsonObject, options?: UpdateOptions): Promise<UpdateResult>;
  /** Reads a live session by id, without sliding it. */
  get(sessionId: string): Promise<Session | null>;
  /** Destroys a live session; returns it, or `null` when there was none. */
  destroy(sessionId: string): Promise<Session | null>;
  /** Lists a user's live sessions, oldest login first. */
  list(userId: string): Promise<Session[]>;
  /** Destroys a user's live sessions (optionally all but one); returns them, oldest first. */
  destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]>;
  /** Revokes one access token until its expiry. */
  revokeToken(revocation: TokenRevocation): Promise<void>;
  /**
   * Revokes every access token of a session or user issued before an instant, until `until`
   * (merging as {@linkcode TokenCutoff} says).
   */
  revokeTokens(cutoff: TokenCutoff): Promise<void>;
  /** Whether an access token has been revoked. */
  isTokenRevoked(token: TokenIdentity): Promise<boolean>;
}

/** Default cap on the UTF-8 size of a session's JSON data: 8 KiB. */
export const DEFAULT_MAX_DATA_BYTES = 8192;

/**
 * How many rotated-away secrets a session remembers for reuse detection. Presenting one of them
 * revokes the session; an older one is merely unknown.
 */
export const RETIRED_SECRETS_KEPT = 8;
