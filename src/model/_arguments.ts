// Private argument checks shared by the model and every store, so all of them refuse the same
// input with the same code. Messages never echo a value that could be a secret.

import { checkSafeInteger } from "../core/_integers.ts";
import { rangeError, typeError } from "../core/errors.ts";
import { isSessionId } from "../core/credential.ts";
import type {
  AttachOptions,
  CreateOptions,
  DeviceInfo,
  JsonObject,
  SessionKind,
  TokenCutoff,
  TokenIdentity,
  TokenRevocation,
} from "./store.ts";

const MAX_USER_ID = 256;
const MAX_DEVICE_FIELD = 512;
const MAX_JTI = 256;
const MAX_DEPTH = 32;
const encoder = new TextEncoder();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkJson(value: unknown, depth: number, seen: Set<object>): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw typeError("invalid-argument", "Data numbers must be finite");
    return;
  }
  if (depth > MAX_DEPTH) throw rangeError("invalid-argument", "Data is nested too deeply");
  if (typeof value !== "object") {
    throw typeError("invalid-argument", "Data must be JSON-serialisable");
  }
  if (seen.has(value)) throw typeError("invalid-argument", "Data must not contain cycles");
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) checkJson(item, depth + 1, seen);
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) checkJson(value[key], depth + 1, seen);
  } else {
    throw typeError("invalid-argument", "Data must contain only plain objects and arrays");
  }
  seen.delete(value);
}

/** Checks session data and returns its JSON encoding (what stores persist). */
export function checkData(data: unknown, maxBytes: number): string {
  if (!isPlainObject(data)) throw typeError("invalid-argument", "Data must be a plain object");
  checkJson(data, 0, new Set());
  const json = JSON.stringify(data);
  if (json.length > maxBytes || encoder.encode(json).length > maxBytes) {
    throw rangeError("data-too-large", `Data exceeds ${maxBytes} bytes of JSON`);
  }
  return json;
}

export function checkUserId(userId: unknown, what = "userId"): string {
  if (typeof userId !== "string" || userId.length === 0 || userId.length > MAX_USER_ID) {
    throw typeError(
      "invalid-argument",
      `${what} must be a string of 1 to ${MAX_USER_ID} characters`,
    );
  }
  return userId;
}

export function checkSessionIdArg(sessionId: unknown, what = "sessionId"): string {
  if (!isSessionId(sessionId)) {
    throw typeError("invalid-argument", `${what} must be a session id (1-64 base64url characters)`);
  }
  return sessionId;
}

export function checkCredentialArg(credential: unknown): void {
  if (typeof credential !== "string") {
    throw typeError("invalid-argument", "Credential must be a string");
  }
}

const checkMs = checkSafeInteger;

function checkDevice(device: unknown): DeviceInfo {
  if (device === undefined) return {};
  if (!isPlainObject(device)) throw typeError("invalid-argument", "device must be an object");
  const out: { userAgent?: string; ip?: string; label?: string } = {};
  for (const key of ["userAgent", "ip", "label"] as const) {
    const value = device[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || value.length > MAX_DEVICE_FIELD) {
      throw typeError(
        "invalid-argument",
        `device.${key} must be a string of at most 512 characters`,
      );
    }
    out[key] = value;
  }
  return out;
}

/** The checked, normalised form of create/attach options. */
export interface CheckedCreate {
  readonly userId: string | null;
  readonly kind: SessionKind;
  readonly data: JsonObject;
  readonly dataJson: string;
  readonly device: DeviceInfo;
  readonly idleTtlMs: number;
  readonly absoluteTtlMs: number;
  readonly limit: number;
  readonly onLimit: "evict-oldest" | "reject";
}

/** The checked options of an attach: a create whose user id is required. */
export interface CheckedAttach extends CheckedCreate {
  readonly userId: string;
}

/** Checks the options of `create` (`userId: null` makes an anonymous session). */
export function checkCreate(options: CreateOptions, maxDataBytes: number): CheckedCreate {
  if (!isPlainObject(options)) throw typeError("invalid-argument", "Options must be an object");
  const userId = options.userId === null ? null : checkUserId(options.userId);
  return checkSessionOptions(options, userId, maxDataBytes);
}

/** Checks the options of `attach` (the user id is required). */
export function checkAttach(options: AttachOptions, maxDataBytes: number): CheckedAttach {
  if (!isPlainObject(options)) throw typeError("invalid-argument", "Options must be an object");
  const userId = checkUserId(options.userId);
  return { ...checkSessionOptions(options, userId, maxDataBytes), userId };
}

