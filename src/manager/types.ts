/**
 * The argument and result types of {@linkcode SessionManager}.
 *
 * @module
 */

import type { SignedAccessToken } from "../tokens/access_token.ts";
import type { DeviceInfo, JsonObject, Session } from "../model/store.ts";

/** Facts about the current request, for binding checks. */
export interface RequestFacts {
  /** The request's `User-Agent`. */
  readonly userAgent?: string;
  /** The client IP as the app determines it (behind a proxy: from a trusted header). */
  readonly ip?: string;
}

/** Options of {@linkcode SessionManager.login}. */
export interface LoginOptions<Data extends JsonObject = JsonObject> {
  /** Initial data (replaces an anonymous session's data when given). */
  readonly data?: Data;
  /** Device metadata, shown on the devices page and used for binding. */
  readonly device?: DeviceInfo;
  /**
   * The credential the client already holds (an anonymous session, e.g. a cart): the user is
   * attached to it and its credential rotated (fixation defence). Any other session it names is
   * ended, so one client holds one session.
   */
  readonly credential?: string | null;
}

/** A cookie login: put `credential` in the session cookie. */
export interface LoginResult<Data extends JsonObject = JsonObject> {
  /** The session. */
  readonly session: Session<Data>;
  /** The credential for the cookie: never log it. */
  readonly credential: string;
  /** Sessions evicted by the limit, oldest first. */
  readonly evicted: readonly Session<Data>[];
}

/** A token login: send both tokens to the client. */
export interface TokenLoginResult<Data extends JsonObject = JsonObject> {
  /** The session. */
  readonly session: Session<Data>;
  /** The opaque refresh token: never log it. */
  readonly refreshToken: string;
  /** A new access token. */
  readonly accessToken: SignedAccessToken;
  /** Sessions evicted by the limit, oldest first. */
  readonly evicted: readonly Session<Data>[];
}

/** A validated request. */
export interface ValidatedSession<Data extends JsonObject = JsonObject> {
  /** The session. */
  readonly session: Session<Data>;
  /** The credential was the predecessor of a very recent rotation: send the current one again. */
  readonly grace: boolean;
}

/** A regenerated session: set the new credential; `null` when a racing request already did. */
export interface RegenerateResult<Data extends JsonObject = JsonObject> {
  /** The session. */
  readonly session: Session<Data>;
  /** The new credential, or `null` when a racing request already rotated it. */
  readonly credential: string | null;
}

/** A refresh: the rotated refresh token (`null` inside the grace window) and a new access token. */
export interface RefreshResult<Data extends JsonObject = JsonObject> {
  /** The session. */
  readonly session: Session<Data>;
  /** The rotated refresh token, or `null` inside the grace window. */
  readonly refreshToken: string | null;
  /** A new access token. */
  readonly accessToken: SignedAccessToken;
}

/** A row of a "your devices" page. */
export interface SessionInfo {
  /** The session id (safe to show its owner; it is not a credential). */
  readonly id: string;
  /** Device metadata recorded at login. */
  readonly device: DeviceInfo;
  /** Login time (epoch ms). */
  readonly createdAt: number;
  /** Last activity that slid the expiry (epoch ms). */
  readonly lastActiveAt: number;
  /** Ends at this instant unless active again (epoch ms). */
  readonly idleExpiresAt: number;
  /** Ends at this instant whatever happens (epoch ms). */
  readonly absoluteExpiresAt: number;
  /** Whether this is the session of the request asking. */
  readonly current: boolean;
}
