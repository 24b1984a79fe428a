// The framework-independent half of the adapters: one `RequestSession` per request holds the
// validated session, the credential the client presented, and the single `Set-Cookie` value the
// response must carry for the session cookie (one per name, the last decision wins).

import {
  type CookieOptionsFor,
  deleteCookie,
  type DeleteCookieOptionsFor,
  getCookie,
  serializeCookie,
} from "../web/cookie.ts";
import { SessionError, typeError } from "../core/errors.ts";
import { readCredential } from "../web/http.ts";
import type { SessionManager } from "../manager/manager.ts";
import type {
  LoginOptions,
  LoginResult,
  RegenerateResult,
  RequestFacts,
} from "../manager/types.ts";
import type { DeviceInfo, Session } from "../model/store.ts";

/** Cookie and credential options shared by the adapters. */
export interface AdapterOptions<N extends string> {
  /** The session cookie's name. @default "__Host-session" */
  readonly cookieName?: N;
  /** Attributes of the session cookie. @default Path=/; Secure; HttpOnly; SameSite=Strict */
  readonly cookie?: CookieOptionsFor<N>;
  /** Also accept `Authorization: Bearer <credential>`. @default false */
  readonly bearer?: boolean;
}

export interface AdapterConfig {
  readonly cookieName: string;
  readonly cookie: CookieOptionsFor<string>;
  readonly deleteOptions: DeleteCookieOptionsFor<string>;
  readonly bearer: boolean;
}

export function adapterConfig<N extends string>(options: AdapterOptions<N>): AdapterConfig {
  const cookieName: string = options.cookieName ?? "__Host-session";
  const cookie = (options.cookie ?? {}) as CookieOptionsFor<string>;
  const bearer = options.bearer ?? false;
  if (typeof bearer !== "boolean") throw typeError("invalid-argument", "bearer must be a boolean");
  // Refuse a bad name or attribute now, at startup, not on the first login.
  serializeCookie(cookieName, "x", cookie);
  const { maxAge: _m, expires: _e, ...deleteOptions } = cookie;
  return { cookieName, cookie, deleteOptions, bearer };
}

/** Where the credential of a request came from. */
export type CredentialSource = "cookie" | "bearer";

export class RequestSession {
  readonly #manager: SessionManager;
  readonly #config: AdapterConfig;
  readonly #facts: RequestFacts;
  session: Session | null = null;
  credential: string | null = null;
  source: CredentialSource | null = null;
  /** The `Set-Cookie` value for the session cookie this response must carry, if any. */
  setCookie: string | null = null;

  constructor(manager: SessionManager, config: AdapterConfig, facts: RequestFacts) {
    this.#manager = manager;
    this.#config = config;
    this.#facts = facts;
  }