function checkSessionOptions(
  options: CreateOptions | AttachOptions,
  userId: string | null,
  maxDataBytes: number,
): CheckedCreate {
  const data = options.data ?? {};
  const dataJson = checkData(data, maxDataBytes);
  const idleTtlMs = checkMs(options.idleTtlMs, "idleTtlMs", 1);
  const absoluteTtlMs = checkMs(options.absoluteTtlMs, "absoluteTtlMs", 1);
  if (absoluteTtlMs < idleTtlMs) {
    throw rangeError("invalid-argument", "absoluteTtlMs must be at least idleTtlMs");
  }
  const limit = options.limit === undefined ? Infinity : checkMs(options.limit, "limit", 1);
  const onLimit = options.onLimit ?? "evict-oldest";
  if (onLimit !== "evict-oldest" && onLimit !== "reject") {
    throw typeError("invalid-argument", 'onLimit must be "evict-oldest" or "reject"');
  }
  return {
    userId,
    kind: checkKind(options.kind) ?? "cookie",
    data: JSON.parse(dataJson) as JsonObject,
    dataJson,
    device: checkDevice(options.device),
    idleTtlMs,
    absoluteTtlMs,
    limit,
    onLimit,
  };
}

/** A session kind, or `undefined` when none was given. */
export function checkKind(value: unknown): SessionKind | undefined {
  if (value === undefined || value === "cookie" || value === "refresh") return value;
  throw typeError("invalid-argument", 'kind must be "cookie" or "refresh"');
}

/** Checked bind facts: which facts are bound (`undefined` when not), and their values. */
export interface CheckedBind {
  readonly userAgent?: string | null;
  readonly ip?: string | null;
}

/**
 * Checks bind facts: an object whose only keys are `userAgent` and `ip`, each a string or `null`
 * (a key whose value is `undefined` counts as absent). `undefined` → nothing bound.
 */
export function checkBind(value: unknown): CheckedBind | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw typeError("invalid-argument", "bind must be an object");
  const out: { userAgent?: string | null; ip?: string | null } = {};
  for (const key of Object.keys(value)) {
    const fact = value[key];
    if (key !== "userAgent" && key !== "ip") {
      throw typeError("invalid-argument", "bind accepts only userAgent and ip");
    }
    if (fact === undefined) continue;
    if (fact !== null && typeof fact !== "string") {
      throw typeError("invalid-argument", `bind.${key} must be a string or null`);
    }
    out[key] = fact;
  }
  return out;
}

export function checkSlideThreshold(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== "number" || !(value > 0 && value <= 1)) {
    throw rangeError("invalid-argument", "slideThreshold must be a number in (0, 1]");
  }
  return value;
}

/** Whether a rotation re-authenticates: `undefined` → `false`; anything but a boolean throws. */
export function checkReauthenticate(value: unknown): boolean {
  if (value === undefined || typeof value === "boolean") return value === true;
  throw typeError("invalid-argument", "reauthenticate must be a boolean");
}

export function checkGraceMs(value: unknown): number {
  return value === undefined ? 0 : checkMs(value, "graceMs", 0);
}

export function checkExpectedVersion(value: unknown): number | undefined {
  return value === undefined ? undefined : checkMs(value, "expectedVersion", 1);
}

export function checkRevocation(revocation: TokenRevocation): TokenRevocation {
  if (!isPlainObject(revocation)) {
    throw typeError("invalid-argument", "Revocation must be an object");
  }
  checkJti(revocation.jti);
  checkSessionIdArg(revocation.sessionId);
  checkMs(revocation.expiresAt, "expiresAt", 0);
  return revocation;
}

export function checkCutoff(cutoff: TokenCutoff): TokenCutoff {
  if (!isPlainObject(cutoff)) throw typeError("invalid-argument", "Cutoff must be an object");
  const hasSession = cutoff.sessionId !== undefined;
  const hasUser = cutoff.userId !== undefined;
  if (hasSession === hasUser) {
    throw typeError("invalid-argument", "Cutoff needs exactly one of sessionId and userId");
  }
  if (hasSession) checkSessionIdArg(cutoff.sessionId);
  else checkUserId(cutoff.userId);
  checkMs(cutoff.issuedBefore, "issuedBefore", 0);
  checkMs(cutoff.until, "until", 0);
  return cutoff;
}

export function checkTokenIdentity(token: TokenIdentity): TokenIdentity {
  if (!isPlainObject(token)) {
    throw typeError("invalid-argument", "Token identity must be an object");
  }
  checkJti(token.jti);
  checkSessionIdArg(token.sessionId);
  checkUserId(token.userId);
  checkMs(token.issuedAt, "issuedAt", 0);
  return token;
}

function checkJti(jti: unknown): void {
  if (typeof jti !== "string" || jti.length === 0 || jti.length > MAX_JTI) {
    throw typeError("invalid-argument", `jti must be a string of 1 to ${MAX_JTI} characters`);
  }
}

export function checkMaxDataBytes(value: unknown): number {
  return value === undefined ? 8192 : checkMs(value, "maxDataBytes", 2);
}