  /** Reads and validates the credential; rethrows `store-unavailable` (fail closed). */
  async load(request: Request): Promise<void> {
    const { cookieName, bearer } = this.#config;
    const credential = readCredential(request, { cookieName, bearer });
    const cookieValue = getCookie(request.headers.get("cookie"), cookieName);
    if (credential === null) {
      // A malformed session cookie is as dead as an unknown one: delete it.
      if (cookieValue !== undefined && !this.#bearerPresent(request)) this.#clear();
      return;
    }
    this.source = cookieValue === credential && !this.#bearerPresent(request) ? "cookie" : "bearer";
    try {
      const { session } = await this.#manager.validate(credential, this.#facts);
      this.session = session;
      this.credential = credential;
    } catch (error) {
      if (!(error instanceof SessionError) || error.code === "store-unavailable") throw error;
      if (this.source === "cookie") this.#clear();
    }
  }

  async login(userId: string, options: LoginOptions): Promise<LoginResult> {
    const device = options.device ?? this.#device();
    const result = await this.#manager.login(userId, {
      ...options,
      device,
      credential: options.credential === undefined ? this.credential : options.credential,
    });
    this.#use(result.session, result.credential);
    return result;
  }

  async createAnonymous(options: Omit<LoginOptions, "credential">): Promise<LoginResult> {
    if (this.credential !== null) await this.logout();
    const device = options.device ?? this.#device();
    const result = await this.#manager.createAnonymous({ ...options, device });
    this.#use(result.session, result.credential);
    return result;
  }

  async regenerate(options: { graceMs?: number }): Promise<RegenerateResult> {
    if (this.credential === null) {
      throw new SessionError("session-invalid", "Request has no session to regenerate");
    }
    const result = await this.#manager.regenerate(this.credential, options);
    this.session = result.session;
    if (result.credential !== null) this.#use(result.session, result.credential);
    return result;
  }

  async reauthenticate(options: { graceMs?: number }): Promise<RegenerateResult> {
    if (this.credential === null) {
      throw new SessionError("session-invalid", "Request has no session to re-authenticate");
    }
    if (this.session?.userId === null) {
      throw new SessionError("reauthentication-required", "An anonymous session has no user");
    }
    const result = await this.#manager.reauthenticate(this.credential, options);
    this.#use(result.session, result.credential!);
    return result;
  }

  /** Throws unless the request's user proved who they are within `maxAgeMs` (step-up). */
  requireRecentAuthentication(maxAgeMs: number): Session {
    if (this.session === null) {
      throw new SessionError("session-invalid", "Request has no valid session");
    }
    this.#manager.requireRecentAuthentication(this.session, maxAgeMs);
    return this.session;
  }

  async logout(): Promise<boolean> {
    const credential = this.credential;
    // Delete the cookie first: even when the store fails, the client forgets the session.
    if (this.source !== "bearer") this.#clear();
    this.session = null;
    this.credential = null;
    this.source = null;
    return credential === null ? false : await this.#manager.logout(credential);
  }

  #use(session: Session, credential: string): void {
    this.session = session;
    this.credential = credential;
    if (this.source !== "bearer") {
      this.source = "cookie";
      this.setCookie = serializeCookie(this.#config.cookieName, credential, this.#config.cookie);
    }
  }

  // Device metadata from the request (stores cap each field at 512 characters).
  #device(): DeviceInfo {
    const { userAgent, ip } = this.#facts;
    return {
      ...(userAgent === undefined ? {} : { userAgent: userAgent.slice(0, 512) }),
      ...(ip === undefined ? {} : { ip: ip.slice(0, 512) }),
    };
  }

  #clear(): void {
    this.setCookie = deleteCookie(this.#config.cookieName, this.#config.deleteOptions);
  }

  #bearerPresent(request: Request): boolean {
    if (!this.#config.bearer) return false;
    const authorization = request.headers.get("authorization");
    return authorization !== null && /^[ \t]*bearer(?:[ \t]|$)/i.test(authorization);
  }
}

/** The statuses the adapters answer session errors with. */
export type SessionStatus = 401 | 403 | 409 | 503;

/**
 * The HTTP status the adapters answer a session error with, or `null` for an error that is not
 * about the session: 503 when the store could not answer, 401 when the request has no valid
 * session or token, 403 when a sensitive action needs a recent re-authentication (the session
 * stays valid), 409 for a lost data update or a login refused at the device limit.
 */
export function statusOf(error: unknown): SessionStatus | null {
  if (!(error instanceof SessionError)) return null;
  switch (error.code) {
    case "reauthentication-required":
      return 403;
    case "store-unavailable":
    case "store-corrupt":
      return 503;
    case "session-conflict":
    case "session-limit":
      return 409;
    default:
      return 401;
  }
}

/** The plain-text body of each status the adapters answer. */
export const STATUS_TEXT: Readonly<Record<SessionStatus, string>> = {
  401: "Unauthorized",
  403: "Forbidden",
  409: "Conflict",
  503: "Service Unavailable",
};

/** Whether an error means the store could not answer (the adapters answer 503). */
export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof SessionError && error.code === "store-unavailable";
}
